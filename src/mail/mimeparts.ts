// A MIME walker that keeps byte offsets (RFC 2045, 2046, 5322): for each part the header
// and body ranges inside the raw message, its content type and parameters, and its children
// (multipart) or encapsulated message (message/rfc822, message/global). IMAP BODYSTRUCTURE
// and BODY[section] read these ranges; nothing is decoded or copied. Never throws: a part
// whose structure is broken is treated as a leaf, and nesting is capped.

export interface Header {
  /** Lower-case field name. */
  name: string;
  /** Raw value, unfolded (CRLF before WSP removed), leading space trimmed. */
  value: string;
}

export interface MimePart {
  /** Offset of the first header line. */
  start: number;
  /** Offset of the body (after the blank line). */
  bodyStart: number;
  /** Offset just past the body. */
  end: number;
  headers: Header[];
  type: string;
  subtype: string;
  params: [string, string][];
  children: MimePart[];
  /** The encapsulated message of a message/rfc822 part. */
  message: MimePart | null;
}

const MAX_DEPTH = 40;

function findHeaderEnd(
  buf: Buffer,
  start: number,
  end: number,
): { headerEnd: number; bodyStart: number } {
  // A part may start directly with its blank line (no headers).
  if (buf[start] === 0x0d && buf[start + 1] === 0x0a)
    return { headerEnd: start, bodyStart: start + 2 };
  if (buf[start] === 0x0a) return { headerEnd: start, bodyStart: start + 1 };
  for (let i = start; i < end; i++) {
    if (buf[i] !== 0x0a) continue;
    if (buf[i + 1] === 0x0a && i + 1 < end) return { headerEnd: i + 1, bodyStart: i + 2 };
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a && i + 2 < end)
      return { headerEnd: i + 1, bodyStart: i + 3 };
  }
  return { headerEnd: end, bodyStart: end };
}

export function parseHeaders(text: string): Header[] {
  const out: Header[] = [];
  for (const line of text.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    out.push({
      name,
      value: line
        .slice(colon + 1)
        .replace(/\r?\n/g, '')
        .replace(/^[ \t]+/, ''),
    });
  }
  return out;
}

export function headerValue(headers: Header[], name: string): string | null {
  return headers.find((h) => h.name === name)?.value ?? null;
}

/** `type/subtype; a=b; c="d"` → parts; RFC 2231 names are kept as written. */
export function parseParams(value: string): { main: string; params: [string, string][] } {
  const params: [string, string][] = [];
  const semi = value.indexOf(';');
  const main = (semi < 0 ? value : value.slice(0, semi)).trim();
  let rest = semi < 0 ? '' : value.slice(semi + 1);
  const re = /^\s*([^\s=;]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))\s*;?/;
  for (let guard = 0; rest.trim() && guard < 100; guard++) {
    const m = re.exec(rest);
    if (!m) {
      const next = rest.indexOf(';');
      if (next < 0) break;
      rest = rest.slice(next + 1);
      continue;
    }
    const v = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : (m[3] ?? '').trim();
    params.push([m[1]!.toLowerCase(), v]);
    rest = rest.slice(m[0].length);
  }
  return { main, params };
}

