// Foo/queryChanges (RFC 8620 §5.6) from the one change log: every object changed since the
// old state goes in `removed` (the RFC lets a server name more than it must), and those of
// them in the current results go in `added` with their index. The client then holds the
// current results exactly. A state this account never reached, or one below its tombstone
// horizon (core/changes.ts), is cannotCalculateChanges;
// more than maxChanges is tooManyChanges.
import { z } from 'zod';
import type { Db } from '../store/schema.ts';
import { readLog } from './changes.ts';
import { MethodError } from './errors.ts';
import { stateOf, uintSchema, type CallContext } from './context.ts';

export const queryChangesFields = {
  accountId: z.string(),
  sinceQueryState: z.string(),
  maxChanges: uintSchema.min(1).nullable().optional(),
  upToId: z.string().nullable().optional(),
  calculateTotal: z.boolean().optional(),
};

/** Most change-log rows read; beyond them the client is told to query again. */
const READ_LIMIT = 50_000;

export interface ChangedSince {
  ids: Set<string>;
  /** Ids destroyed in the range. */
  destroyed: Set<string>;
  current: number;
}

/**
 * The ids of a type changed after the state, or cannotCalculateChanges; read through `db`
 * (a snapshot transaction, when the caller reads the current results in the same one).
 */
export async function changedSince(
  ctx: CallContext,
  accountId: number,
  type: string,
  sinceState: string,
  db: Db = ctx.core.db,
): Promise<ChangedSince> {
  const { current, rows } = await readLog(db, accountId, type, sinceState, READ_LIMIT);
  if (rows.length === READ_LIMIT)
    throw new MethodError('cannotCalculateChanges', 'too much changed; query again');
  const destroyed = new Set(rows.filter((r) => r.op === 'd').map((r) => r.id));
  return { ids: new Set(rows.map((r) => r.id)), destroyed, current };
}

export interface QueryChangesArgs {
  accountId: string;
  sinceQueryState: string;
  maxChanges?: number | null;
  calculateTotal?: boolean;
}

/** The answer from the whole current results (which `added` is read from). */
export function queryChangesResponse(
  args: QueryChangesArgs,
  changed: ChangedSince,
  results: string[],
): Record<string, unknown> {
  const added: { id: string; index: number }[] = [];
  results.forEach((id, index) => {
    if (changed.ids.has(id)) added.push({ id, index });
  });
  return queryChangesAnswer(args, changed, added, results.length);
}

/**
 * The answer from `added` found otherwise (each changed id's index in the current results,
 * lowest first) and the number of results, needed only with calculateTotal.
 */
export function queryChangesAnswer(
  args: QueryChangesArgs,
  changed: ChangedSince,
  added: { id: string; index: number }[],
  total: number | null,
): Record<string, unknown> {
  const removed = [...changed.ids];
  if (args.maxChanges != null && removed.length + added.length > args.maxChanges)
    throw new MethodError('tooManyChanges', `more than ${args.maxChanges} changes`);
  return {
    accountId: args.accountId,
    oldQueryState: args.sinceQueryState,
    newQueryState: stateOf(changed.current),
    removed,
    added,
    ...(args.calculateTotal ? { total } : {}),
  };
}
