// What every POP3 session shares: the core, the TLS context for STLS, the limiters, the
// limits, and the set of open sessions (for shutdown). Invariant: a session holds its slot
// in the per-IP connection limiter from its admission until its socket closes.
import type { SecureContext } from 'node:tls';
import type { Core } from '../core/core.ts';
import type { Logger } from '../util/log.ts';
import type { ConcurrencyLimiter, FailureBlocker } from '../util/ratelimit.ts';

export interface Pop3Limits {
  /** Longest command line in octets, CRLF included (RFC 2449 §4: 255). */
  commandBytes: number;
  /** Longest SASL response line (RFC 5034 §4: the 255-octet limit does not apply). */
  saslBytes: number;
  /** Inactivity before the connection is closed (RFC 1939 §3: at least 10 minutes). */
  idleMs: number;
  /** Bad commands (unknown, malformed, too long) before the server hangs up. */
  badCommands: number;
  /** Lines a pipelining client may have waiting before reading pauses. */
  pipelineDepth: number;
}

export const DEFAULT_LIMITS: Pop3Limits = {
  commandBytes: 255,
  saslBytes: 8192,
  idleMs: 10 * 60_000,
  badCommands: 10,
  pipelineDepth: 100,
};

export interface Pop3Context {
  core: Core;
  log: Logger;
  secureContext: SecureContext;
  limits: Pop3Limits;
  connections: ConcurrencyLimiter;
  authFailures: FailureBlocker;
  closing: boolean;
}