function walk(
  buf: Buffer,
  start: number,
  end: number,
  depth: number,
  defaultType: string,
): MimePart {
  const { headerEnd, bodyStart } = findHeaderEnd(buf, start, end);
  const headers = parseHeaders(buf.toString('utf8', start, headerEnd));
  const ct = parseParams(headerValue(headers, 'content-type') ?? defaultType);
  let [type, subtype] = ct.main.toLowerCase().split('/', 2) as [string, string | undefined];
  if (!type || !subtype || !/^[a-z0-9!#$&^_.+-]+$/.test(type + subtype)) {
    [type, subtype] = defaultType.split('/') as [string, string];
    ct.params = type === 'text' ? [['charset', 'us-ascii']] : [];
  }
  const part: MimePart = {
    start,
    bodyStart,
    end,
    headers,
    type,
    subtype,
    params: ct.params,
    children: [],
    message: null,
  };
  if (depth >= MAX_DEPTH) return part;
  if (type === 'multipart') {
    const boundary = ct.params.find(([k]) => k === 'boundary')?.[1];
    if (boundary) part.children = splitMultipart(buf, bodyStart, end, boundary, depth, subtype);
    if (part.children.length === 0) {
      // A multipart without parts is unusable; treat it as text (as Dovecot does).
      part.type = 'text';
      part.subtype = 'plain';
      part.params = [['charset', 'us-ascii']];
    }
  } else if (type === 'message' && (subtype === 'rfc822' || subtype === 'global')) {
    part.message = walk(buf, bodyStart, end, depth + 1, 'text/plain');
  }
  return part;
}

function splitMultipart(
  buf: Buffer,
  start: number,
  end: number,
  boundary: string,
  depth: number,
  subtype: string,
): MimePart[] {
  const delim = Buffer.from('--' + boundary);
  const bounds: { lineStart: number; after: number; close: boolean }[] = [];
  let pos = start;
  while (pos < end) {
    const i = buf.indexOf(delim, pos);
    if (i < 0 || i >= end) break;
    const atLineStart = i === start || buf[i - 1] === 0x0a;
    let j = i + delim.length;
    const close = buf[j] === 0x2d && buf[j + 1] === 0x2d;
    if (close) j += 2;
    // Rest of the delimiter line may hold only white space (RFC 2046 §5.1.1).
    let k = j;
    while (k < end && (buf[k] === 0x20 || buf[k] === 0x09)) k++;
    const eol = k >= end || buf[k] === 0x0a || (buf[k] === 0x0d && buf[k + 1] === 0x0a);
    if (atLineStart && eol) {
      // The CRLF before the delimiter belongs to the delimiter.
      let lineStart = i;
      if (lineStart > start && buf[lineStart - 1] === 0x0a) lineStart--;
      if (lineStart > start && buf[lineStart - 1] === 0x0d) lineStart--;
      const after = k >= end ? end : buf[k] === 0x0d ? k + 2 : k + 1;
      bounds.push({ lineStart, after, close });
      if (close) break;
      pos = after;
    } else pos = i + 1;
  }
  const parts: MimePart[] = [];
  const childDefault = subtype === 'digest' ? 'message/rfc822' : 'text/plain';
  for (let n = 0; n + 1 < bounds.length || (n < bounds.length && !bounds[n]!.close); n++) {
    const from = bounds[n]!;
    if (from.close) break;
    const to = bounds[n + 1];
    const partEnd = to ? to.lineStart : end;
    if (partEnd < from.after) continue;
    parts.push(walk(buf, from.after, partEnd, depth + 1, childDefault));
    if (parts.length > 1000) break;
  }
  return parts;
}

export function parseMime(buf: Buffer): MimePart {
  return walk(buf, 0, buf.length, 0, 'text/plain');
}

/**
 * The part at a section path (RFC 9051 §6.4.5 part numbering). The first number counts the
 * message's own parts: a multipart's children, or part 1 alone — the message itself — when
 * it is not multipart, message/rfc822 included. After a message/rfc822 part, the next number
 * counts the parts of the message it holds the same way (its part 1 is that message when it
 * is not multipart). So BODY[1] of a message/rfc822 message is the whole message it holds.
 */
export function partAt(root: MimePart, path: number[]): MimePart | null {
  let cur: MimePart = root;
  for (let i = 0; i < path.length; i++) {
    const n = path[i]!;
    const holder = i > 0 && cur.message ? cur.message : cur;
    if (holder.children.length > 0) {
      const next = holder.children[n - 1];
      if (!next) return null;
      cur = next;
    } else if (n !== 1) return null;
    else cur = holder;
  }
  return cur;
}

/** Number of lines of a range (for BODYSTRUCTURE of text and message parts). */
export function countLines(buf: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = buf.indexOf(0x0a, start); i >= 0 && i < end; i = buf.indexOf(0x0a, i + 1)) n++;
  if (end > start && buf[end - 1] !== 0x0a) n++;
  return n;
}
