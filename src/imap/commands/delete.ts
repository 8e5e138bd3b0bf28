// DELETE (RFC 9051 §6.3.5): INBOX cannot go; a mailbox with children is refused (we keep no
// \Noselect placeholders). Its messages leave with it.
import { deleteMailbox } from '../../core/mailboxset.ts';
import { UserError } from '../../util/errors.ts';
import { permit, resolveMailbox, splitShared } from '../access.ts';
import { AUTHED, type Handler } from './types.ts';

export const del: Handler<'DELETE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const name = s.decodeName(args.mailbox);
    if (s.selected && s.selected.name === name) {
      await s.finish(tag, 'NO', 'INUSE', 'Close the mailbox before deleting it');
      return;
    }
    if (splitShared(name)) {
      const ref = await resolveMailbox(s, name);
      if (!ref) throw new UserError('not_found', 'No such mailbox');
      if (!(await permit(s, tag, ref, 'x'))) return; // RFC 4314 §4: DELETE needs x
      await deleteMailbox(s.core, ref.accountId, ref.mailbox.name);
    } else await deleteMailbox(s.core, s.account!.id, name);
    await s.finish(tag, 'OK', null, 'DELETE completed');
  },
};
