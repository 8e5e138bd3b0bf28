// Is an IP address on the public Internet? The guard of every request the server makes to a
// URL a user chose (JMAP push subscriptions): such a request must never reach the server's own
// host or its private network (server-side request forgery). Invariant: an address is public
// only when it is a syntactically valid IPv4 or IPv6 address outside every range below; an
// IPv6 address that carries an IPv4 one (IPv4-mapped, IPv4-compatible, NAT64, 6to4) is judged
// by the IPv4 address it carries as well. Ranges: the IANA special-purpose registries
// (RFC 6890 and its updates) that are not globally reachable, plus multicast.
import { BlockList, isIP } from 'node:net';

type Rule = [address: string, prefix: number, why: string];

const V4: Rule[] = [
  ['0.0.0.0', 8, 'unspecified ("this network", RFC 1122)'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'shared CGNAT (RFC 6598)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (RFC 6890)'],
  ['192.0.2.0', 24, 'documentation (RFC 5737)'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking (RFC 2544)'],
  ['198.51.100.0', 24, 'documentation (RFC 5737)'],
  ['203.0.113.0', 24, 'documentation (RFC 5737)'],
  ['224.0.0.0', 4, 'multicast'],
  ['240.0.0.0', 4, 'reserved or broadcast'],
];

const V6: Rule[] = [
  ['::', 128, 'unspecified'],
  ['::1', 128, 'loopback'],
  ['::', 96, 'IPv4-compatible (deprecated, RFC 4291 §2.5.5.1)'],
  ['100::', 64, 'discard-only (RFC 6666)'],
  ['2001::', 32, 'Teredo tunnel (RFC 4380)'],
  ['2001:db8::', 32, 'documentation (RFC 3849)'],
  ['fc00::', 7, 'unique local (RFC 4193)'],
  ['fe80::', 10, 'link-local'],
  ['fec0::', 10, 'site-local (deprecated, RFC 3879)'],
  ['ff00::', 8, 'multicast'],
];

function listOf(rules: Rule[], type: 'ipv4' | 'ipv6'): [BlockList, Rule[]][] {
  // One list per rule so that the reason can be named; the lists are small and checked in order.
  return rules.map((r) => {
    const b = new BlockList();
    b.addSubnet(r[0], r[1], type);
    return [b, [r]];
  });
}

const V4_LISTS = listOf(V4, 'ipv4');
const V6_LISTS = listOf(V6, 'ipv6');

function v4Reason(ip: string): string | null {
  for (const [b, [r]] of V4_LISTS) if (b.check(ip, 'ipv4')) return r![2];
  return null;
}

/** The 16 bytes of an IPv6 address in text form (node has validated it). */
function v6Bytes(ip: string): Buffer {
  let text = ip.toLowerCase();
  // A dotted IPv4 tail (::ffff:1.2.3.4) becomes two groups.
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const p = dotted[2]!.split('.').map(Number);
    text = `${dotted[1]}${((p[0]! << 8) | p[1]!).toString(16)}:${((p[2]! << 8) | p[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? h : [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}

function dottedOf(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

/** The IPv4 address an IPv6 one carries by a standard mapping, if any. */
function embeddedV4(bytes: Buffer): string | null {
  const zero = (from: number, to: number): boolean =>
    bytes.subarray(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d, IPv4-mapped (RFC 4291 §2.5.5.2).
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return dottedOf(bytes.subarray(12));
  // 64:ff9b::a.b.c.d, the NAT64 well-known prefix (RFC 6052 §2.1).
  if (bytes.readUInt32BE(0) === 0x0064ff9b && zero(4, 12)) return dottedOf(bytes.subarray(12));
  // 2002:AABB:CCDD::/48, 6to4 (RFC 3056 §2).
  if (bytes.readUInt16BE(0) === 0x2002) return dottedOf(bytes.subarray(2, 6));
  return null;
}

/**
 * Why an address is not on the public Internet ("loopback", "private (RFC 1918)", …), or null
 * when it is public. Anything that is not an IP address is refused too.
 */
export function nonPublicReason(ip: string): string | null {
  const kind = isIP(ip);
  if (kind === 4) return v4Reason(ip);
  if (kind !== 6) return 'not an IP address';
  for (const [b, [r]] of V6_LISTS) if (b.check(ip, 'ipv6')) return r![2];
  const v4 = embeddedV4(v6Bytes(ip));
  return v4 === null ? null : (v4Reason(v4)?.concat(', inside an IPv6 address') ?? null);
}

/** True when the address is on the public Internet (see nonPublicReason). */
export function isPublicAddress(ip: string): boolean {
  return nonPublicReason(ip) === null;
}
