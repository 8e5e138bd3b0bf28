// Who is asking, on every HTTP route that needs a signed-in account. Two ways in:
// - the web app's session cookie (`champa_session`, set by POST /api/session in account.ts:
//   HttpOnly, Secure, SameSite=Strict, so other sites' pages cannot send it; a request with
//   an unsafe method must also carry no foreign Origin);
// - HTTP Basic (RFC 7617) with the account's password, for scripts and JMAP clients, through
//   core `authenticate()`, the whole sign-in on every request, so disabling, locking or a new
//   password takes effect at once; a client sending Basic on every request does not pay
//   Argon2id each time because core remembers successful checks (core/passwords.ts), the
//   same for every door;
// - an API key (core/apikeys.ts) as `Authorization: Bearer <key>` (RFC 6750 §2.1), for scripts
//   on the admin API only: routes take it when they ask with `allowApiKey`.
// Failed sign-ins are counted per client address (FailureBlocker); a blocked address gets 429.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core/core.ts';
import { authenticate } from '../core/accounts.ts';
import { sessionAccount } from '../core/sessions.ts';
import { apiKeyAccount } from '../core/apikeys.ts';
import type { Account } from '../store/schema.ts';
import { FailureBlocker, type Clock } from '../util/ratelimit.ts';
import { problem, withMessage, type Problem } from '../util/problems.ts';
import { sendCoded, sendProblem } from './respond.ts';

const MAX_FAILURES = 10;
const BLOCK_MS = 10 * 60_000;
export const SESSION_COOKIE = 'champa_session';
/** The problem type of a request refused until the user chooses a new password. */
export const PASSWORD_CHANGE_REQUIRED = 'urn:champa:error:password-change-required';

export type AuthResult =
  | { account: Account; via: 'session' | 'basic' | 'apikey'; token?: string }
  | { error: 'missing' | 'wrong' | 'blocked' | 'foreign-origin' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The value of one cookie of the request, or null. */
export function cookieOf(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/**
 * True when the request comes from another site's page: its Origin (RFC 6454 §7) names a
 * different host than the one asked. SameSite=Strict already keeps the cookie off such
 * requests in current browsers; this is the second lock for older ones.
 */
export function foreignOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin || origin === 'null') return origin === 'null';
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export class HttpAuth {
  readonly core: Core;
  readonly failures: FailureBlocker;
  readonly clock: Clock;
  constructor(core: Core, clock: Clock = Date.now) {
    this.core = core;
    this.clock = clock;
    this.failures = new FailureBlocker(MAX_FAILURES, BLOCK_MS, clock);
  }

  async check(req: IncomingMessage): Promise<AuthResult> {
    const ip = req.socket.remoteAddress ?? '';
    if (this.failures.blocked(ip)) return { error: 'blocked' };
    const token = cookieOf(req, SESSION_COOKIE);
    if (token && !req.headers.authorization) {
      if (!SAFE_METHODS.has(req.method ?? 'GET') && foreignOrigin(req))
        return { error: 'foreign-origin' };
      const account = await sessionAccount(this.core, token, this.clock());
      return account ? { account, via: 'session', token } : { error: 'missing' };
    }
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (bearer) {
      const account = await apiKeyAccount(this.core, bearer[1]!, this.clock());
      if (!account) {
        this.failures.fail(ip);
        return { error: 'wrong' };
      }
      return { account, via: 'apikey' };
    }
    return this.#basic(req, ip);
  }

  async #basic(req: IncomingMessage, ip: string): Promise<AuthResult> {
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return { error: 'missing' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: 'missing' };
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    const account = await authenticate(this.core, user, pass, { door: 'http', ip });
    if (!account) {
      this.failures.fail(ip);
      return { error: 'wrong' };
    }
    this.failures.succeed(ip);
    return { account, via: 'basic' };
  }
}

/**
 * Answers a failed check: 429, 403, or 401 (with a Basic challenge unless the web app asks),
 * each with its problem code (util/problems.ts) for the web app to word.
 */
export function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  error: 'missing' | 'wrong' | 'blocked' | 'foreign-origin',
): void {
  const answer = (status: number, p: Problem, headers: Record<string, string> = {}): void =>
    sendCoded(req, res, status, p, headers);
  if (error === 'blocked') answer(429, problem('signInBlocked'));
  else if (error === 'foreign-origin') answer(403, problem('foreignOrigin'));
  else if (/^Bearer\s/i.test(req.headers.authorization ?? ''))
    answer(
      401,
      error === 'wrong'
        ? problem('apiKeyInvalid')
        : withMessage(problem('signInRequired'), 'sign in'),
      { 'WWW-Authenticate': 'Bearer realm="Champa", error="invalid_token"' },
    );
  else if (cookieOf(req, SESSION_COOKIE) !== null || req.headers['x-requested-with'])
    // The web app: no challenge, or the browser would show its own password dialog.
    answer(401, problem('sessionEnded'));
  else
    answer(401, problem('signInRequired'), {
      'WWW-Authenticate': 'Basic realm="Champa", charset="UTF-8"',
    });
}

/**
 * The signed-in account, or null after answering. For every route that needs one. A web
 * session whose password must be changed first is refused (403) everywhere but the
 * routes that change it (account.ts asks with `allowPasswordChange`).
 */
export async function signedIn(
  auth: HttpAuth,
  req: IncomingMessage,
  res: ServerResponse,
  opts: { allowPasswordChange?: boolean; allowApiKey?: boolean } = {},
): Promise<Account | null> {
  const r = await auth.check(req);
  if ('error' in r) {
    refuse(req, res, r.error);
    return null;
  }
  if (r.via === 'apikey' && !opts.allowApiKey) {
    sendProblem(req, res, 403, 'about:blank', 'API keys are for the admin API (/api/admin) only');
    return null;
  }
  if (r.via === 'session' && r.account.must_change_password && !opts.allowPasswordChange) {
    sendProblem(req, res, 403, PASSWORD_CHANGE_REQUIRED, 'choose a new password first');
    return null;
  }
  return r.account;
}
