// NOOP (RFC 1939 §5).
import type { CommandHandler } from './index.ts';

export const noop: CommandHandler = {
  states: ['TRANSACTION'],
  async run(s) {
    await s.ok();
  },
};
