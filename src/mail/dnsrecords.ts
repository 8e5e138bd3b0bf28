// The DNS records a mail domain needs so that the world can reach and trust this server, and a
// check of what the live DNS actually says. No storage: the caller passes the domain, the
// host name, the DKIM selector and public key, and the ports.
//   MX (RFC 5321 §5.1), SPF (RFC 7208), DKIM key (RFC 6376 §3.6.1), DMARC (RFC 7489 §6.3),
//   Thunderbird autoconfig and Outlook autodiscover host names, and SRV records for client
//   set-up (RFC 6186 §3; _submissions per RFC 8314 §5.1).
// Record names and targets are written fully qualified, with the trailing dot, as in a zone file.
import type { Resolver } from 'node:dns/promises';

export interface DnsRecord {
  name: string; // fully qualified, trailing dot
  type: 'MX' | 'TXT' | 'CNAME' | 'SRV' | 'A' | 'AAAA';
  /** What the record is for, in a few words. */
  purpose: string;
  /** MX: "10 host."; TXT: the joined text; CNAME: "host."; SRV: "prio weight port host.". */
  value: string;
}

export interface DnsRecordInput {
  domain: string;
  hostname: string;
  dkimSelector: string;
  /** Base64 DER (SPKI) of the DKIM public key, as `dkimPublicKey` gives it. */
  dkimPublicKey: string;
  ports: { submission: number; submissions: number; imap: number; imaps: number; pop3s: number };
  ipv4?: string[];
  ipv6?: string[];
}

export const TTL = 3600;

const fq = (name: string): string => (name.endsWith('.') ? name : `${name}.`);

/** Every record to publish for one domain, in the order an administrator adds them. */
export function dnsRecords(i: DnsRecordInput): DnsRecord[] {
  const d = fq(i.domain);
  const host = fq(i.hostname);
  const out: DnsRecord[] = [];
  for (const ip of i.ipv4 ?? [])
    out.push({ name: host, type: 'A', purpose: 'address of the mail host', value: ip });
  for (const ip of i.ipv6 ?? [])
    out.push({ name: host, type: 'AAAA', purpose: 'address of the mail host', value: ip });
  out.push(
    { name: d, type: 'MX', purpose: 'where mail for the domain goes', value: `10 ${host}` },
    { name: d, type: 'TXT', purpose: 'SPF: who may send for the domain', value: 'v=spf1 mx -all' },
    {
      name: `${i.dkimSelector}._domainkey.${d}`,
      type: 'TXT',
      purpose: 'DKIM public key',
      value: `v=DKIM1; k=rsa; p=${i.dkimPublicKey}`,
    },
    {
      name: `_dmarc.${d}`,
      type: 'TXT',
      purpose: 'DMARC policy and reports',
      value: `v=DMARC1; p=quarantine; rua=mailto:postmaster@${i.domain.replace(/\.$/, '')}`,
    },
    { name: `autoconfig.${d}`, type: 'CNAME', purpose: 'Thunderbird set-up', value: host },
    { name: `autodiscover.${d}`, type: 'CNAME', purpose: 'Outlook set-up', value: host },
  );
  const srv: [string, number, string][] = [
    ['_submission._tcp', i.ports.submission, 'mail submission, STARTTLS (RFC 6186)'],
    ['_submissions._tcp', i.ports.submissions, 'mail submission, TLS (RFC 8314)'],
    ['_imap._tcp', i.ports.imap, 'IMAP, STARTTLS (RFC 6186)'],
    ['_imaps._tcp', i.ports.imaps, 'IMAP, TLS (RFC 6186)'],
    ['_pop3s._tcp', i.ports.pop3s, 'POP3, TLS (RFC 6186)'],
  ];
  for (const [label, port, purpose] of srv)
    out.push({ name: `${label}.${d}`, type: 'SRV', purpose, value: `0 1 ${port} ${host}` });
  return out;
}

