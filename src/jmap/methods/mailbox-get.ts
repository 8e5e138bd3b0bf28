// Mailbox/get (RFC 8621 §2.1). Stored names are full paths with "/" (mailboxset.ts); JMAP
// shows the last part as `name` and the parent's id as `parentId`. Own mailboxes: all rights.
import { listMailboxes } from '../../core/mailboxes.ts';
import { accountModseq } from '../../core/messages.ts';
import { mailboxTotals } from '../../core/mailquery.ts';
import { SEPARATOR } from '../../core/mailboxset.ts';
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

/** Inbox first, then the other special uses, then the rest by name (RFC 8621 §2 sortOrder). */
const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash'];

const ALL_RIGHTS = {
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
    const boxes = await listMailboxes(db, accountId);
    const totals = await mailboxTotals(db, accountId);
    const byName = new Map(boxes.map((b) => [b.name, b.id]));
    const all = boxes.map((b) => {
      const cut = b.name.lastIndexOf(SEPARATOR);
      const t = totals.get(b.id);
      const roleRank = b.role ? ROLE_ORDER.indexOf(b.role) : -1;
      return {
        id: b.id,
        name: cut < 0 ? b.name : b.name.slice(cut + 1),
        parentId: cut < 0 ? null : (byName.get(b.name.slice(0, cut)) ?? null),
        role: b.role,
        sortOrder: roleRank < 0 ? 100 : roleRank + 1,
        totalEmails: t?.totalEmails ?? 0,
        unreadEmails: t?.unreadEmails ?? 0,
        totalThreads: t?.totalThreads ?? 0,
        unreadThreads: t?.unreadThreads ?? 0,
        myRights: ALL_RIGHTS,
        isSubscribed: Number(b.subscribed) === 1,
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
