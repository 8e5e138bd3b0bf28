// PASS (RFC 1939 §7): signs in the user named by USER. The whole rest of the line is the
// password, spaces included (RFC 1939 §7 allows this). Refused before TLS.
import { login, refusedWithoutTls } from '../login.ts';
import type { CommandHandler } from './index.ts';

export const pass: CommandHandler = {
  states: ['AUTHORIZATION'],
  async run(s, rest) {
    if (await refusedWithoutTls(s)) return;
    const name = s.user;
    s.user = null;
    if (name === null) return s.err('give USER first');
    if (rest === '') return s.err('PASS takes one argument');
    await login(s, name, rest);
  },
};
