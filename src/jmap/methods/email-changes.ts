// Email/changes (RFC 8621 §4.3 → RFC 8620 §5.2), from the shared change log: a keyword set
// by IMAP STORE shows here as it does in IMAP CONDSTORE.
import { CAP_MAIL } from '../limits.ts';
import { changesMethod } from '../changes.ts';
import type { Method } from '../context.ts';

export const emailChanges: Method = {
  capability: CAP_MAIL,
  run: (ctx, args) => changesMethod(ctx, args, 'Email'),
};
