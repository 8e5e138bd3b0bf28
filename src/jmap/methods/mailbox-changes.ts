// Mailbox/changes (RFC 8621 §2.2 → RFC 8620 §5.2), from the shared change log.
import { CAP_MAIL } from '../limits.ts';
import { changesMethod } from '../changes.ts';
import type { Method } from '../context.ts';

export const mailboxChanges: Method = {
  capability: CAP_MAIL,
  run: (ctx, args) => changesMethod(ctx, args, 'Mailbox'),
};
