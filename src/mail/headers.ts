// Byte-level work on a message's header block, with no parsing of the rest: finding the end
// of the header, testing for a field, prepending trace fields, CRLF normalisation, and the
// Date and Message-ID values a submission server adds (RFC 5322 §3.3, §3.6.4; RFC 6409 §8).
// Invariant: bytes are never re-encoded, so UTF-8 headers (RFC 6532) and RFC 2047 words pass
// through unchanged.
import { randomBytes } from 'node:crypto';

const CR = 0x0d;
const LF = 0x0a;

/**
 * Turns every bare LF and bare CR into CRLF (RFC 5322 §2.1: lines end with CRLF). Returns the
 * same buffer when nothing needs changing.
 */
export function normalizeCrlf(raw: Buffer): Buffer {
  let bare = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === LF && raw[i - 1] !== CR) bare++;
    else if (c === CR && raw[i + 1] !== LF) bare++;
  }
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === LF && raw[i - 1] !== CR) {
      out[o++] = CR;
      out[o++] = LF;
    } else if (c === CR && raw[i + 1] !== LF) {
      out[o++] = CR;
      out[o++] = LF;
    } else out[o++] = c;
  }
  return out;
}

/** Offset just past the blank line that ends the header block (raw.length if there is none). */
export function headerEnd(raw: Buffer): number {
  if (raw.subarray(0, 2).toString('latin1') === '\r\n') return 2;
  const i = raw.indexOf('\r\n\r\n');
  return i < 0 ? raw.length : i + 4;
}

/** The header block as text (UTF-8 kept as it is). */
export function headerText(raw: Buffer): string {
  return raw.subarray(0, headerEnd(raw)).toString('utf8');
}

/** Whether the header block has a field of this name (case-insensitive). */
export function hasHeader(raw: Buffer, name: string): boolean {
  const esc = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
  return new RegExp(`^${esc}[ \\t]*:`, 'im').test(headerText(raw));
}

/** Prepends whole header fields; each is given without its final CRLF (or with it). */
export function prependHeaders(raw: Buffer, fields: string[]): Buffer {
  const text = fields
    .filter(Boolean)
    .map((f) => (f.endsWith('\r\n') ? f : `${f}\r\n`))
    .join('');
  return Buffer.concat([Buffer.from(text, 'utf8'), raw]);
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** An RFC 5322 §3.3 date-time in UTC, e.g. "Tue, 07 Apr 2026 09:05:03 +0000". */
export function formatDate(d: Date): string {
  return (
    `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`
  );
}

/**
 * The calendar day a Date header names, as written, in the writer's own zone: "YYYY-MM-DD"
 * (IMAP SENTBEFORE/SENTON/SENTSINCE disregard time and timezone, RFC 9051 §6.4.4). Takes
 * the day, month and year of an RFC 5322 §3.3 date-time, obsolete two-digit years included
 * (§4.3); null when they cannot be read.
 */
export function headerDay(value: string): string | null {
  const m = /(?:^|[\s,])(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{2,4})(?!\d)/.exec(value);
  if (!m) return null;
  const month = MONTHS.findIndex((x) => x.toLowerCase() === m[2]!.toLowerCase());
  const day = Number(m[1]);
  let year = Number(m[3]);
  if (m[3]!.length === 2) year += year < 50 ? 2000 : 1900;
  else if (m[3]!.length === 3) year += 1900;
  if (month < 0 || day < 1 || day > 31) return null;
  return `${String(year).padStart(4, '0')}-${two(month + 1)}-${two(day)}`;
}

/** A new globally unique msg-id (RFC 5322 §3.6.4), with the angle brackets. */
export function newMessageId(hostname: string): string {
  return `<${randomBytes(12).toString('base64url')}@${hostname}>`;
}

/**
 * Removes the header fields for which `drop(name, value)` is true (value unfolded, trimmed).
 * The other fields and the body are kept byte for byte.
 */
export function removeHeaders(raw: Buffer, drop: (name: string, value: string) => boolean): Buffer {
  const end = headerEnd(raw);
  const head = raw.subarray(0, end).toString('latin1');
  const fields = head.split(/\r\n(?![ \t])/);
  let changed = false;
  const kept = fields.filter((f) => {
    const colon = f.indexOf(':');
    if (colon <= 0) return true;
    const name = f.slice(0, colon).trim();
    const value = Buffer.from(f.slice(colon + 1), 'latin1')
      .toString('utf8')
      .replace(/\r\n[ \t]/g, ' ')
      .trim();
    if (!drop(name, value)) return true;
    changed = true;
    return false;
  });
  if (!changed) return raw;
  return Buffer.concat([Buffer.from(kept.join('\r\n'), 'latin1'), raw.subarray(end)]);
}
