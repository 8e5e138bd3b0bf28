// The DNS records of a served domain, with the ports this configuration listens on, and a
// resolver for checking them live (configured servers, else the system's). Shared by
// `champa dns` and the admin API (GET /api/admin/domains/{name}/dns).
import { Resolver } from 'node:dns/promises';
import { dnsRecords, type DnsRecord } from '../mail/dnsrecords.ts';
import type { Domain } from '../store/schema.ts';
import { portOf, type Config } from './config.ts';
import { dkimPublicKey } from './domains.ts';

export interface HostAddresses {
  ipv4?: string[];
  ipv6?: string[];
}

/** The records of one served domain, with the ports this configuration listens on. */
export function recordsFor(config: Config, d: Domain, ips: HostAddresses = {}): DnsRecord[] {
  return dnsRecords({
    domain: d.name,
    hostname: config.hostname,
    dkimSelector: d.dkim_selector,
    dkimPublicKey: dkimPublicKey(d.dkim_private_key),
    ports: {
      submission: portOf(config, 'submission'),
      submissions: portOf(config, 'submissions'),
      imap: portOf(config, 'imap'),
      imaps: portOf(config, 'imaps'),
      pop3s: portOf(config, 'pop3s'),
    },
    ...ips,
  });
}

/** A resolver using the configured servers ("ip" or "ip:port"), else the system's. */
export function resolverFor(config: Config): Resolver {
  const r = new Resolver({ timeout: 3000, tries: 2 });
  if (config.dns.servers.length > 0) r.setServers(config.dns.servers);
  return r;
}

/** Splits a list of addresses into IPv4 and IPv6. */
export function splitIps(list: string[] | undefined): HostAddresses {
  const ips = list ?? [];
  return {
    ipv4: ips.filter((ip) => !ip.includes(':')),
    ipv6: ips.filter((ip) => ip.includes(':')),
  };
}
