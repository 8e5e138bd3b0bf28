// RETR msg (RFC 1939 §5): the whole message, byte-stuffed, CRLF line ends. A message that
// left the INBOX since login (IMAP EXPUNGE, another session's QUIT) answers -ERR.
import { splitArgs } from '../proto/command.ts';
import { messageBody, ok } from '../proto/reply.ts';
import { maildropOf, messageArg } from './common.ts';
import type { CommandHandler } from './index.ts';

export const retr: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s, rest) {
    const args = splitArgs(rest);
    if (args.length !== 1) return s.err('RETR takes one argument');
    const e = await messageArg(s, args[0]);
    if (!e) return;
    const raw = await maildropOf(s).read(e);
    if (!raw) return s.err(`message ${e.n} is no longer in the mailbox`);
    await s.write(Buffer.concat([Buffer.from(ok(`${e.size} octets`)), messageBody(raw)]));
  },
};
