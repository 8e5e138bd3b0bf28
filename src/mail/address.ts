// Mail addresses (RFC 5321 §4.1.2, RFC 6531 for UTF-8 local parts). Domains are compared in
// lower case; local parts are kept as given but matched case-insensitively for our own
// accounts, as users expect (Exchange and Gmail do the same).
import { domainToASCII } from 'node:url';

export interface ParsedAddress {
  local: string;
  domain: string; // lower-case A-label form
}

/** Splits "local@domain"; returns null when it is not a usable address. */
export function parseAddress(addr: string): ParsedAddress | null {
  const at = addr.lastIndexOf('@');
  if (at <= 0 || at === addr.length - 1) return null;
  const local = addr.slice(0, at);
  const domain = normalizeDomain(addr.slice(at + 1));
  if (!domain || local.length > 64 || /[\s<>()\\,;:"[\]]/.test(local.replace(/^".*"$/, 'x')))
    return null;
  return { local, domain };
}

/** Lower-case ASCII form of a domain ('' if invalid). */
export function normalizeDomain(domain: string): string {
  const d = domain.trim().replace(/\.$/, '');
  if (!d || d.length > 253) return '';
  const ascii = domainToASCII(d.toLowerCase());
  if (!ascii || !/^[a-z0-9-]+(\.[a-z0-9-]+)*$/.test(ascii)) return '';
  return ascii;
}

/** The canonical lower-case form used as a key for our own accounts and aliases. */
export function normalizeAddress(addr: string): string | null {
  const p = parseAddress(addr.trim());
  if (!p) return null;
  return `${p.local.toLowerCase()}@${p.domain}`;
}

export function domainOf(addr: string): string {
  return parseAddress(addr)?.domain ?? '';
}
