// The response side of the wire format (RFC 9051 §7, §9): untagged data, tagged status and
// continuation requests, built from a small value tree so that every string gets the right
// form. Invariant: a string is sent quoted only when it is short and has no CR, LF or NUL (and
// no 8-bit octets unless the client enabled UTF-8, RFC 9051 §6.3.1 / RFC 6855); otherwise it is
// sent as a literal, so no value can break the framing (mail/imapenvelope.ts imapString, which
// the stored ENVELOPE text is written with too).
import { imapString } from '../../mail/imapenvelope.ts';

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

/**
 * Builds one response as text, cut only where a literal's bytes go in: a FETCH of a thousand
 * envelopes is then a thousand string appends and one encoding, not tens of thousands of
 * small Buffers.
 */
class LineBuilder {
  text = '';
  readonly parts: Buffer[] = [];
  readonly opts: WriteOptions;
  constructor(opts: WriteOptions) {
    this.opts = opts;
  }
  bytes(b: Buffer): void {
    if (this.text) this.parts.push(Buffer.from(this.text, 'utf8'));
    this.text = '';
    this.parts.push(b);
  }
  done(): Buffer {
    if (this.parts.length === 0) return Buffer.from(this.text, 'utf8');
    if (this.text) this.parts.push(Buffer.from(this.text, 'utf8'));
    return Buffer.concat(this.parts);
  }
}

function put(v: Value, w: LineBuilder): void {
  if (v === null) w.text += 'NIL';
  else if (typeof v === 'number') w.text += String(v);
  else if (typeof v === 'string') w.text += imapString(v, w.opts.utf8);
  else if (Buffer.isBuffer(v)) {
    w.text += `{${v.length}}\r\n`;
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.text += '(';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) w.text += ' ';
      put(v[i]!, w);
    }
    w.text += ')';
  } else if ('binary' in v) {
    w.text += `~{${v.binary.length}}\r\n`;
    w.bytes(v.binary);
  } else w.text += v.raw;
}

function build(items: Value[], opts: WriteOptions): LineBuilder {
  const w = new LineBuilder(opts);
  for (let i = 0; i < items.length; i++) {
    if (i > 0) w.text += ' ';
    put(items[i]!, w);
  }
  w.text += '\r\n';
  return w;
}

/** Items separated by spaces, ending in CRLF. */
export function writeLine(items: Value[], opts: WriteOptions): Buffer {
  return build(items, opts).done();
}

/**
 * The same response as text when it carries no message bytes (no Buffer or Binary value),
 * so a session can gather many responses into one string and encode it once; else its bytes.
 */
export function writeResponse(items: Value[], opts: WriteOptions): string | Buffer {
  const w = build(items, opts);
  return w.parts.length === 0 ? w.text : w.done();
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
