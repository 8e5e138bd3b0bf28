// POP3 responses, with no storage (RFC 1939 §3). A status line is "+OK text" or
// "-ERR [CODE] text" (response codes: RFC 2449 §8, RFC 3206); a multi-line response ends
// with a line holding a single ".", and every line of it that starts with "." gets one more
// "." in front (byte-stuffing). Lines always end in CRLF.

const CRLF = Buffer.from('\r\n');
const DOT = Buffer.from('.');
const END = Buffer.from('.\r\n');

/** Response codes of RFC 2449 §8.1 and RFC 3206. */
export type RespCode = 'AUTH' | 'SYS/TEMP' | 'SYS/PERM' | 'IN-USE' | 'LOGIN-DELAY';

export function ok(text = ''): string {
  return text ? `+OK ${text}\r\n` : '+OK\r\n';
}

export function err(text: string, code?: RespCode): string {
  return code ? `-ERR [${code}] ${text}\r\n` : `-ERR ${text}\r\n`;
}

/** A SASL continuation (RFC 5034 §4): "+ " and the base64 challenge. */
export function challenge(base64 = ''): string {
  return `+ ${base64}\r\n`;
}

/** A multi-line response from text lines (CAPA, LIST, UIDL): stuffed, with the end line. */
export function multiline(first: string, lines: string[]): string {
  const body = lines.map((l) => (l.startsWith('.') ? `.${l}\r\n` : `${l}\r\n`)).join('');
  return `${ok(first)}${body}.\r\n`;
}

/**
 * A message as a multi-line body (RETR, TOP): byte-stuffed, every line end sent as CRLF, a
 * missing final line end supplied, then the end line. With `bodyLines`, only the header, the
 * blank line and that many body lines are sent (TOP, RFC 1939 §7).
 */
export function messageBody(raw: Buffer, bodyLines?: number): Buffer {
  if (bodyLines === undefined && sendsAsIs(raw)) return Buffer.concat([raw, END]);
  const parts: Buffer[] = [];
  let start = 0;
  let inBody = false;
  let sent = 0;
  while (start < raw.length) {
    const nl = raw.indexOf(0x0a, start);
    const next = nl < 0 ? raw.length : nl + 1;
    let end = nl < 0 ? raw.length : nl;
    if (end > start && raw[end - 1] === 0x0d) end--;
    if (inBody && bodyLines !== undefined && sent++ >= bodyLines) break;
    if (raw[start] === 0x2e) parts.push(DOT);
    parts.push(raw.subarray(start, end), CRLF);
    if (!inBody && end === start) inBody = true;
    start = next;
  }
  parts.push(END);
  return Buffer.concat(parts);
}

/** True when a whole message needs no stuffing and no line-end repair (the usual case). */
function sendsAsIs(raw: Buffer): boolean {
  if (raw.length < 2 || raw[0] === 0x2e || raw[raw.length - 1] !== 0x0a) return false;
  for (let nl = raw.indexOf(0x0a); nl >= 0; nl = raw.indexOf(0x0a, nl + 1))
    if (raw[nl - 1] !== 0x0d || raw[nl + 1] === 0x2e) return false;
  return true;
}
