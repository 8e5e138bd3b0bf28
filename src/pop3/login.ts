// Signing in, shared by PASS and AUTH PLAIN: no password before TLS (RFC 2595 §2.2,
// RFC 8314 §3; loopback excepted when configured, core/cleartext.ts), repeated failures from one address block it for a while, and a success opens
// the maildrop (the INBOX snapshot) and enters the TRANSACTION state (RFC 1939 §5).
// Wrong password, unknown user and disabled account get the same answer.
import { verifySignIn } from '../core/signin.ts';
import { Maildrop } from './maildrop.ts';
import type { Session } from './session.ts';

/** Answers -ERR [AUTH] and returns true when a password may not be sent yet (Session.mayLogin). */
export async function refusedWithoutTls(s: Session): Promise<boolean> {
  if (s.mayLogin) return false;
  await s.err('plain-text sign-in is not allowed; use STLS first, or port 995', 'AUTH');
  return true;
}

export async function login(s: Session, user: string, password: string): Promise<void> {
  const { ctx } = s;
  if (ctx.authFailures.blocked(s.ip))
    return s.err('too many failed sign-ins from your address; try again later', 'SYS/TEMP');
  const r = await verifySignIn(ctx.core, { email: user, password, door: 'pop3', ip: s.ip });
  if (!r.ok) {
    ctx.authFailures.fail(s.ip);
    ctx.log.info({ ip: s.ip, user }, 'pop3 sign-in failed');
    return s.err(r.reason === 'invalid' ? 'invalid user name or password' : r.message, 'AUTH');
  }
  const { account } = r;
  ctx.authFailures.succeed(s.ip);
  const drop = await Maildrop.open(ctx.core, Number(account.id));
  if (!drop) return s.err('this account has no INBOX', 'SYS/PERM');
  s.maildrop = drop;
  s.account = account.email;
  s.state = 'TRANSACTION';
  const { count, octets } = drop.stat();
  ctx.log.info({ ip: s.ip, user: account.email, count }, 'pop3 sign-in');
  await s.ok(`${account.email} has ${count} messages (${octets} octets)`);
}
