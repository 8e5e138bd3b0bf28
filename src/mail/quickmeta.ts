// The fast way to a message's metadata for the common simple message: one text/plain part in
// UTF-8 or US-ASCII, 7bit/8bit, no Content-Disposition. It reads the header block the way
// postal-mime does (lines end at LF with trailing CRs dropped, RFC 5322 §2.2.3 unfolding on SP
// and HTAB only, the first field of a name wins, UTF-8 header bytes per RFC 6532) and decodes
// words and addresses with postal-mime's own `decodeWords` and `addressParser`, so its result
// equals the full parse (test/mail/meta.test.ts compares both over the shared corpus).
// Anything else returns null and the caller runs the full parse.
import { addressParser, decodeWords, type Address } from 'postal-mime';

/** The fields `parseMeta` takes from the header, as postal-mime would report them. */
export interface QuickFields {
  subject?: string;
  from?: Address;
  to: Address[];
  date?: string;
  messageId?: string;
  inReplyTo?: string;
  references?: string;
  /** The start of the body as text (line ends as in the message), or all of it. */
  text: string;
  /** Cc and Bcc (all fields of each name, as postal-mime collects them): the search index. */
  cc?: Address[];
  bcc?: Address[];
  /** Where the body starts and its WHATWG charset label: the search index decodes all of it. */
  body?: { offset: number; charset: string };
}

const headerDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
const MAX_HEADER = 1024 * 1024; // postal-mime refuses 2 MiB; larger blocks take the full path
// RFC 2045 §5.1: only a bare charset parameter; format=flowed and friends take the full path.
const PLAIN = /^text\/plain[ \t]*(?:;[ \t]*charset[ \t]*=[ \t]*("?)(utf-8|us-ascii)\1[ \t]*)?;?$/i;
const IDENTITY = /^(?:7bit|8bit|binary)$/i;

const isWsp = (c: number): boolean => c === 0x20 || c === 0x09;
function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return s.slice(a, b);
}

/** Offset of the blank line that ends the header and of the body after it, or null. */
function splitHeader(raw: Uint8Array): [number, number] | null {
  let pos = 0;
  while (pos < raw.length) {
    const nl = raw.indexOf(0x0a, pos);
    const end = nl < 0 ? raw.length : nl;
    let blank = true;
    for (let i = pos; i < end; i++)
      if (raw[i] !== 0x0d) {
        blank = false;
        break;
      }
    if (blank) return nl < 0 ? null : [pos, nl + 1];
    if (nl < 0) return null;
    pos = nl + 1;
  }
  return null;
}

/**
 * The body as text, decoded only as far as needed for `previewChars` characters once
 * whitespace runs are collapsed. Streaming decode never cuts a character, so what is
 * returned is exactly the start of the whole body's text. WHATWG labels, as postal-mime
 * picks them: us-ascii decodes as windows-1252.
 */
function bodyStart(raw: Uint8Array, from: number, charset: string, previewChars: number): string {
  const decoder = new TextDecoder(charset);
  let text = '';
  for (let pos = from; pos < raw.length;) {
    const end = Math.min(raw.length, pos + 1024);
    text += decoder.decode(raw.subarray(pos, end), { stream: end < raw.length });
    pos = end;
    if (pos < raw.length && text.replace(/\s+/g, ' ').trim().length > previewChars + 2) break;
  }
  return text;
}

/**
 * The header fields and the start of the body of a simple message, or null when the full
 * parse is needed. `previewChars`: how much body text (whitespace collapsed) is wanted.
 */
export function quickFields(raw: Uint8Array, previewChars = Infinity): QuickFields | null {
  const split = splitHeader(raw);
  if (!split || split[0] > MAX_HEADER) return null;
  const lines = headerDecoder.decode(raw.subarray(0, split[0])).split('\n');
  lines.pop(); // after the last LF
  const fields: [string, string][] = [];
  let current: string[] | null = null;
  const flush = (): void => {
    if (!current) return;
    const line = current.join('');
    const sep = line.indexOf(':');
    const key = trimWsp(sep < 0 ? line : line.slice(0, sep)).toLowerCase();
    const value = sep < 0 ? '' : trimWsp(line.slice(sep + 1).replace(/[\r\n]+/g, ' '));
    fields.push([key, value]);
  };
  for (let line of lines) {
    let e = line.length;
    while (e > 0 && line.charCodeAt(e - 1) === 0x0d) e--;
    line = line.slice(0, e);
    if (current && (line[0] === ' ' || line[0] === '\t')) current.push(line);
    else {
      flush();
      current = [line];
    }
  }
  flush();

  const first = new Map<string, string>();
  const to: Address[] = [];
  const cc: Address[] = [];
  const bcc: Address[] = [];
  for (const [k, v] of fields) {
    if (!first.has(k)) first.set(k, v);
    if (!v) continue;
    if (k === 'to') to.push(...addressParser(v));
    else if (k === 'cc') cc.push(...addressParser(v));
    else if (k === 'bcc') bcc.push(...addressParser(v));
  }
  const type = PLAIN.exec(first.get('content-type') ?? 'text/plain');
  const cte = first.get('content-transfer-encoding');
  if (!type || first.has('content-disposition') || (cte !== undefined && !IDENTITY.test(cte)))
    return null;

  const words = (k: string): string | undefined => {
    const v = first.get(k);
    return v ? decodeWords(v) : undefined;
  };
  const fromValue = first.get('from');
  const charset = (type[2] ?? 'utf8').toLowerCase();
  return {
    subject: words('subject'),
    from: fromValue ? addressParser(fromValue)[0] : undefined,
    to,
    date: first.get('date'),
    messageId: words('message-id'),
    inReplyTo: words('in-reply-to'),
    references: words('references'),
    text: bodyStart(raw, split[1], charset, previewChars),
    cc,
    bcc,
    body: { offset: split[1], charset },
  };
}
