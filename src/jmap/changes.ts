// Foo/changes from the account's one change log (RFC 8620 §5.2; DESIGN.md "One change log").
// A state is the account's modseq. Changes are taken whole modseqs at a time, so a page never
// splits one change; an id created and destroyed within the range is left out. A state that
// is not a modseq this account has reached, or one below the account's tombstone horizon
// (core/changes.ts: what left a collection before it is no longer known), is
// cannotCalculateChanges.
import { z } from 'zod';
import type { Db } from '../store/schema.ts';
import { canCalculateChanges } from '../core/changes.ts';
import { accountModseq } from '../core/messages.ts';
import { changesOfType, mailboxesChangedSince, type LoggedChange } from '../core/mailquery.ts';
import { MethodError } from './errors.ts';

import {
  mustAccount,
  parseArgs,
  stateOf,
  uintSchema,
  type Args,
  type CallContext,
} from './context.ts';

const schema = z.object({
  accountId: z.string(),
  sinceState: z.string(),
  maxChanges: uintSchema.min(1).nullable().optional(),
});

/** Rows read from the log per call; a page ends at the last whole modseq within them. */
const READ_LIMIT = 10_000;
const DEFAULT_MAX = 5_000;

/**
 * The account's log of `type` after a state, oldest first, at most `limit` rows; or
 * cannotCalculateChanges for a state the account never reached or one below its horizon.
 * The horizon is asked after the read, so that a pruning in between is seen.
 */
export async function readLog(
  db: Db,
  accountId: number,
  type: string,
  sinceState: string,
  limit: number,
): Promise<{ since: number; current: number; rows: LoggedChange[] }> {
  const current = await accountModseq(db, accountId);
  if (!/^(0|[1-9]\d{0,15})$/.test(sinceState) || Number(sinceState) > current)
    throw new MethodError('cannotCalculateChanges', `state ${sinceState} is not known`);
  const since = Number(sinceState);
  const rows = await changesOfType(db, accountId, type, since, limit);
  if (!(await canCalculateChanges(db, accountId, since)))
    throw new MethodError(
      'cannotCalculateChanges',
      `state ${sinceState} is older than the change history kept`,
    );
  return { since, current, rows };
}

export async function changesMethod(ctx: CallContext, raw: Args, type: string): Promise<Args> {
  const args = parseArgs(schema, raw);
  const accountId = mustAccount(ctx, args.accountId);
  const db = ctx.core.db;
  const { since, current, rows } = await readLog(db, accountId, type, args.sinceState, READ_LIMIT);
  const max = args.maxChanges ?? DEFAULT_MAX;
  // Whole modseqs only: if the read was cut, the last modseq may be partial.
  const full =
    rows.length === READ_LIMIT
      ? rows.filter((r) => r.modseq < rows[rows.length - 1]!.modseq)
      : rows;
  const seen = new Map<string, { first: string; last: string }>();
  let newState = since;
  let hasMore = rows.length === READ_LIMIT;
  for (let i = 0; i < full.length;) {
    const modseq = full[i]!.modseq;
    let j = i;
    const group: typeof full = [];
    while (j < full.length && full[j]!.modseq === modseq) group.push(full[j++]!);
    const fresh = new Set(group.map((g) => g.id).filter((id) => !seen.has(id)));
    if (seen.size + fresh.size > max) {
      if (newState === since)
        throw new MethodError(
          'cannotCalculateChanges',
          `one change touches more than ${max} objects; ask with a larger maxChanges`,
        );
      hasMore = true;
      break;
    }
    for (const g of group) {
      const s = seen.get(g.id);
      if (s) s.last = g.op;
      else seen.set(g.id, { first: g.op, last: g.op });
    }
    newState = modseq;
    i = j;
  }
  if (!hasMore) newState = current;
  const created: string[] = [];
  const updated: string[] = [];
  const destroyed: string[] = [];
  for (const [id, s] of seen) {
    if (s.first === 'c' && s.last === 'd') continue;
    if (s.last === 'd') destroyed.push(id);
    else if (s.first === 'c') created.push(id);
    else updated.push(id);
  }
  const out: Args = {
    accountId: args.accountId,
    oldState: args.sinceState,
    newState: stateOf(newState),
    hasMoreChanges: hasMore,
    created,
    updated,
    destroyed,
  };
  if (type === 'Mailbox') {
    // Counts move with the messages, not with a Mailbox log row: the mailbox's own modseq says.
    if (!hasMore)
      for (const id of await mailboxesChangedSince(db, accountId, since))
        if (!seen.has(id)) updated.push(id);
    out.updatedProperties = null;
  }
  return out;
}
