// CAPA (RFC 2449 §5). Before TLS the door offers STLS and no way to sign in; after TLS it
// offers USER and SASL PLAIN (RFC 2595 §4, RFC 8314 §3: no passwords in clear text), as it
// does in clear from loopback when configured (Session.mayLogin).
import { multiline } from '../proto/reply.ts';
import type { CommandHandler } from './index.ts';

export const capa: CommandHandler = {
  states: ['AUTHORIZATION', 'TRANSACTION'],
  async run(s) {
    const caps = ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING'];
    if (s.state === 'AUTHORIZATION') {
      if (!s.secure) caps.push('STLS');
      if (s.mayLogin) caps.push('USER', 'SASL PLAIN');
    }
    caps.push('IMPLEMENTATION Champa');
    await s.write(multiline('Capability list follows', caps));
  },
};
