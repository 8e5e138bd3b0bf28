// DELE msg (RFC 1939 §5): marks a message deleted; it goes from the INBOX only at QUIT.
import { splitArgs } from '../proto/command.ts';
import { messageArg } from './common.ts';
import type { CommandHandler } from './index.ts';

export const dele: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s, rest) {
    const args = splitArgs(rest);
    if (args.length !== 1) return s.err('DELE takes one argument');
    const e = await messageArg(s, args[0]);
    if (!e) return;
    e.deleted = true;
    await s.ok(`message ${e.n} deleted`);
  },
};
