// Thread/get (RFC 8621 §3.1): the emails of each thread, oldest first. Thread ids are the
// thread_id computed at delivery (core/deliver.ts).
import { accountModseq } from '../../core/messages.ts';
import { threadEmailIds } from '../../core/mailquery.ts';
import { CAP_MAIL } from '../limits.ts';
import { mustAccount, parseArgs, stateOf, type Method } from '../context.ts';
import { checkIdsLimit, getSchema, pick, properties } from '../get.ts';
import { MethodError } from '../errors.ts';

export const threadGet: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(getSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    if (!args.ids) throw new MethodError('requestTooLarge', 'Thread/get needs ids');
    checkIdsLimit(args.ids);
    const props = properties(args.properties, ['id', 'emailIds']);
    const state = await accountModseq(ctx.core.db, accountId);
    const threads = await threadEmailIds(ctx.core.db, accountId, args.ids);
    return {
      accountId: args.accountId,
      state: stateOf(state),
      list: args.ids
        .filter((id) => threads.has(id))
        .map((id) => pick({ id, emailIds: threads.get(id) }, props)),
      notFound: args.ids.filter((id) => !threads.has(id)),
    };
  },
};