/** A TXT value as zone-file strings of at most 255 bytes each (RFC 1035 §3.3.14). */
export function txtStrings(value: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < value.length; i += 255) parts.push(value.slice(i, i + 255));
  return parts.length ? parts : [''];
}

/** One record as a zone-file line. */
export function zoneLine(r: DnsRecord, ttl = TTL): string {
  const value =
    r.type === 'TXT'
      ? txtStrings(r.value)
          .map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`)
          .join(' ')
      : r.value;
  return `${r.name}\t${ttl}\tIN\t${r.type}\t${value}`;
}

export type CheckStatus = 'ok' | 'missing' | 'different' | 'error';

export interface CheckResult extends DnsRecord {
  status: CheckStatus;
  /** What the DNS answered (for "different") or the lookup error (for "error"). */
  found: string[];
}

/** The lookups `checkRecords` needs; node:dns/promises' Resolver has them all. */
export type DnsLookup = Pick<
  Resolver,
  'resolveMx' | 'resolveTxt' | 'resolveCname' | 'resolveSrv' | 'resolve4' | 'resolve6'
>;

const bare = (name: string): string => name.replace(/\.$/, '').toLowerCase();
const NOT_THERE = new Set(['ENOTFOUND', 'ENODATA', 'NXDOMAIN']);

/** Compares TXT values ignoring white space around ";" separators (RFC 6376 §3.2). */
function sameTxt(a: string, b: string): boolean {
  const norm = (s: string): string =>
    s
      .replace(/\s*;\s*/g, ';')
      .replace(/;$/, '')
      .trim();
  return norm(a) === norm(b);
}

/** The TXT records at a name that belong to the same family as ours (v=spf1, v=DKIM1, …). */
function family(value: string): string {
  return (/^v=[^;\s]+/i.exec(value)?.[0] ?? '').toLowerCase();
}

async function found(r: DnsRecord, dns: DnsLookup): Promise<string[]> {
  const name = bare(r.name);
  switch (r.type) {
    case 'MX':
      return (await dns.resolveMx(name)).map((m) => `${m.priority} ${bare(m.exchange)}.`);
    case 'TXT': {
      const all = (await dns.resolveTxt(name)).map((chunks) => chunks.join(''));
      const fam = family(r.value);
      return fam ? all.filter((t) => family(t) === fam) : all;
    }
    case 'CNAME':
      return (await dns.resolveCname(name)).map((c) => `${bare(c)}.`);
    case 'SRV':
      return (await dns.resolveSrv(name)).map(
        (s) => `${s.priority} ${s.weight} ${s.port} ${bare(s.name)}.`,
      );
    case 'A':
      return dns.resolve4(name);
    case 'AAAA':
      return dns.resolve6(name);
  }
}

function matches(r: DnsRecord, answers: string[]): boolean {
  switch (r.type) {
    case 'MX': // any priority will do; the target is what matters
      return answers.some((a) => a.split(' ')[1] === r.value.split(' ')[1]?.toLowerCase());
    case 'TXT':
      return answers.some((a) => sameTxt(a, r.value));
    case 'SRV': // priority and weight are the administrator's choice; port and target are not
      return answers.some((a) => {
        const [, , port, target] = a.split(' ');
        const [, , wantPort, wantTarget] = r.value.split(' ');
        return port === wantPort && target === wantTarget?.toLowerCase();
      });
    default:
      return answers.some((a) => a.toLowerCase() === r.value.toLowerCase());
  }
}

/** Looks each record up in the live DNS and says whether it is there as it should be. */
export async function checkRecords(records: DnsRecord[], dns: DnsLookup): Promise<CheckResult[]> {
  return Promise.all(
    records.map(async (r): Promise<CheckResult> => {
      try {
        const answers = await found(r, dns);
        if (answers.length === 0) return { ...r, status: 'missing', found: [] };
        return { ...r, status: matches(r, answers) ? 'ok' : 'different', found: answers };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (NOT_THERE.has(code)) return { ...r, status: 'missing', found: [] };
        return { ...r, status: 'error', found: [code || String(err)] };
      }
    }),
  );
}
