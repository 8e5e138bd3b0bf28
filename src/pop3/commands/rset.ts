// RSET (RFC 1939 §5): unmarks every message marked deleted in this session.
import { maildropOf } from './common.ts';
import type { CommandHandler } from './index.ts';

export const rset: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s) {
    const drop = maildropOf(s);
    drop.reset();
    const { count, octets } = drop.stat();
    await s.ok(`maildrop has ${count} messages (${octets} octets)`);
  },
};
