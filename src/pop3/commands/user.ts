// USER (RFC 1939 §7): names the mailbox for the PASS that follows. Refused before TLS.
// Any name is accepted here, so USER never tells which addresses exist.
import { refusedWithoutTls } from '../login.ts';
import type { CommandHandler } from './index.ts';

export const user: CommandHandler = {
  states: ['AUTHORIZATION'],
  async run(s, rest) {
    if (await refusedWithoutTls(s)) return;
    const name = rest.trim();
    if (name === '' || name.includes(' ')) return s.err('USER takes one argument');
    s.user = name;
    await s.ok('send your password');
  },
};
