// SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3): opens a mailbox view. A failed SELECT leaves
// the session unselected (§6.3.2); a new SELECT first closes the old one with [CLOSED]
// (RFC 7162 §3.2.11, part of IMAP4rev2).
import { mailboxByName } from '../../core/mailboxes.ts';
import { SYSTEM_FLAGS } from '../../mail/keywords.ts';
import { raw } from '../proto/writer.ts';
import { MailboxView } from '../view.ts';
import { specialUse } from './list.ts';
import { AUTHED, type Handler } from './types.ts';

export const select: Handler<'SELECT' | 'EXAMINE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const accountId = s.account!.id;
    if (s.selected) {
      s.selected = null;
      s.state = 'auth';
      s.untagged([raw('OK'), raw('[CLOSED]'), 'Previous mailbox closed']);
    }
    const mb = await mailboxByName(s.core.db, accountId, s.decodeName(args.mailbox));
    if (!mb) {
      await s.finish(tag, 'NO', 'NONEXISTENT', 'No such mailbox');
      return;
    }
    const view = new MailboxView(s.core, accountId, mb.id);
    await view.load();
    const readOnly = args.name === 'EXAMINE';
    const flags = SYSTEM_FLAGS.map(raw);
    s.untagged([view.exists, raw('EXISTS')]);
    if (!s.rev2) s.untagged([0, raw('RECENT')]);
    s.untagged([raw('FLAGS'), flags]);
    s.untagged([
      raw('OK'),
      raw(`[PERMANENTFLAGS (${readOnly ? '' : `${SYSTEM_FLAGS.join(' ')} \\*`})]`),
      'Flags permitted',
    ]);
    s.untagged([raw('OK'), raw(`[UIDVALIDITY ${Number(mb.uid_validity)}]`), 'UIDs valid']);
    s.untagged([raw('OK'), raw(`[UIDNEXT ${Number(mb.uid_next)}]`), 'Predicted next UID']);
    const use = specialUse(mb.role);
    s.untagged([raw('LIST'), use ? [raw(use)] : [], '/', s.encodeName(mb.name)]);
    s.selected = {
      id: mb.id,
      name: mb.name,
      readOnly,
      uidValidity: Number(mb.uid_validity),
      view,
    };
    s.state = 'selected';
    await s.finish(tag, 'OK', readOnly ? 'READ-ONLY' : 'READ-WRITE', `${args.name} completed`);
  },
};
