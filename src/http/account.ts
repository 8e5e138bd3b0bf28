// The web app's account routes over HTTPS:
//   POST   /api/session              sign in {email, password, code?} → Me + session cookie
//   GET    /api/session              who is signed in → Me
//   DELETE /api/session              sign out (the session is revoked, the cookie cleared)
//   POST   /api/account/password     {current, password}: the user's own change (also the
//                                    forced change at first sign-in)
//   GET    /api/account/sessions     the account's sessions; DELETE …/sessions/{id} revokes one
//   GET|POST|DELETE /api/account/totp, POST /api/account/totp/confirm: two-step sign-in
//   GET|POST /api/account/app-passwords, DELETE …/app-passwords/{id}
// Sign-in goes through core verifySignIn (lockout, policy, TOTP, audit of every failure) and
// the per-address failure counter shared with HTTP Basic. Refusals carry `reason` so the app
// can ask for the code or the new password in the user's language.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AppPasswordLabel,
  PasswordChange,
  PasswordConfirm,
  SignIn,
  TotpCode,
  type Me,
  type SessionView,
  type SignInRefusal,
} from '../api/account.ts';
import { changeOwnPassword } from '../core/accounts.ts';
import { createAppPassword, listAppPasswords, revokeAppPassword } from '../core/apppasswords.ts';
import type { Core } from '../core/core.ts';
import { verifyPassword } from '../core/passwords.ts';
import { grantsOf } from '../core/roles.ts';
import {
  createSession,
  listSessions,
  revokeAllSessions,
  revokeSession,
  sessionIdOf,
} from '../core/sessions.ts';
import { verifySignIn } from '../core/signin.ts';
import { beginTotp, confirmTotp, disableTotp, totpEnabled } from '../core/totp.ts';
import type { Account } from '../store/schema.ts';
import { UserError } from '../util/errors.ts';
import { cookieOf, foreignOrigin, SESSION_COOKIE, signedIn, type HttpAuth } from './auth.ts';
import { answerInputError, parse, readJson } from './input.ts';
import { sendJson, sendProblem } from './respond.ts';

const SESSION_MAX_AGE_S = 14 * 24 * 60 * 60;

export interface AccountRoutes {
  handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean>;
}

