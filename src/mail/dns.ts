// DNS look-ups for mail: one resolver function used by SPF/DKIM/DMARC/ARC checks (mailauth's
// `resolver` option: `(name, rrtype)` answering like `dns.promises.resolve`) and by the
// outbound queue for MX and address look-ups. The servers come from config `dns.servers`
// ("ip" or "ip:port", "[v6]:port"); empty means the system resolver. Failures reject with the
// node:dns error codes (ENOTFOUND, ENODATA, ETIMEOUT…) that mailauth understands.
import { Resolver } from 'node:dns/promises';
import type { MxRecord } from 'node:dns';

export type { MxRecord };

export interface DnsResolver {
  (name: string, rrtype: 'MX'): Promise<MxRecord[]>;
  (name: string, rrtype: 'TXT'): Promise<string[][]>;
  (name: string, rrtype: 'A' | 'AAAA' | 'CNAME' | 'PTR' | 'NS'): Promise<string[]>;
  (name: string, rrtype: string): Promise<string[] | string[][]>;
}

export interface ResolverOptions {
  /** Per-try timeout in milliseconds (default 5000). */
  timeout?: number;
  /** Tries per server (default 2). */
  tries?: number;
}

export function makeResolver(servers: string[], opts: ResolverOptions = {}): DnsResolver {
  const r = new Resolver({ timeout: opts.timeout ?? 5000, tries: opts.tries ?? 2 });
  if (servers.length > 0) r.setServers(servers);
  const resolve = (name: string, rrtype: string): Promise<unknown> => {
    switch (rrtype) {
      case 'A':
        return r.resolve4(name);
      case 'AAAA':
        return r.resolve6(name);
      case 'MX':
        return r.resolveMx(name);
      case 'TXT':
        return r.resolveTxt(name);
      case 'CNAME':
        return r.resolveCname(name);
      case 'PTR':
        return r.resolvePtr(name);
      case 'NS':
        return r.resolveNs(name);
      default:
        return r.resolve(name, rrtype);
    }
  };
  return resolve as DnsResolver;
}
