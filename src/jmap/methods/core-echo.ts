// Core/echo (RFC 8620 §4): returns its arguments unchanged.
import { CAP_CORE } from '../limits.ts';
import type { Method } from '../context.ts';

export const coreEcho: Method = {
  capability: CAP_CORE,
  run: async (_ctx, args) => args,
};
