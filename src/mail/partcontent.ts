// The content of one MIME part (mail/structure.ts PartInfo ranges): transfer decoding
// (RFC 2045 §6) and charset decoding (RFC 2046 §4.1.2) to text, with a flag for any problem
// met on the way (unknown charset or encoding, malformed bytes), and the decoded size.
// Never throws: what cannot be decoded is returned as well as it can be, flagged.
import type { PartInfo } from './structure.ts';
import { decodeTransfer } from './transfer.ts';

/** The part's bytes after transfer decoding; the raw body when the encoding is unknown. */
export function partBytes(buf: Buffer, part: PartInfo): { bytes: Buffer; problem: boolean } {
  const body = buf.subarray(part.bodyStart, part.end);
  const decoded = decodeTransfer(body, part.encoding);
  return decoded ? { bytes: decoded, problem: false } : { bytes: body, problem: true };
}

/** The size after transfer decoding, counted without decoding base64. */
export function decodedSize(buf: Buffer, part: PartInfo): number {
  const enc = part.encoding.toLowerCase();
  if (enc === 'base64') {
    let n = 0;
    for (let i = part.bodyStart; i < part.end; i++) {
      const c = buf[i]!;
      if (
        (c >= 0x41 && c <= 0x5a) ||
        (c >= 0x61 && c <= 0x7a) ||
        (c >= 0x30 && c <= 0x39) ||
        c === 0x2b ||
        c === 0x2f
      )
        n++;
    }
    return Math.floor((n * 6) / 8);
  }
  if (enc === 'quoted-printable') return partBytes(buf, part).bytes.length;
  return part.end - part.bodyStart;
}

/** The charset parameter of a text part, "us-ascii" when absent (RFC 2046 §4.1.2). */
export function charsetOf(part: PartInfo): string {
  return part.params.find(([k]) => k === 'charset')?.[1]?.trim() || 'us-ascii';
}

/** Labels TextDecoder does not know but mail uses. */
const ALIASES: Record<string, string> = {
  'us-ascii': 'utf-8', // a superset: 8-bit bytes in "ASCII" text are most often UTF-8
  ascii: 'utf-8',
  'iso-8859-8-i': 'iso-8859-8',
  'x-user-defined': 'windows-1252',
  ks_c_5601: 'euc-kr',
  'ks_c_5601-1987': 'euc-kr',
  'x-gbk': 'gbk',
  cp1252: 'windows-1252',
  utf8: 'utf-8',
};

/** Decodes bytes in a charset; `problem` when the charset is unknown or the bytes malformed. */
export function decodeCharset(
  bytes: Uint8Array,
  charset: string,
): { text: string; problem: boolean } {
  const label = charset.toLowerCase();
  let decoder: InstanceType<typeof TextDecoder>;
  let problem = false;
  try {
    decoder = new TextDecoder(ALIASES[label] ?? label, { fatal: true });
  } catch {
    decoder = new TextDecoder('utf-8', { fatal: true });
    problem = true;
  }
  try {
    return { text: decoder.decode(bytes), problem };
  } catch {
    return { text: new TextDecoder(decoder.encoding).decode(bytes), problem: true };
  }
}

/** A text part as a string: transfer and charset decoded, format=flowed joined (RFC 3676). */
export function partText(buf: Buffer, part: PartInfo): { text: string; problem: boolean } {
  const raw = partBytes(buf, part);
  const dec = decodeCharset(raw.bytes, charsetOf(part));
  let text = dec.text;
  const param = (k: string): string | undefined =>
    part.params.find(([n]) => n === k)?.[1]?.toLowerCase();
  if (part.subtype === 'plain' && param('format') === 'flowed')
    text = unflow(text, param('delsp') === 'yes');
  return { text, problem: raw.problem || dec.problem };
}

/**
 * RFC 3676 §4.1–4.5: a line ending in a space continues on the next line of the same quote
 * depth (the signature separator "-- " never does); a space after the quote marks is stuffing.
 */
function unflow(text: string, delSp: boolean): string {
  const out: string[] = [];
  let cur: { depth: number; text: string } | null = null;
  for (const raw of text.split(/\r?\n/)) {
    const depth = /^>*/.exec(raw)![0].length;
    let line = raw.slice(depth);
    if (line.startsWith(' ')) line = line.slice(1);
    const soft = line.endsWith(' ') && line !== '-- ';
    const piece = soft && delSp ? line.slice(0, -1) : line;
    if (cur && cur.depth !== depth) {
      out.push('>'.repeat(cur.depth) + (cur.depth ? ' ' : '') + cur.text);
      cur = null;
    }
    cur = cur ? { depth, text: cur.text + piece } : { depth, text: piece };
    if (!soft) {
      out.push('>'.repeat(depth) + (depth ? ' ' : '') + cur.text);
      cur = null;
    }
  }
  if (cur) out.push('>'.repeat(cur.depth) + (cur.depth ? ' ' : '') + cur.text);
  return out.join('\r\n');
}
