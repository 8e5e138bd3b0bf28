// STAT (RFC 1939 §5): "+OK count octets" over the messages not marked deleted.
import { maildropOf } from './common.ts';
import type { CommandHandler } from './index.ts';

export const stat: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s, rest) {
    if (rest !== '') return s.err('STAT takes no arguments');
    const { count, octets } = maildropOf(s).stat();
    await s.ok(`${count} ${octets}`);
  },
};
