// The spam verdict step of inbound mail: a pluggable function, asked after authentication
// checks and before delivery. 'spam' files the message in Junk, 'reject' refuses it with
// 550 5.7.1. The default says 'ham'; rspamd or a per-user Bayes filter plug in here.
import type { InboundAuth } from '../mail/auth.ts';

export type SpamVerdict = 'ham' | 'spam' | 'reject';

export interface SpamInput {
  raw: Buffer;
  /** MAIL FROM ('' for bounces). */
  from: string;
  rcpts: string[];
  /** SPF/DKIM/DMARC/ARC verdicts; null when the checks could not run. */
  auth: InboundAuth | null;
}

export type SpamFilter = (msg: SpamInput) => Promise<SpamVerdict>;

export const noSpamFilter: SpamFilter = () => Promise.resolve('ham');
