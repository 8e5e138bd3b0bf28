// ENABLE (RFC 5161, RFC 9051 §6.3.1): IMAP4rev2 (UTF-8 names and strings, ESEARCH replies),
// UTF8=ACCEPT (RFC 6855 §3: UTF-8 quoted strings and mailbox names, APPEND UTF8), CONDSTORE
// and QRESYNC (RFC 7162 §3.1, §3.2.3; QRESYNC implies CONDSTORE). Unknown capabilities are
// ignored as the RFC requires; ENABLED lists only what this command turned on. UTF8=ACCEPT
// is only turned on before a mailbox is selected (RFC 6855 §3: the view's names and strings
// must not change form under a client).
import { raw } from '../proto/writer.ts';
import { AUTHED, type Handler } from './types.ts';

export const enable: Handler<'ENABLE'> = {
  states: AUTHED,
  async run(s, args, tag) {
    const enabled: string[] = [];
    for (const cap of args.caps) {
      if (cap === 'IMAP4REV2' && !s.rev2) {
        s.rev2 = true;
        enabled.push('IMAP4rev2');
      } else if (cap === 'UTF8=ACCEPT' && !s.utf8Accept && !s.selected) {
        s.utf8Accept = true;
        enabled.push('UTF8=ACCEPT');
      } else if (cap === 'CONDSTORE' && !s.condstore) {
        s.condstore = true;
        enabled.push('CONDSTORE');
      } else if (cap === 'QRESYNC' && !s.qresync) {
        s.qresync = true;
        s.condstore = true;
        enabled.push('QRESYNC');
      }
    }
    s.untagged([raw('ENABLED'), ...enabled.map(raw)]);
    await s.finish(tag, 'OK', null, 'ENABLE completed');
  },
};
