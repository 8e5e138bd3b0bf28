// What every SMTP handler shares: the core, the limiters, the resolver and spam filter, and
// the state of each connection (kept beside smtp-server's session object, which smtp-server
// reuses for the whole connection). Invariant: a connection's state exists from an accepted
// onConnect until onClose, and its slot in the per-IP connection limiter is held exactly as
// long.
import type { SMTPServerSession } from 'smtp-server';
import type { Core } from '../core/core.ts';
import type { DnsResolver } from '../mail/dns.ts';
import type { Logger } from '../util/log.ts';
import type { ConcurrencyLimiter, FailureBlocker, WindowLimiter } from '../util/ratelimit.ts';
import type { SpamFilter } from './spam.ts';

/** The three doors: MX (25), submission with STARTTLS (587), submission over TLS (465). */
export type DoorName = 'mx' | 'submission' | 'submissions';

export interface Recipient {
  address: string;
  /** The local account receiving it, or null for a remote (relayed) recipient. */
  accountId: number | null;
  notify: string | null;
  orcpt: string | null;
}

export interface ConnState {
  door: DoorName;
  ip: string;
  /** The signed-in account (submission only). */
  accountId: number | null;
  /** Accepted recipients of the current transaction, by lower-case address. */
  rcpts: Map<string, Recipient>;
  /** True while onData runs: close() lets it finish. */
  busy: boolean;
}

export interface SmtpContext {
  core: Core;
  log: Logger;
  resolver: DnsResolver;
  spamFilter: SpamFilter;
  connections: ConcurrencyLimiter;
  messages: WindowLimiter;
  authFailures: FailureBlocker;
  states: WeakMap<SMTPServerSession, ConnState>;
  closing: boolean;
  /** Called when a transaction ends while closing, so its connection can go. */
  onIdle(session: SMTPServerSession): void;
}

export function stateOf(ctx: SmtpContext, session: SMTPServerSession): ConnState {
  const s = ctx.states.get(session);
  if (!s) throw new Error('SMTP session without state');
  return s;
}
