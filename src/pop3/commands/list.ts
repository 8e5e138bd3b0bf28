// LIST [msg] (RFC 1939 §5): "number size" per message; the size is the exact octet count
// RETR sends before byte-stuffing (messages are stored with CRLF line ends).
import { splitArgs } from '../proto/command.ts';
import { multiline } from '../proto/reply.ts';
import { maildropOf, messageArg } from './common.ts';
import type { CommandHandler } from './index.ts';

export const list: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s, rest) {
    const args = splitArgs(rest);
    if (args.length > 1) return s.err('LIST takes at most one argument');
    if (args.length === 1) {
      const e = await messageArg(s, args[0]);
      if (e) await s.ok(`${e.n} ${e.size}`);
      return;
    }
    const drop = maildropOf(s);
    const { count, octets } = drop.stat();
    const lines = drop.live().map((e) => `${e.n} ${e.size}`);
    await s.write(multiline(`${count} messages (${octets} octets)`, lines));
  },
};
