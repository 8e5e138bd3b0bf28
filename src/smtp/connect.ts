// Connection admission and sign-in for the SMTP doors: the per-IP connection limit
// (421 4.7.0), the block after repeated failed logins (RFC 4954 §4: 535 5.7.8 for bad
// credentials), and AUTH PLAIN / LOGIN against the accounts (submission doors only).
import type {
  SMTPServerAuthentication,
  SMTPServerAuthenticationResponse,
  SMTPServerSession,
} from 'smtp-server';
import { verifySignIn } from '../core/signin.ts';
import { errorMessage } from '../util/errors.ts';
import type { DoorName, SmtpContext } from './context.ts';
import { smtpError } from './replies.ts';

type Done = (err?: Error | null) => void;

export function onConnect(ctx: SmtpContext, door: DoorName) {
  return (session: SMTPServerSession, done: Done): void => {
    const ip = session.remoteAddress;
    if (ctx.closing) return done(smtpError(421, '4.3.2', 'Server shutting down'));
    if (door !== 'mx' && ctx.authFailures.blocked(ip))
      return done(smtpError(421, '4.7.0', 'Too many failed logins; try again later'));
    if (!ctx.connections.acquire(ip))
      return done(smtpError(421, '4.7.0', 'Too many connections from your address'));
    ctx.states.set(session, { door, ip, accountId: null, rcpts: new Map(), busy: false });
    done();
  };
}

export function onClose(ctx: SmtpContext) {
  return (session: SMTPServerSession): void => {
    const s = ctx.states.get(session);
    if (!s) return;
    ctx.states.delete(session);
    ctx.connections.release(s.ip);
  };
}

export function onAuth(ctx: SmtpContext) {
  return (
    auth: SMTPServerAuthentication,
    session: SMTPServerSession,
    done: (err: Error | null | undefined, res?: SMTPServerAuthenticationResponse) => void,
  ): void => {
    const s = ctx.states.get(session);
    if (!s) return done(smtpError(421, '4.3.0', 'No session'));
    if (ctx.authFailures.blocked(s.ip))
      return done(smtpError(421, '4.7.0', 'Too many failed logins; try again later'));
    const username = auth.username ?? '';
    const password = auth.password ?? '';
    // We do not act for others: an authorization identity must be the user itself (RFC 4616 §2).
    if (auth.authzid && auth.authzid.toLowerCase() !== username.toLowerCase())
      return done(smtpError(535, '5.7.8', 'Authentication credentials invalid'));
    verifySignIn(ctx.core, { email: username, password, door: 'smtp', ip: s.ip }).then(
      (r) => {
        if (!r.ok) {
          ctx.authFailures.fail(s.ip);
          ctx.log.info({ ip: s.ip, username }, 'smtp auth failed');
          const text = r.reason === 'invalid' ? 'Authentication credentials invalid' : r.message;
          return done(smtpError(535, '5.7.8', text));
        }
        const { account } = r;
        ctx.authFailures.succeed(s.ip);
        s.accountId = Number(account.id);
        done(null, { user: account.email });
      },
      (err: unknown) => {
        ctx.log.error({ err: errorMessage(err) }, 'smtp auth error');
        done(smtpError(454, '4.7.0', 'Temporary authentication failure'));
      },
    );
  };
}
