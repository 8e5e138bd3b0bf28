// RENAME (RFC 9051 §6.3.6): children move along; renaming INBOX moves its messages into a new
// mailbox and leaves INBOX empty.
import { renameMailbox } from '../../core/mailboxset.ts';
import { splitShared } from '../access.ts';
import { AUTHED, type Handler } from './types.ts';

export const rename: Handler<'RENAME'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const from = s.decodeName(args.from);
    const to = s.decodeName(args.to);
    if (splitShared(from) || splitShared(to)) {
      await s.finish(tag, 'NO', 'CANNOT', 'Shared mailboxes are renamed by their owner');
      return;
    }
    await renameMailbox(s.core, s.account!.id, from, to);
    await s.finish(tag, 'OK', null, 'RENAME completed');
  },
};
