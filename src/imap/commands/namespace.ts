// NAMESPACE (RFC 2342, RFC 9051 §6.3.10): the personal namespace "" and the other users'
// namespace "Other Users/" (mailboxes shared through ACL, access.ts), "/" as separator; no
// shared namespace.
import { OTHER_USERS } from '../access.ts';
import { raw } from '../proto/writer.ts';
import { AUTHED, type Handler } from './types.ts';

export const namespace: Handler<'NAMESPACE'> = {
  states: AUTHED,
  async run(s, _args, tag) {
    s.untagged([raw('NAMESPACE'), [['', '/']], [[OTHER_USERS + '/', '/']], null]);
    await s.finish(tag, 'OK', null, 'NAMESPACE completed');
  },
};
