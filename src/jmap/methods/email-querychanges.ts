// Email/queryChanges (RFC 8621 §4.5 → RFC 8620 §5.6): every email changed since the old
// state is named in `removed`, and those in the current results come back in `added` with
// their index. With collapseThreads the email standing for a thread may change when another
// of its thread does: every email of a changed thread is named too, and a destroyed email
// (whose thread is no longer known) makes the change not calculable.
import { z } from 'zod';
import type { Db } from '../../store/schema.ts';
import { emailsByIds } from '../../core/messages.ts';
import { countEmails, emailIndex } from '../../core/emaillist.ts';
import { emailsOfThreads } from '../../core/mailquery.ts';
import { CAP_MAIL } from '../limits.ts';
import { mustAccount, parseArgs, type CallContext, type Method } from '../context.ts';
import { MethodError } from '../errors.ts';
import {
  changedSince,
  type ChangedSince,
  queryChangesAnswer,
  queryChangesFields,
  queryChangesResponse,
} from '../querychanges.ts';
import { condition, queryAll, sortOf } from './email-query.ts';

/** Up to this many changed emails, each is placed by a count rather than reading the list. */
const INDEX_LOOKUPS = 64;

const schema = z.object({
  ...queryChangesFields,
  filter: z.record(z.string(), z.unknown()).nullable().optional(),
  sort: z
    .array(
      z.object({
        property: z.string(),
        isAscending: z.boolean().optional(),
        collation: z.string().optional(),
      }),
    )
    .nullable()
    .optional(),
  collapseThreads: z.boolean().optional(),
});

/**
 * The emails changed since the state; with collapseThreads, every email of a changed thread
 * too (the one standing for it may change), and a destroy makes it not calculable.
 */
async function changedEmails(
  ctx: CallContext,
  accountId: number,
  args: { sinceQueryState: string; collapseThreads?: boolean | undefined },
  db: Db,
): Promise<ChangedSince> {
  const changed = await changedSince(ctx, accountId, 'Email', args.sinceQueryState, db);
  if (args.collapseThreads && changed.ids.size > 0) {
    if (changed.destroyed.size > 0)
      throw new MethodError('cannotCalculateChanges', 'emails were destroyed; query again');
    const rows = await emailsByIds(db, accountId, [...changed.ids]);
    const threads = [...new Set([...rows.values()].map((r) => r.threadId))];
    for (const id of await emailsOfThreads(db, accountId, threads)) changed.ids.add(id);
  }
  return changed;
}

export const emailQueryChanges: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const filter = args.filter ?? {};
    const plain = !('operator' in filter) ? condition(filter) : null;
    if (plain && plain.text.length === 0) {
      // Every condition in SQL: the log, each changed email's index (counted as an anchor's
      // is) and the total are read in one snapshot, so that they agree with the state named
      // even while mail arrives (a client checks them against each other, and reloads when
      // they disagree); a large mailbox is not read whole. Over INDEX_LOOKUPS changes, null.
      const answer = await ctx.core.db
        .transaction()
        .setIsolationLevel('repeatable read')
        .setAccessMode('read only')
        .execute(async (db) => {
          const changed = await changedEmails(ctx, accountId, args, db);
          if (changed.ids.size > INDEX_LOOKUPS) return null;
          const sort = sortOf(args);
          const opts = { collapseThreads: args.collapseThreads === true };
          const added: { id: string; index: number }[] = [];
          for (const id of changed.ids) {
            const index = await emailIndex(db, accountId, plain.sql, sort, id, opts);
            if (index !== null) added.push({ id, index });
          }
          added.sort((a, b) => a.index - b.index);
          const total = args.calculateTotal
            ? await countEmails(db, accountId, plain.sql, opts)
            : null;
          return queryChangesAnswer(args, changed, added, total);
        });
      if (answer) return answer;
    }
    const changed = await changedEmails(ctx, accountId, args, ctx.core.db);
    const results = (await queryAll(ctx, accountId, args)).map((e) => e.id);
    return queryChangesResponse(args, changed, results);
  },
};
