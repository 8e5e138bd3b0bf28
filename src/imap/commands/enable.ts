// ENABLE (RFC 5161, RFC 9051 §6.3.1). Only IMAP4rev2 can be enabled so far (UTF-8 names and
// strings, ESEARCH results); unknown capabilities are ignored as the RFC requires.
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
      }
    }
    s.untagged([raw('ENABLED'), ...enabled.map(raw)]);
    await s.finish(tag, 'OK', null, 'ENABLE completed');
  },
};
