// ACL (RFC 4314), first part: an account owns its mailboxes with every right, so MYRIGHTS and
// GETACL answer the full set for the owner. Sharing (SETACL, DELETEACL, LISTRIGHTS for other
// identifiers) comes with shared mailboxes, from the same grants JMAP and DAV will read.
import { raw } from '../proto/writer.ts';
import { namedMailbox } from './named.ts';
import { AUTHED, type Handler } from './types.ts';

/** Every right of RFC 4314 §2.1 (and the obsolete c, d that §2.1.1 says to keep sending). */
export const ALL_RIGHTS = 'lrswipkxtecda';

export const acl: Handler<'GETACL' | 'MYRIGHTS'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const mb = await namedMailbox(s, tag, args.mailbox);
    if (!mb) return;
    const name = s.encodeName(mb.name);
    if (args.name === 'MYRIGHTS') s.untagged([raw('MYRIGHTS'), name, ALL_RIGHTS]);
    else s.untagged([raw('ACL'), name, s.account!.email, ALL_RIGHTS]);
    await s.finish(tag, 'OK', null, `${args.name} completed`);
  },
};
