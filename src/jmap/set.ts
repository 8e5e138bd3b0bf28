// Shared parts of every Foo/set (RFC 8620 §5.3): the arguments, ifInState, the object limit,
// SetErrors thrown per object (SetFailure), creation ids ("#c1") resolved through the
// request's createdIds, and the response object with null for empty maps.
import { z } from 'zod';
import { accountModseq } from '../core/messages.ts';
import { CORE_LIMITS } from './limits.ts';
import { idSchema, stateOf, type CallContext } from './context.ts';
import { MethodError, type SetError } from './errors.ts';

export const setSchema = z.object({
  accountId: z.string(),
  ifInState: z.string().nullable().optional(),
  create: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  update: z.record(z.string(), z.record(z.string(), z.unknown())).nullable().optional(),
  destroy: z.array(z.string()).nullable().optional(),
});

export type SetArgs = z.infer<typeof setSchema>;

/** A SetError for one object, thrown by the code handling it. */
export class SetFailure extends Error {
  readonly error: SetError;
  constructor(type: string, description?: string, properties?: string[]) {
    super(description ?? type);
    this.error = {
      type,
      ...(description ? { description } : {}),
      ...(properties ? { properties } : {}),
    };
  }
}

export const invalid = (property: string, why: string): SetFailure =>
  new SetFailure('invalidProperties', why, [property]);

/** An id, or the id a "#creationId" of this request stands for; null when unknown. */
export function resolveId(ctx: CallContext, id: string): string | null {
  if (id.startsWith('#')) return ctx.createdIds.get(id.slice(1)) ?? null;
  return idSchema.safeParse(id).success ? id : null;
}

export interface SetResult {
  created: Record<string, Record<string, unknown>>;
  notCreated: Record<string, SetError>;
  updated: Record<string, Record<string, unknown> | null>;
  notUpdated: Record<string, SetError>;
  destroyed: string[];
  notDestroyed: Record<string, SetError>;
}

export function emptyResult(): SetResult {
  return {
    created: {},
    notCreated: {},
    updated: {},
    notUpdated: {},
    destroyed: [],
    notDestroyed: {},
  };
}

/** Checks ifInState and the object limit; returns the old state. */
export async function beginSet(
  ctx: CallContext,
  accountId: number,
  args: SetArgs,
): Promise<string> {
  const oldState = stateOf(await accountModseq(ctx.core.db, accountId));
  if (args.ifInState != null && args.ifInState !== oldState) throw new MethodError('stateMismatch');
  const n =
    Object.keys(args.create ?? {}).length +
    Object.keys(args.update ?? {}).length +
    (args.destroy ?? []).length;
  if (n > CORE_LIMITS.maxObjectsInSet)
    throw new MethodError(
      'requestTooLarge',
      `at most ${CORE_LIMITS.maxObjectsInSet} objects in one /set`,
    );
  return oldState;
}

/** Runs one object's change, turning a SetFailure into its SetError. */
export async function attempt<T>(
  fn: () => Promise<T>,
  onError: (e: SetError) => void,
): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof SetFailure) {
      onError(err.error);
      return undefined;
    }
    throw err;
  }
}

export async function setResponse(
  ctx: CallContext,
  accountId: number,
  jmapAccountId: string,
  oldState: string,
  r: SetResult,
): Promise<Record<string, unknown>> {
  const orNull = <T extends object>(o: T): T | null => (Object.keys(o).length > 0 ? o : null);
  return {
    accountId: jmapAccountId,
    oldState,
    newState: stateOf(await accountModseq(ctx.core.db, accountId)),
    created: orNull(r.created),
    updated: orNull(r.updated),
    destroyed: r.destroyed.length > 0 ? r.destroyed : null,
    notCreated: orNull(r.notCreated),
    notUpdated: orNull(r.notUpdated),
    notDestroyed: orNull(r.notDestroyed),
  };
}
