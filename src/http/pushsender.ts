// Posting to push subscriptions (RFC 8620 §7.2): the PushVerification of a new subscription,
// and a StateChange (§7.1) for each change of its account to every verified, unexpired
// subscription whose types match. JSON over HTTPS with TTL (RFC 8030 §5.2); when the
// subscription has keys, the JSON is encrypted (RFC 8291, aes128gcm, jmap/webpush.ts). Every
// post carries the server's VAPID signature (RFC 8292, RFC 9749; jmap/vapid.ts).
//
// A push URL is chosen by a user, so every post is guarded against server-side request
// forgery: the URL must be https without userinfo; its host is resolved here, and the post is
// refused (and logged, with the host but not the path, which may hold a secret) when ANY of the
// addresses is not public (util/publicaddress.ts) — unless `jmap.pushAllowPrivateAddresses` is
// on. The connection then goes to the addresses checked and no other: they are handed to the
// socket through the `lookup` option, so a DNS answer that changes between the check and the
// connection (DNS rebinding) cannot move it. Redirects are not followed, the response body is
// discarded, every attempt has a deadline, and a failure worth retrying (network, 408, 429,
// 5xx) is tried again after each of `retryDelaysMs`; then it is logged and dropped (the client
// catches up with /changes). One subscription has one post in flight at a time; StateChanges
// that wait behind it are merged into one. Certificates are verified; `trustPushCa` lets tests
// trust their own.
import { request, type RequestOptions } from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import { lookup as systemLookup } from 'node:dns/promises';
import type { Core } from '../core/core.ts';
import { deletePushSubscription, listPushSubscriptions } from '../core/pushsubs.ts';
import { makeResolver, type DnsResolver } from '../mail/dns.ts';
import { accountIdOf, type PushPost, type PushTarget } from '../jmap/context.ts';
import { stateChange } from '../jmap/push.ts';
import { vapidAuthorization, vapidKey } from '../jmap/vapid.ts';
import { encryptPush } from '../jmap/webpush.ts';
import { errorMessage } from '../util/errors.ts';
import { nonPublicReason } from '../util/publicaddress.ts';

export type { PushTarget };

/** What became of one push. */
export type PushOutcome =
  | { result: 'delivered'; status: number; attempts: number }
  /** Not sent at all: the URL or an address of its host is not allowed. */
  | { result: 'refused'; reason: string }
  | { result: 'failed'; reason: string; attempts: number };

export interface PushSenderOptions {
  /** Waits between attempts, in ms; one attempt more than there are waits. */
  retryDelaysMs?: number[];
  /** Deadline of one attempt (DNS, connection, TLS, request and response), in ms. */
  timeoutMs?: number;
}

export interface PushSender {
  /** Queues a push to a subscription; what becomes of it is logged. */
  post: PushPost;
  /** Sends one push now, with its retries; never rejects. */
  send(target: PushTarget, body: Record<string, unknown>): Promise<PushOutcome>;
  close(): void;
}

let extraCa: string | Buffer | undefined;

/** Trusts one more certificate authority for push URLs (tests with their own certificate). */
export function trustPushCa(ca: string | Buffer | undefined): void {
  extraCa = ca;
}

const DEFAULT_RETRY_DELAYS_MS = [10_000, 60_000];
const DEFAULT_TIMEOUT_MS = 10_000;
/** Seconds a push service keeps an undelivered message (RFC 8030 §5.2). */
const TTL_SECONDS = 86_400;
/** Pushes waiting behind the one in flight, per subscription (StateChanges merge). */
const MAX_WAITING = 4;

interface Address {
  address: string;
  family: 4 | 6;
}

class Refused extends Error {}

/** A lookup for the socket that answers only with the addresses already checked. */
function pinnedLookup(addresses: Address[]): LookupFunction {
  return (_hostname, options, callback) => {
    const fam = options.family === 4 || options.family === 6 ? options.family : 0;
    const list = fam ? addresses.filter((a) => a.family === fam) : addresses;
    const first = list[0];
    if (!first) {
      const err: NodeJS.ErrnoException = new Error('no checked address of that family');
      err.code = 'ENOTFOUND';
      callback(err, '', 0);
    } else if (options.all) callback(null, list);
    else callback(null, first.address, first.family);
  };
}

