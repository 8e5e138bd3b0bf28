// Address helpers shared by every door. Invariant: "loopback" means 127.0.0.0/8 (RFC 1122
// §3.2.1.3), its IPv4-mapped form ::ffff:127.x (RFC 4291 §2.5.5.2) and ::1; nothing else.
import { isIP } from 'node:net';

/** True when a peer address (as node reports it) is on the loopback network. */
export function isLoopback(ip: string): boolean {
  const v4 = ip.toLowerCase().startsWith('::ffff:') ? ip.slice(7) : ip;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return ip === '::1';
}
