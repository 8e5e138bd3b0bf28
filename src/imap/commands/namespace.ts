// NAMESPACE (RFC 2342, RFC 9051 §6.3.10): one personal namespace, "/" as separator; shared
// and other users' namespaces come with ACL.
import { raw } from '../proto/writer.ts';
import { AUTHED, type Handler } from './types.ts';

export const namespace: Handler<'NAMESPACE'> = {
  states: AUTHED,
  async run(s, _args, tag) {
    s.untagged([raw('NAMESPACE'), [['', '/']], null, null]);
    await s.finish(tag, 'OK', null, 'NAMESPACE completed');
  },
};
