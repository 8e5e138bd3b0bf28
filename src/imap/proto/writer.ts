// The response side of the wire format (RFC 9051 §7, §9): untagged data, tagged status and
// continuation requests, built from a small value tree so that every string gets the right
// form. Invariant: a string is sent quoted only when it is short and has no CR, LF or NUL (and
// no 8-bit octets unless the client enabled UTF-8, RFC 9051 §6.3.1 / RFC 6855); otherwise it is
// sent as a literal, so no value can break the framing.

/** Written verbatim: atoms, flags, section names, already-formatted tokens. */
export interface Raw {
  raw: string;
}
/**
 * A value in a response: a JS string is an IMAP string (quoted or literal), a Buffer is
 * always a literal (message bytes), null is NIL, an array is a parenthesised list.
 */
export type Value = string | number | null | Raw | Buffer | Binary | Value[];

/** Decoded content for BINARY[] (RFC 3516 §4.2): sent as a literal8 `~{n}`, NUL allowed. */
export interface Binary {
  binary: Buffer;
}

export function raw(text: string): Raw {
  return { raw: text };
}

export interface WriteOptions {
  /** The client enabled UTF8=ACCEPT or IMAP4rev2: 8-bit text may be quoted. */
  utf8: boolean;
}

const MAX_QUOTED = 1024;

function quotable(s: string, utf8: boolean): boolean {
  if (s.length > MAX_QUOTED) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
    if (c >= 0x80 && !utf8) return false;
  }
  return true;
}

export function writeValue(v: Value, out: Buffer[], opts: WriteOptions): void {
  if (v === null) out.push(Buffer.from('NIL'));
  else if (typeof v === 'number') out.push(Buffer.from(String(v)));
  else if (typeof v === 'string') {
    if (quotable(v, opts.utf8)) out.push(Buffer.from(`"${v.replace(/(["\\])/g, '\\$1')}"`, 'utf8'));
    else {
      const b = Buffer.from(v, 'utf8');
      out.push(Buffer.from(`{${b.length}}\r\n`), b);
    }
  } else if (Buffer.isBuffer(v)) out.push(Buffer.from(`{${v.length}}\r\n`), v);
  else if (Array.isArray(v)) {
    out.push(Buffer.from('('));
    v.forEach((item, i) => {
      if (i > 0) out.push(Buffer.from(' '));
      writeValue(item, out, opts);
    });
    out.push(Buffer.from(')'));
  } else if ('binary' in v) out.push(Buffer.from(`~{${v.binary.length}}\r\n`), v.binary);
  else out.push(Buffer.from(v.raw, 'utf8'));
}

/** Items separated by spaces, ending in CRLF. */
export function writeLine(items: Value[], opts: WriteOptions): Buffer {
  const out: Buffer[] = [];
  items.forEach((item, i) => {
    if (i > 0) out.push(Buffer.from(' '));
    writeValue(item, out, opts);
  });
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}

/** resp-text never holds CR or LF (RFC 9051 §9 text). */
export function cleanText(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ').trim() || 'OK';
}

export type Status = 'OK' | 'NO' | 'BAD' | 'BYE' | 'PREAUTH';

/** `tag OK [CODE] text` / `* BYE text`; code is the bracket content, e.g. "UIDNEXT 5". */
export function statusLine(tag: string, status: Status, code: string | null, text: string): Buffer {
  const c = code ? `[${code}] ` : '';
  return Buffer.from(`${tag} ${status} ${c}${cleanText(text)}\r\n`, 'utf8');
}

export function continuation(text: string): Buffer {
  return Buffer.from(`+ ${cleanText(text)}\r\n`, 'utf8');
}

/** IMAP quoting of a string inside a response code or a command, always quoted form. */
export function quote(s: string): string {
  return `"${s.replace(/(["\\])/g, '\\$1')}"`;
}