/** A StateChange waiting behind another takes the later states (RFC 8620 §7.1). */
function mergeStateChange(
  into: Record<string, unknown>,
  later: Record<string, unknown>,
): Record<string, unknown> {
  const changed = structuredClone(into.changed ?? {}) as Record<string, Record<string, string>>;
  for (const [acct, types] of Object.entries(
    (later.changed ?? {}) as Record<string, Record<string, string>>,
  ))
    changed[acct] = { ...changed[acct], ...types };
  return { '@type': 'StateChange', changed };
}

function withDeadline<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

export function pushSender(core: Core, opts: PushSenderOptions = {}): PushSender {
  const retryDelays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const servers = core.config.dns.servers;
  const resolver: DnsResolver | null = servers.length > 0 ? makeResolver(servers) : null;
  let closed = false;
  const live = new Set<{ destroy(err?: Error): void }>();
  const sleeping = new Set<() => void>();
  const queues = new Map<string, { target: PushTarget; body: Record<string, unknown> }[]>();

  /** Every address of a host: the configured DNS servers (A and AAAA) or the system's. */
  const resolve = async (host: string): Promise<Address[]> => {
    const kind = isIP(host);
    if (kind === 4 || kind === 6) return [{ address: host, family: kind }];
    if (!resolver) {
      const found = await systemLookup(host, { all: true, order: 'verbatim' });
      return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
    }
    const [v4, v6] = await Promise.allSettled([resolver(host, 'A'), resolver(host, 'AAAA')]);
    const out: Address[] = [];
    if (v4.status === 'fulfilled') for (const a of v4.value) out.push({ address: a, family: 4 });
    if (v6.status === 'fulfilled') for (const a of v6.value) out.push({ address: a, family: 6 });
    if (out.length === 0)
      throw v4.status === 'rejected' ? v4.reason : new Error(`${host} has no address`);
    return out;
  };

  /** The addresses to connect to, each checked; Refused when one is not allowed. */
  const checkedAddresses = async (url: URL): Promise<Address[]> => {
    if (url.protocol !== 'https:') throw new Refused('the URL is not https');
    if (url.username || url.password) throw new Refused('the URL holds a user name or password');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    const addresses = await resolve(host);
    if (core.config.jmap.pushAllowPrivateAddresses) return addresses;
    for (const a of addresses) {
      const why = nonPublicReason(a.address);
      if (why !== null) throw new Refused(`${url.hostname} has the address ${a.address}: ${why}`);
    }
    return addresses;
  };

  /** One POST to checked addresses; resolves with the status code. */
  const postOnce = (
    url: URL,
    addresses: Address[],
    data: Buffer,
    headers: OutgoingHttpHeaders,
  ): Promise<number> =>
    new Promise((resolve, reject) => {
      const options: RequestOptions = {
        host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || 443,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        headers: { ...headers, 'Content-Length': data.length },
        // A connection of its own: a pooled one could have been opened to other addresses.
        agent: false,
        lookup: pinnedLookup(addresses),
        ...(extraCa ? { ca: extraCa } : {}),
      };
      const req = request(options, (res) => {
        // The body means nothing to us: read and dropped, within the same deadline (which
        // destroys the response too, hence its error is expected and ignored).
        res.on('error', () => undefined);
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      live.add(req);
      const timer = setTimeout(() => req.destroy(new Error('timed out')), timeoutMs);
      req.on('close', () => {
        clearTimeout(timer);
        live.delete(req);
      });
      req.on('error', reject);
      req.end(data);
    });

  /** Waits between attempts; ended early by close(). */
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(t);
        sleeping.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleeping.add(wake);
    });

  const send = async (target: PushTarget, body: Record<string, unknown>): Promise<PushOutcome> => {
    const where = { accountId: target.accountId, subscription: target.id };
    let url: URL;
    try {
      url = new URL(target.url);
    } catch {
      core.log.warn(where, 'push refused: the URL is not valid');
      return { result: 'refused', reason: 'the URL is not valid' };
    }
    Object.assign(where, { host: url.host });
    const json = Buffer.from(JSON.stringify(body), 'utf8');
    let data: Buffer;
    const headers: OutgoingHttpHeaders = { TTL: String(TTL_SECONDS) };
    if (target.keys) {
      // RFC 8620 §7.2: with keys, every push is encrypted (RFC 8291 §4, RFC 8188).
      try {
        data = encryptPush(json, target.keys);
      } catch (err) {
        core.log.warn({ ...where, err: errorMessage(err) }, 'push not encrypted, not sent');
        return { result: 'failed', reason: errorMessage(err), attempts: 0 };
      }
      headers['Content-Type'] = 'application/octet-stream';
      headers['Content-Encoding'] = 'aes128gcm';
    } else {
      data = json;
      headers['Content-Type'] = 'application/json; charset=utf-8';
    }
    let reason: string;
    for (let attempt = 1; ; attempt++) {
      if (closed) return { result: 'failed', reason: 'the server is stopping', attempts: attempt };
      let retry = true;
      try {
        const addresses = await withDeadline(checkedAddresses(url), timeoutMs, 'DNS');
        // RFC 8292 §3 (RFC 9749 §4): signed anew for each attempt, so a retry is never stale.
        headers.Authorization = vapidAuthorization(
          await vapidKey(core),
          url,
          `postmaster@${core.config.primaryDomain}`,
        );
        const status = await postOnce(url, addresses, data, headers);
        if (status >= 200 && status < 300) {
          core.log.debug({ ...where, status, attempt }, 'push delivered');
          return { result: 'delivered', status, attempts: attempt };
        }
        // RFC 8030 §7.3 / §8.2: 404 and 410 say the subscription is gone at the push service
        // for good; sending to it again is useless, so it is removed here too.
        if (status === 404 || status === 410) {
          await deletePushSubscription(core, target.accountId, target.id);
          core.log.info(
            { ...where, status },
            'push subscription gone at the push service: removed',
          );
          return {
            result: 'failed',
            reason: `gone (${status}): subscription removed`,
            attempts: attempt,
          };
        }
        // No redirect is followed: it could lead anywhere, a private address included.
        reason =
          status >= 300 && status < 400 ? `redirect (${status}) not followed` : `status ${status}`;
        retry = status === 408 || status === 429 || status >= 500;
      } catch (err) {
        if (err instanceof Refused) {
          core.log.warn({ ...where, why: err.message }, 'push refused: not a public address');
          return { result: 'refused', reason: err.message };
        }
        reason = errorMessage(err);
      }
      const wait = retryDelays[attempt - 1];
      if (!retry || wait === undefined || closed) {
        core.log.info({ ...where, attempts: attempt, err: reason }, 'push failed');
        return { result: 'failed', reason, attempts: attempt };
      }
      core.log.debug({ ...where, attempt, err: reason, waitMs: wait }, 'push to be retried');
      await pause(wait);
    }
  };

  const post: PushPost = (target, body) => {
    if (closed) return;
    const key = `${target.accountId}/${target.id}`;
    const waiting = queues.get(key);
    if (waiting) {
      const last = waiting.at(-1);
      if (last && last.body['@type'] === 'StateChange' && body['@type'] === 'StateChange')
        last.body = mergeStateChange(last.body, body);
      else if (waiting.length < MAX_WAITING) waiting.push({ target, body });
      else core.log.info({ accountId: target.accountId, subscription: target.id }, 'push dropped');
      return;
    }
    queues.set(key, []);
    void (async () => {
      let next: { target: PushTarget; body: Record<string, unknown> } | undefined = {
        target,
        body,
      };
      while (next && !closed) {
        await send(next.target, next.body);
        next = queues.get(key)?.shift();
      }
      queues.delete(key);
    })();
  };

  const unsubscribe = core.bus.subscribeAll((e) => {
    if (e.accountId <= 0 || closed) return;
    void listPushSubscriptions(core, e.accountId)
      .then((subs) => {
        for (const s of subs) {
          if (!s.verified) continue;
          const change = stateChange(
            accountIdOf(e.accountId),
            e,
            s.types ? new Set(s.types) : null,
          );
          if (change) post({ accountId: e.accountId, id: s.id, url: s.url, keys: s.keys }, change);
        }
      })
      .catch((err: unknown) => core.log.warn({ err: errorMessage(err) }, 'push lookup failed'));
  });

  return {
    post,
    send,
    close() {
      closed = true;
      unsubscribe();
      for (const wake of [...sleeping]) wake();
      for (const r of live) r.destroy(new Error('the server is stopping'));
      queues.clear();
    },
  };
}
