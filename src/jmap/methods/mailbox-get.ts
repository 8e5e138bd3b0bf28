// Mailbox/get (RFC 8621 §2.1) over the JMAP view of the mailboxes (mailboxes.ts), with the
// counts of one aggregate. Own mailboxes: all rights.
import { accountModseq } from '../../core/messages.ts';
import { mailboxTotals } from '../../core/mailquery.ts';
import { jmapMailboxes } from '../mailboxes.ts';
import { CAP_MAIL } from '../limits.ts';
import { mustAccount, parseArgs, stateOf, type Method } from '../context.ts';
import { checkIdsLimit, getSchema, pick, properties } from '../get.ts';

const KNOWN = [
  'id',
  'name',
  'parentId',
  'role',
  'sortOrder',
  'totalEmails',
  'unreadEmails',
  'totalThreads',
  'unreadThreads',
  'myRights',
  'isSubscribed',
] as const;

export const ALL_RIGHTS = {
  mayReadItems: true,
  mayAddItems: true,
  mayRemoveItems: true,
  maySetSeen: true,
  maySetKeywords: true,
  mayCreateChild: true,
  mayRename: true,
  mayDelete: true,
  maySubmit: true,
};

export const mailboxGet: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(getSchema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    checkIdsLimit(args.ids);
    const props = properties(args.properties, KNOWN);
    const db = ctx.core.db;
    const state = await accountModseq(db, accountId);
    const boxes = await jmapMailboxes(db, accountId);
    const totals = await mailboxTotals(db, accountId);
    const all = boxes.map((b) => {
      const t = totals.get(b.id);
      return {
        id: b.id,
        name: b.name,
        parentId: b.parentId,
        role: b.role,
        sortOrder: b.sortOrder,
        totalEmails: t?.totalEmails ?? 0,
        unreadEmails: t?.unreadEmails ?? 0,
        totalThreads: t?.totalThreads ?? 0,
        unreadThreads: t?.unreadThreads ?? 0,
        myRights: ALL_RIGHTS,
        isSubscribed: b.isSubscribed,
      };
    });
    const wanted = args.ids ?? all.map((m) => m.id);
    const found = new Map(all.map((m) => [m.id, m]));
    return {
      accountId: args.accountId,
      state: stateOf(state),
      list: wanted.filter((id) => found.has(id)).map((id) => pick(found.get(id)!, props)),
      notFound: wanted.filter((id) => !found.has(id)),
    };
  },
};
