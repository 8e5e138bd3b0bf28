// RENAME (RFC 9051 §6.3.6): children move along; renaming INBOX moves its messages into a new
// mailbox and leaves INBOX empty.
import { renameMailbox } from '../../core/mailboxset.ts';
import { AUTHED, type Handler } from './types.ts';

export const rename: Handler<'RENAME'> = {
  states: AUTHED,
  async run(s, args, tag) {
    await renameMailbox(s.core, s.account!.id, s.decodeName(args.from), s.decodeName(args.to));
    await s.finish(tag, 'OK', null, 'RENAME completed');
  },
};