function sessionCookie(token: string, maxAge: number): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${maxAge}`;
}

const noContent = (res: ServerResponse, headers: Record<string, string> = {}): void => {
  for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
  res.statusCode = 204;
  res.end();
};

export async function meOf(core: Core, a: Account): Promise<Me> {
  return {
    email: a.email,
    name: a.name,
    unit: a.unit_path,
    mustChangePassword: a.must_change_password === 1,
    totp: await totpEnabled(core, a.id),
    roles: (await grantsOf(core, a)).map((g) => ({ role: g.role, unit: g.unitPath })),
  };
}

const fieldOf = (code: string): string | null => (code === 'weak_password' ? 'password' : null);

export function accountRoutes(core: Core, auth: HttpAuth): AccountRoutes {
  const refuseSignIn = (
    req: IncomingMessage,
    res: ServerResponse,
    reason: SignInRefusal,
    detail: string,
  ): void => {
    sendProblem(req, res, reason === 'blocked' ? 429 : 401, 'about:blank', detail, { reason });
  };

  const signInRoute = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const ip = req.socket.remoteAddress ?? '';
    if (foreignOrigin(req)) {
      sendProblem(req, res, 403, 'about:blank', 'request from another site refused');
      return;
    }
    if (auth.failures.blocked(ip)) {
      refuseSignIn(req, res, 'blocked', 'too many failed sign-ins from your address; try later');
      return;
    }
    const body = parse(SignIn, await readJson(req));
    const r = await verifySignIn(core, {
      email: body.email.trim(),
      password: body.password,
      code: body.code,
      door: 'web',
      ip,
      now: auth.clock(),
    });
    if (!r.ok) {
      // Asking for the code is not a failure; a wrong code or password is.
      if (r.reason !== 'totp_required') auth.failures.fail(ip);
      refuseSignIn(req, res, r.reason, r.message);
      return;
    }
    auth.failures.succeed(ip);
    const ua = req.headers['user-agent'];
    const s = await createSession(core, r.account.id, { ip, userAgent: ua }, auth.clock());
    sendJson(req, res, 200, await meOf(core, r.account), {
      'Set-Cookie': sessionCookie(s.token, SESSION_MAX_AGE_S),
      'Cache-Control': 'no-store',
    });
  };

  const route = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    a: Account,
  ): Promise<boolean> => {
    const m = req.method;
    const token = cookieOf(req, SESSION_COOKIE);
    if (path === '/api/session' && m === 'GET') sendJson(req, res, 200, await meOf(core, a));
    else if (path === '/api/session' && m === 'DELETE') {
      if (token) await revokeSession(core, a.id, sessionIdOf(token) ?? '');
      noContent(res, { 'Set-Cookie': sessionCookie('', 0) });
    } else if (path === '/api/account/password' && m === 'POST') {
      const p = parse(PasswordChange, await readJson(req));
      await changeOwnPassword(core, a.id, p.current, p.password);
      // Every other session of the account ends with the old password.
      await revokeAllSessions(core, a.id, token ?? undefined);
      noContent(res);
    } else if (a.must_change_password) {
      return false;
    } else if (path === '/api/account/sessions' && m === 'GET') {
      const mine = token ? sessionIdOf(token) : null;
      const list: SessionView[] = (await listSessions(core, a.id)).map((s) => ({
        ...s,
        current: s.id === mine,
      }));
      sendJson(req, res, 200, list);
    } else if (path.startsWith('/api/account/sessions/') && m === 'DELETE') {
      const id = path.slice('/api/account/sessions/'.length);
      if (!(await revokeSession(core, a.id, id)))
        throw new UserError('not_found', 'no such session');
      noContent(res);
    } else if (path === '/api/account/totp' && m === 'GET')
      sendJson(req, res, 200, { enabled: await totpEnabled(core, a.id) });
    else if (path === '/api/account/totp' && m === 'POST')
      sendJson(req, res, 200, await beginTotp(core, a.id, auth.clock()));
    else if (path === '/api/account/totp/confirm' && m === 'POST') {
      const { code } = parse(TotpCode, await readJson(req));
      sendJson(req, res, 200, { recoveryCodes: await confirmTotp(core, a.id, code, auth.clock()) });
    } else if (path === '/api/account/totp' && m === 'DELETE') {
      const { password } = parse(PasswordConfirm, await readJson(req));
      if (!(await verifyPassword(password, a.password_hash)))
        throw new UserError('invalid', 'the password is not right');
      await disableTotp(core, a.id);
      noContent(res);
    } else if (path === '/api/account/app-passwords' && m === 'GET')
      sendJson(req, res, 200, await listAppPasswords(core, a.id));
    else if (path === '/api/account/app-passwords' && m === 'POST') {
      const { label } = parse(AppPasswordLabel, await readJson(req));
      sendJson(req, res, 201, await createAppPassword(core, a.id, label, auth.clock()));
    } else if (path.startsWith('/api/account/app-passwords/') && m === 'DELETE') {
      const id = path.slice('/api/account/app-passwords/'.length);
      if (!(await revokeAppPassword(core, a.id, id)))
        throw new UserError('not_found', 'no such app password');
      noContent(res);
    } else return false;
    return true;
  };

  return {
    async handle(req, res, url) {
      const path = url.pathname;
      if (path !== '/api/session' && !path.startsWith('/api/account/')) return false;
      try {
        if (path === '/api/session' && req.method === 'POST') {
          await signInRoute(req, res);
          return true;
        }
        const a = await signedIn(auth, req, res, { allowPasswordChange: true });
        if (!a) return true;
        if (!(await route(req, res, path, a))) {
          if (a.must_change_password)
            sendProblem(req, res, 403, 'about:blank', 'choose a new password first');
          else sendProblem(req, res, 404, 'about:blank', `no ${req.method} ${path}`);
        }
      } catch (err) {
        if (!answerInputError(req, res, err, fieldOf)) throw err;
      }
      return true;
    },
  };
}
