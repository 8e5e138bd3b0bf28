// STLS (RFC 2595 §4): TLS on the plain-text port, in the AUTHORIZATION state only.
import type { CommandHandler } from './index.ts';

export const stls: CommandHandler = {
  states: ['AUTHORIZATION'],
  async run(s, rest) {
    if (rest !== '') return s.err('STLS takes no arguments');
    if (s.secure) return s.err('TLS is already active');
    await s.ok('Begin TLS negotiation');
    await s.startTls();
  },
};
