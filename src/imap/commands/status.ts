// STATUS (RFC 9051 §6.3.11): MESSAGES, UIDNEXT, UIDVALIDITY, UNSEEN, SIZE (RFC 8438),
// RECENT (RFC 3501 §6.3.10: the messages no session has claimed as \Recent yet; STATUS does
// not claim them, core/recent.ts), HIGHESTMODSEQ (RFC 7162), APPENDLIMIT
// (RFC 7889), MAILBOXID (RFC 8474). On the selected mailbox the answer is the store's, which
// may be ahead of the session's view (§6.3.11 allows that).
import { mailboxCounts } from '../../core/messages.ts';
import { unclaimedCount } from '../../core/recent.ts';
import type { Mailbox } from '../../store/schema.ts';
import { raw, type Value } from '../proto/writer.ts';
import type { Session } from '../session.ts';
import { permit } from '../access.ts';
import { namedMailbox } from './named.ts';
import { AUTHED, type Handler } from './types.ts';

const KNOWN = new Set([
  'MESSAGES',
  'UIDNEXT',
  'UIDVALIDITY',
  'UNSEEN',
  'SIZE',
  'RECENT',
  'HIGHESTMODSEQ',
  'DELETED',
  'APPENDLIMIT',
  'MAILBOXID',
]);

export async function statusItems(s: Session, mb: Mailbox, items: string[]): Promise<Value[]> {
  const counts = await mailboxCounts(s.core.db, Number(mb.account_id), mb.id);
  const out: Value[] = [];
  for (const item of items) {
    if (item === 'MAILBOXID') {
      out.push(raw(item), [raw(mb.id)]);
      continue;
    }
    let v: number;
    switch (item) {
      case 'MESSAGES':
        v = counts.messages;
        break;
      case 'UIDNEXT':
        v = Number(mb.uid_next);
        break;
      case 'UIDVALIDITY':
        v = Number(mb.uid_validity);
        break;
      case 'UNSEEN':
        v = counts.unseen;
        break;
      case 'SIZE':
        v = counts.size;
        break;
      case 'HIGHESTMODSEQ':
        s.condstore = true; // RFC 7162 §3.1: a CONDSTORE-enabling command
        v = Math.max(counts.highestModseq, Number(mb.modseq));
        break;
      case 'RECENT':
        v = await unclaimedCount(s.core.db, Number(mb.account_id), mb.id);
        break;
      case 'APPENDLIMIT':
        v = s.ctx.limits.maxMessage; // RFC 7889 §4
        break;
      default:
        v = 0;
    }
    out.push(raw(item), v);
  }
  return out;
}

export const status: Handler<'STATUS'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const bad = args.items.find((i) => !KNOWN.has(i));
    if (bad) {
      await s.finish(tag, 'BAD', null, `Unknown status item ${bad}`);
      return;
    }
    const ref = await namedMailbox(s, tag, args.mailbox);
    if (!ref || !(await permit(s, tag, ref, 'r'))) return; // RFC 4314 §4: STATUS needs r
    const items = await statusItems(s, ref.mailbox, args.items);
    s.untagged([raw('STATUS'), s.encodeName(ref.name), items]);
    await s.finish(tag, 'OK', null, 'STATUS completed');
  },
};
