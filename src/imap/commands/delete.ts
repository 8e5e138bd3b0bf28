// DELETE (RFC 9051 §6.3.5): INBOX cannot go; a mailbox with children is refused (we keep no
// \Noselect placeholders). Its messages leave with it.
import { deleteMailbox } from '../../core/mailboxset.ts';
import { AUTHED, type Handler } from './types.ts';

export const del: Handler<'DELETE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const name = s.decodeName(args.mailbox);
    if (s.selected && s.selected.name === name) {
      await s.finish(tag, 'NO', 'INUSE', 'Close the mailbox before deleting it');
      return;
    }
    await deleteMailbox(s.core, s.account!.id, name);
    await s.finish(tag, 'OK', null, 'DELETE completed');
  },
};
