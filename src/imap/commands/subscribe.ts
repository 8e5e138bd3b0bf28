// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 §6.3.7, §6.3.8) on existing mailboxes.
import { setSubscribed } from '../../core/mailboxset.ts';
import { AUTHED, type Handler } from './types.ts';

export const subscribe: Handler<'SUBSCRIBE' | 'UNSUBSCRIBE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const on = args.name === 'SUBSCRIBE';
    await setSubscribed(s.core, s.account!.id, s.decodeName(args.mailbox), on);
    await s.finish(tag, 'OK', null, `${args.name} completed`);
  },
};
