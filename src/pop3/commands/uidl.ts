// UIDL [msg] (RFC 1939 §7): the unique id of each message is its email id (the JMAP id and
// IMAP OBJECTID), printable ASCII of 13 characters, the same in every session.
import { splitArgs } from '../proto/command.ts';
import { multiline } from '../proto/reply.ts';
import { maildropOf, messageArg } from './common.ts';
import type { CommandHandler } from './index.ts';

export const uidl: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s, rest) {
    const args = splitArgs(rest);
    if (args.length > 1) return s.err('UIDL takes at most one argument');
    if (args.length === 1) {
      const e = await messageArg(s, args[0]);
      if (e) await s.ok(`${e.n} ${e.emailId}`);
      return;
    }
    const lines = maildropOf(s)
      .live()
      .map((e) => `${e.n} ${e.emailId}`);
    await s.write(multiline('unique ids follow', lines));
  },
};
