// What every IMAP session of one server shares: the core, limits, rate limiters, the TLS
// context for STARTTLS, and the set of live sessions (for shutdown).
import type { SecureContext } from 'node:tls';
import type { Core } from '../core/core.ts';
import type { Logger } from '../util/log.ts';
import type { ConcurrencyLimiter, FailureBlocker } from '../util/ratelimit.ts';

export interface ImapLimits {
  /** Longest command line, octets (RFC 9051 §4 suggests at least 8192). */
  maxLine: number;
  /** Largest literal outside APPEND (names, search strings, passwords). */
  maxLiteral: number;
  /** Largest APPEND message (the SMTP message size limit). */
  maxMessage: number;
  /** Inactivity before autologout once authenticated (RFC 9051 §5.4: at least 30 min). */
  idleTimeoutMs: number;
  /** Inactivity allowed before login. */
  preAuthTimeoutMs: number;
}

export interface ImapContext {
  core: Core;
  log: Logger;
  limits: ImapLimits;
  hostname: string;
  secureContext: SecureContext;
  connections: ConcurrencyLimiter;
  /** Signed-in sessions per account id (issue: one account, many devices, not a hundred). */
  accountSessions: ConcurrencyLimiter;
  authFailures: FailureBlocker;
}
