// LOGIN (RFC 9051 §6.2.3) and the sign-in shared with AUTHENTICATE: only over TLS (or from
// loopback when configured, core/cleartext.ts), failures
// counted per client address (FailureBlocker), the same answer for an unknown address, a
// wrong password and a disabled account.
import { verifySignIn } from '../../core/signin.ts';
import type { Session } from '../session.ts';
import { capabilityCode } from './capability.ts';
import type { Handler } from './types.ts';

export async function signIn(
  s: Session,
  tag: string,
  user: string,
  password: string,
): Promise<void> {
  if (s.ctx.authFailures.blocked(s.ip)) {
    await s.finish(tag, 'NO', 'UNAVAILABLE', 'Too many failed logins; try again later');
    return;
  }
  const r = await verifySignIn(s.core, { email: user, password, door: 'imap', ip: s.ip });
  if (!r.ok) {
    s.ctx.authFailures.fail(s.ip);
    const known = r.reason !== 'invalid'; // a right password: say what to do (RFC 9051 §7.1 ALERT)
    await s.finish(
      tag,
      'NO',
      known ? 'ALERT' : 'AUTHENTICATIONFAILED',
      known ? r.message : 'Authentication failed',
    );
    return;
  }
  const { account } = r;
  s.ctx.authFailures.succeed(s.ip);
  // RFC 5530 [LIMIT]: too many sessions of this account; the slot is freed when one closes.
  const slot = String(account.id);
  if (!s.ctx.accountSessions.acquire(slot)) {
    await s.finish(tag, 'NO', 'LIMIT', 'Too many connections for this account');
    return;
  }
  s.onClose(() => s.ctx.accountSessions.release(slot));
  s.account = { id: Number(account.id), email: account.email };
  s.state = 'auth';
  s.touch();
  s.ctx.log.debug({ account: account.email, ip: s.ip }, 'imap login');
  await s.finish(tag, 'OK', capabilityCode(s), 'Logged in');
}

export const login: Handler<'LOGIN'> = {
  states: ['notauth'],
  async run(s, args, tag) {
    if (!s.mayLogin) {
      await s.finish(tag, 'NO', 'PRIVACYREQUIRED', 'Use STARTTLS first');
      return;
    }
    await signIn(s, tag, args.user, args.password);
  },
};
