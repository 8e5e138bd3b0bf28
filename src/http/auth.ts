// HTTP Basic authentication (RFC 7617) with the account's password, through core
// `authenticate()`. Failed sign-ins are counted per client address (FailureBlocker); a blocked
// address gets 429. A successful check is remembered for CACHE_MS under a keyed hash of the
// credentials, so a client sending Basic on every request does not pay Argon2id each time;
// the account is re-read on every request, so disabling it takes effect at once.
// A bearer token / session cookie for the web app comes later.
import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from '../core/core.ts';
import { authenticate, getAccountById } from '../core/accounts.ts';
import type { Account } from '../store/schema.ts';
import { FailureBlocker, type Clock } from '../util/ratelimit.ts';
import { sendProblem } from './respond.ts';

const MAX_FAILURES = 10;
const BLOCK_MS = 10 * 60_000;
const CACHE_MS = 60_000;
const CACHE_MAX = 10_000;

export type AuthResult = { account: Account } | { error: 'missing' | 'wrong' | 'blocked' };

export class BasicAuth {
  readonly #core: Core;
  readonly #failures: FailureBlocker;
  readonly #clock: Clock;
  readonly #key = randomBytes(32);
  readonly #cache = new Map<string, { accountId: number; until: number }>();
  constructor(core: Core, clock: Clock = Date.now) {
    this.#core = core;
    this.#clock = clock;
    this.#failures = new FailureBlocker(MAX_FAILURES, BLOCK_MS, clock);
  }

  async check(req: IncomingMessage): Promise<AuthResult> {
    const ip = req.socket.remoteAddress ?? '';
    if (this.#failures.blocked(ip)) return { error: 'blocked' };
    const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return { error: 'missing' };
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return { error: 'missing' };
    const user = decoded.slice(0, colon);
    const pass = decoded.slice(colon + 1);
    const key = createHmac('sha256', this.#key).update(decoded).digest('base64');
    const hit = this.#cache.get(key);
    const now = this.#clock();
    if (hit && hit.until > now) {
      const account = await getAccountById(this.#core, hit.accountId);
      if (account && !account.disabled) return { account };
      this.#cache.delete(key);
    }
    const account = await authenticate(this.#core, user, pass, { door: 'http', ip });
    if (!account) {
      this.#failures.fail(ip);
      return { error: 'wrong' };
    }
    this.#failures.succeed(ip);
    if (this.#cache.size >= CACHE_MAX)
      for (const [k, v] of this.#cache)
        if (v.until <= now || this.#cache.size >= CACHE_MAX) this.#cache.delete(k);
    this.#cache.set(key, { accountId: account.id, until: now + CACHE_MS });
    return { account };
  }
}

/**
 * The signed-in account, or null after answering 429 (blocked address) or 401 with a Basic
 * challenge (RFC 7617 §2). For every route that needs a signed-in account.
 */
export async function signedIn(
  auth: BasicAuth,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Account | null> {
  const r = await auth.check(req);
  if ('account' in r) return r.account;
  if (r.error === 'blocked')
    sendProblem(
      req,
      res,
      429,
      'about:blank',
      'too many failed sign-ins from your address; try again later',
    );
  else
    sendProblem(
      req,
      res,
      401,
      'about:blank',
      'sign in with your address and password',
      {},
      { 'WWW-Authenticate': 'Basic realm="Champa", charset="UTF-8"' },
    );
  return null;
}
