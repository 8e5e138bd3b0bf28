// Email/queryChanges (RFC 8621 §4.5 → RFC 8620 §5.6): every email changed since the old
// state is named in `removed`, and those in the current results come back in `added` with
// their index. With collapseThreads the email standing for a thread may change when another
// of its thread does: every email of a changed thread is named too, and a destroyed email
// (whose thread is no longer known) makes the change not calculable.
import { z } from 'zod';
import { emailsByIds } from '../../core/messages.ts';
import { emailsOfThreads } from '../../core/mailquery.ts';
import { CAP_MAIL } from '../limits.ts';
import { mustAccount, parseArgs, type Method } from '../context.ts';
import { MethodError } from '../errors.ts';
import { changedSince, queryChangesFields, queryChangesResponse } from '../querychanges.ts';
import { queryAll } from './email-query.ts';

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

export const emailQueryChanges: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const changed = await changedSince(ctx, accountId, 'Email', args.sinceQueryState);
    if (args.collapseThreads && changed.ids.size > 0) {
      if (changed.destroyed.size > 0)
        throw new MethodError('cannotCalculateChanges', 'emails were destroyed; query again');
      const rows = await emailsByIds(ctx.core.db, accountId, [...changed.ids]);
      const threads = [...new Set([...rows.values()].map((r) => r.threadId))];
      for (const id of await emailsOfThreads(ctx.core.db, accountId, threads)) changed.ids.add(id);
    }
    const results = (await queryAll(ctx, accountId, args)).map((e) => e.id);
    return queryChangesResponse(args, changed, results);
  },
};
