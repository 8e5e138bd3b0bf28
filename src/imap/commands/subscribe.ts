// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8) on existing mailboxes.
import { setSubscribed } from '../../core/mailboxset.ts';
import { UserError } from '../../util/errors.ts';
import { resolveMailbox, splitShared } from '../access.ts';
import { AUTHED, type Handler } from './types.ts';

export const subscribe: Handler<'SUBSCRIBE' | 'UNSUBSCRIBE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const on = args.name === 'SUBSCRIBE';
    const name = s.decodeName(args.mailbox);
    if (splitShared(name)) {
      // Shared mailboxes are always listed as subscribed (list.ts): nothing to keep.
      if (!(await resolveMailbox(s, name))) throw new UserError('not_found', 'No such mailbox');
      await s.finish(tag, 'OK', null, `${args.name} completed`);
      return;
    }
    await setSubscribed(s.core, s.account!.id, s.decodeName(args.mailbox), on);
    await s.finish(tag, 'OK', null, `${args.name} completed`);
  },
};
