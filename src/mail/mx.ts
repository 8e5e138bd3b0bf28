// Where mail for a domain goes (RFC 5321 §5.1): its MX hosts by preference, the implicit MX
// (the domain's own A/AAAA) when it has none, and "no mail here" for a null MX (RFC 7505).
// No storage, no sockets beyond DNS. The resolver (src/mail/dns.ts) is injected so tests and
// air-gapped sites can point it at their own DNS servers (`dns.servers` in the config).
// Invariant: a temporary DNS failure never turns into a bounce; only NXDOMAIN and null MX do.
import { isIP } from 'node:net';
import type { DnsResolver } from './dns.ts';

/** The resolver of src/mail/dns.ts (`makeResolver(config.dns.servers)`); tests inject one. */
export type MxResolver = DnsResolver;

export type MxAnswer =
  /** Hosts to try in order; `implicit` when the domain had no MX (RFC 5321 §5.1). */
  | { kind: 'hosts'; hosts: string[]; implicit: boolean }
  /** RFC 7505: the domain accepts no mail; bounce with 5.1.10 at once. */
  | { kind: 'nullmx' }
  /** NXDOMAIN: the domain does not exist (permanent). */
  | { kind: 'nodomain' }
  /** SERVFAIL, timeout, refused: try again later. */
  | { kind: 'temporary'; reason: string };

function dnsCode(err: unknown): string {
  return (err as { code?: string }).code ?? 'EUNKNOWN';
}

/** No such name, or no record of the asked type: an answer, not a failure. */
function isNoData(code: string): boolean {
  return code === 'ENODATA' || code === 'ENOTFOUND';
}

function shuffled<T>(a: T[]): T[] {
  const out = [...a];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export async function lookupMx(resolver: MxResolver, domain: string): Promise<MxAnswer> {
  let records: { exchange: string; priority: number }[];
  try {
    records = await resolver(domain, 'MX');
  } catch (err) {
    const code = dnsCode(err);
    if (code === 'ENOTFOUND') return { kind: 'nodomain' };
    if (code !== 'ENODATA')
      return { kind: 'temporary', reason: `MX lookup for ${domain}: ${code}` };
    records = [];
  }
  const isNull = (r: { exchange: string }) => r.exchange === '' || r.exchange === '.';
  // RFC 7505 §3: a null MX is the domain's only MX record. If someone publishes it beside
  // real ones, the real ones win (§4.3 leaves this to the sender; delivering is kinder).
  if (records.length > 0 && records.every(isNull)) return { kind: 'nullmx' };
  const real = records.filter((r) => !isNull(r));
  if (real.length === 0) {
    // RFC 5321 §5.1: no MX, so the domain itself is the implicit MX with preference 0 — but
    // only if it has an address; otherwise the name exists without being a mail host.
    const addrs = await resolveHost(resolver, domain);
    if (addrs.kind === 'temporary') return addrs;
    if (addrs.addresses.length === 0) return { kind: 'nodomain' };
    return { kind: 'hosts', hosts: [domain], implicit: true };
  }
  // RFC 5321 §5.1: lowest preference first; equal preferences in random order (load sharing).
  const prefs = [...new Set(real.map((r) => r.priority))].sort((a, b) => a - b);
  const hosts = prefs.flatMap((p) =>
    shuffled(real.filter((r) => r.priority === p)).map((r) => r.exchange.replace(/\.$/, '')),
  );
  return { kind: 'hosts', hosts, implicit: false };
}

export type HostAnswer =
  { kind: 'addresses'; addresses: string[] } | { kind: 'temporary'; reason: string };

/**
 * A host's addresses, IPv4 first (the links of most sites we serve have no working IPv6
 * route, and RFC 5321 §5.1 leaves the order among a host's addresses to the client).
 * An IP literal is returned as is.
 */
export async function resolveHost(resolver: MxResolver, host: string): Promise<HostAnswer> {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare)) return { kind: 'addresses', addresses: [bare] };
  const [v4, v6] = await Promise.allSettled([resolver(host, 'A'), resolver(host, 'AAAA')]);
  const addresses: string[] = [];
  const failures: string[] = [];
  for (const r of [v4, v6]) {
    if (r.status === 'fulfilled') addresses.push(...r.value);
    else if (!isNoData(dnsCode(r.reason))) failures.push(dnsCode(r.reason));
  }
  if (addresses.length === 0 && failures.length > 0)
    return { kind: 'temporary', reason: `address lookup for ${host}: ${failures.join(', ')}` };
  return { kind: 'addresses', addresses };
}
