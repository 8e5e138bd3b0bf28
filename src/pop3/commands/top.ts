// TOP msg n (RFC 1939 §7): the header, the blank line and the first n lines of the body.
import { parseNumber, splitArgs } from '../proto/command.ts';
import { messageBody, ok } from '../proto/reply.ts';
import { maildropOf, messageArg } from './common.ts';
import type { CommandHandler } from './index.ts';

export const top: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s, rest) {
    const args = splitArgs(rest);
    if (args.length !== 2) return s.err('TOP takes a message number and a line count');
    const lines = parseNumber(args[1]);
    if (lines === null) return s.err('the line count must be a number of 0 or more');
    const e = await messageArg(s, args[0]);
    if (!e) return;
    const raw = await maildropOf(s).read(e);
    if (!raw) return s.err(`message ${e.n} is no longer in the mailbox`);
    await s.write(
      Buffer.concat([Buffer.from(ok('top of message follows')), messageBody(raw, lines)]),
    );
  },
};
