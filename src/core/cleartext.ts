// Whether a connection may sign in before TLS: the one rule for IMAP (port 143) and POP3
// (port 110). Passwords travel only over TLS (RFC 8314 §3, RFC 2595 §2.2), except, when
// `security.allowPlaintextOnLoopback` is on, from a loopback address, where the bytes never
// leave the host (local scripts, webmail on the same machine). SMTP submission does not ask:
// it stays TLS-only.
import { isLoopback } from '../util/net.ts';
import type { Core } from './core.ts';

/** True when a client at `ip` may send a password on a connection that is not encrypted. */
export function plaintextSignInAllowed(core: Core, ip: string): boolean {
  return core.config.security.allowPlaintextOnLoopback && isLoopback(ip);
}
