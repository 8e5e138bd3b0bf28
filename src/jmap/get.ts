// Shared parts of every Foo/get (RFC 8620 §5.1): the arguments, the requested properties
// (unknown ones are invalidArguments; "id" is always returned), and the ids limit.
import { z } from 'zod';
import { MethodError } from './errors.ts';
import { CORE_LIMITS } from './limits.ts';
import { idSchema } from './context.ts';

export const getSchema = z.object({
  accountId: z.string(),
  ids: z.array(idSchema).nullable().optional(),
  properties: z.array(z.string()).nullable().optional(),
});

export function properties(
  requested: string[] | null | undefined,
  known: readonly string[],
  defaults: readonly string[] = known,
): Set<string> {
  if (requested === null || requested === undefined) return new Set(['id', ...defaults]);
  const unknown = requested.filter((p) => !known.includes(p));
  if (unknown.length > 0)
    throw new MethodError(
      'invalidArguments',
      `unknown or unsupported properties: ${unknown.join(', ')}`,
    );
  return new Set(['id', ...requested]);
}

export function checkIdsLimit(ids: readonly string[] | null | undefined): void {
  if (ids && ids.length > CORE_LIMITS.maxObjectsInGet)
    throw new MethodError(
      'requestTooLarge',
      `at most ${CORE_LIMITS.maxObjectsInGet} ids in one /get`,
    );
}

/** Keeps only the chosen properties of an object. */
export function pick(obj: Record<string, unknown>, props: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of props) if (p in obj) out[p] = obj[p];
  return out;
}
