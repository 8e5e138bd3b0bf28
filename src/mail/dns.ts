// DNS look-ups for mail: one resolver function used by SPF/DKIM/DMARC/ARC checks (mailauth's
// `resolver` option: `(name, rrtype)` answering like `dns.promises.resolve`) and by the
// outbound queue for MX and address look-ups. The servers come from config `dns.servers`
// ("ip" or "ip:port", "[v6]:port"); empty means the system resolver. Failures reject with the
// node:dns error codes (ENOTFOUND, ENODATA, ETIMEOUT…) that mailauth understands.
//
// Answers are cached in the process (every inbound message asks the same SPF and DMARC
// names): positive answers for their TTL where node reports one (A, AAAA) and at most
// `positiveTtlMs`; "no such name" (ENOTFOUND, i.e. NXDOMAIN) and "no such record" (ENODATA)
// for `negativeTtlMs` (RFC 2308 negative caching, with a fixed cap since node does not hand
// over the SOA minimum). Other failures (timeouts, SERVFAIL, refused) are never cached.
// Concurrent identical questions share one query. Invariants: the cache holds at most
// `maxEntries` answers (least recently used go first), and every caller gets its own copy of
// an answer, so sorting or editing it cannot change what the next caller sees.
import { Resolver } from 'node:dns/promises';
import type { MxRecord } from 'node:dns';

export type { MxRecord };

export interface DnsResolver {
  (name: string, rrtype: 'MX'): Promise<MxRecord[]>;
  (name: string, rrtype: 'TXT'): Promise<string[][]>;
  (name: string, rrtype: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'): Promise<string[]>;
  (name: string, rrtype: string): Promise<string[] | string[][]>;
}

export interface DnsCacheOptions {
  /** Answers kept at most (default 10,000). 0 turns the cache off. */
  maxEntries?: number;
  /** Longest time a positive answer is kept, in ms (default 60,000). */
  positiveTtlMs?: number;
  /** Time an NXDOMAIN or no-data answer is kept, in ms (default 30,000). */
  negativeTtlMs?: number;
  /** Milliseconds since the epoch; tests inject one. */
  clock?: () => number;
}

export interface ResolverOptions {
  /** Per-try timeout in milliseconds (default 5000). */
  timeout?: number;
  /** Tries per server (default 2). */
  tries?: number;
  cache?: DnsCacheOptions;
}

/** Answers that say the name or the record is not there: cached like answers (RFC 2308). */
const NEGATIVE = new Set(['ENOTFOUND', 'ENODATA']);

interface Entry {
  expires: number;
  value?: unknown;
  error?: unknown;
}

/** A caller's own copy: the list, and each TXT record's strings or MX object within it. */
function copyAnswer(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((v: unknown) =>
    Array.isArray(v) ? [...(v as unknown[])] : typeof v === 'object' && v !== null ? { ...v } : v,
  );
}

export function makeResolver(servers: string[], opts: ResolverOptions = {}): DnsResolver {
  const r = new Resolver({ timeout: opts.timeout ?? 5000, tries: opts.tries ?? 2 });
  if (servers.length > 0) r.setServers(servers);
  const maxEntries = opts.cache?.maxEntries ?? 10_000;
  const positiveMs = opts.cache?.positiveTtlMs ?? 60_000;
  const negativeMs = opts.cache?.negativeTtlMs ?? 30_000;
  const clock = opts.cache?.clock ?? Date.now;

  /** Asks the servers; resolves to the answer and how long it may be kept (ms). */
  const query = async (name: string, rrtype: string): Promise<[unknown, number]> => {
    switch (rrtype) {
      case 'A':
      case 'AAAA': {
        const recs =
          rrtype === 'A'
            ? await r.resolve4(name, { ttl: true })
            : await r.resolve6(name, { ttl: true });
        const ttl = Math.min(...recs.map((x) => x.ttl * 1000), positiveMs);
        return [recs.map((x) => x.address), ttl];
      }
      case 'MX':
        return [await r.resolveMx(name), positiveMs];
      case 'TXT':
        return [await r.resolveTxt(name), positiveMs];
      case 'CNAME':
        return [await r.resolveCname(name), positiveMs];
      case 'PTR':
        return [await r.resolvePtr(name), positiveMs];
      case 'NS':
        return [await r.resolveNs(name), positiveMs];
      default:
        return [await r.resolve(name, rrtype), positiveMs];
    }
  };

  const cache = new Map<string, Entry>();
  const inflight = new Map<string, Promise<unknown>>();

  const remember = (key: string, entry: Entry): void => {
    if (maxEntries <= 0 || entry.expires <= clock()) return;
    cache.delete(key);
    cache.set(key, entry);
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
  };

  const ask = (key: string, name: string, rrtype: string): Promise<unknown> => {
    const p = query(name, rrtype).then(
      ([value, ttl]) => {
        remember(key, { expires: clock() + ttl, value });
        return value;
      },
      (err: unknown) => {
        const code = (err as NodeJS.ErrnoException | null)?.code;
        if (code && NEGATIVE.has(code))
          remember(key, { expires: clock() + negativeMs, error: err });
        throw err;
      },
    );
    const shared = p.finally(() => inflight.delete(key));
    inflight.set(key, shared);
    return shared;
  };

  const resolve = async (name: string, rrtype: string): Promise<unknown> => {
    const key = `${rrtype} ${name.toLowerCase().replace(/\.$/, '')}`;
    const hit = cache.get(key);
    if (hit) {
      if (hit.expires > clock()) {
        // Most recently used goes to the end; the oldest is evicted first.
        cache.delete(key);
        cache.set(key, hit);
        if ('error' in hit) throw hit.error;
        return copyAnswer(hit.value);
      }
      cache.delete(key);
    }
    return copyAnswer(await (inflight.get(key) ?? ask(key, name, rrtype)));
  };
  return resolve as DnsResolver;
}
