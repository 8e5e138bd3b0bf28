// Thread/changes (RFC 8621 §3.2 → RFC 8620 §5.2), from the shared change log: a thread is
// created by its first email, updated when an email joins or leaves it, destroyed with its
// last email, whichever door did it (core/deliver.ts, copy.ts, expunge.ts). Its states are
// those of Thread/get (the account's modseq).
import { CAP_MAIL } from '../limits.ts';
import { changesMethod } from '../changes.ts';
import type { Method } from '../context.ts';

export const threadChanges: Method = {
  capability: CAP_MAIL,
  run: (ctx, args) => changesMethod(ctx, args, 'Thread'),
};
