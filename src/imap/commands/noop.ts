// NOOP and CHECK (RFC 9051 §6.1.2; CHECK is NOOP in IMAP4rev2): report mailbox changes.
import { ANY, type Handler } from './types.ts';

export const noop: Handler<'NOOP' | 'CHECK'> = {
  states: ANY,
  async run(s, args, tag) {
    await s.finish(tag, 'OK', null, `${args.name} completed`);
  },
};
