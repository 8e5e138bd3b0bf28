// Messages with NUL octets. IMAP can take one in (APPEND of a literal8, RFC 3516 §4.4) but
// never send it back in a literal (RFC 9051 §4.3: CHAR8 excludes NUL), so BODY[] could not
// return it. The parts holding NULs are re-encoded to base64 before the message is stored,
// which RFC 3516 §4.4 allows because nothing is lost: BINARY[] still returns the octets.
// Only parts in an identity encoding (7bit, 8bit, binary) are re-encoded; a NUL anywhere else
// (a header, a multipart's preamble, an encoded body) makes the message unstorable here.
import { headerValue, parseMime, type MimePart } from './mimeparts.ts';

function leaves(part: MimePart, out: MimePart[]): MimePart[] {
  if (part.message) leaves(part.message, out);
  else if (part.children.length) for (const c of part.children) leaves(c, out);
  else out.push(part);
  return out;
}

const IDENTITY = new Set(['7bit', '8bit', 'binary']);

/** The part's header block with Content-Transfer-Encoding set to base64. */
function base64Header(buf: Buffer, part: MimePart): Buffer {
  const text = buf.toString('latin1', part.start, part.bodyStart);
  const lines = text.split(/(?<=\n)(?![ \t])/);
  const kept = lines.filter(
    (l) => l.trim() !== '' && !/^content-transfer-encoding[ \t]*:/i.test(l),
  );
  return Buffer.from(kept.join('') + 'Content-Transfer-Encoding: base64\r\n\r\n', 'latin1');
}

function base64Lines(data: Buffer): Buffer {
  const b64 = data.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

/**
 * The message with every part that holds a NUL octet in base64; the same buffer when there is
 * none; null when a NUL is where no re-encoding can take it away.
 */
export function encodeNulParts(raw: Buffer): Buffer | null {
  if (raw.indexOf(0) < 0) return raw;
  const hit = leaves(parseMime(raw), []).filter(
    (p) => raw.subarray(p.bodyStart, p.end).indexOf(0) >= 0,
  );
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const p of hit.sort((a, b) => a.start - b.start)) {
    const cte = (headerValue(p.headers, 'content-transfer-encoding') ?? '7bit').trim();
    if (!IDENTITY.has(cte.toLowerCase())) return null;
    pieces.push(raw.subarray(pos, p.start), base64Header(raw, p));
    pieces.push(base64Lines(raw.subarray(p.bodyStart, p.end)));
    pos = p.end;
  }
  pieces.push(raw.subarray(pos));
  const out = Buffer.concat(pieces);
  return out.indexOf(0) < 0 ? out : null;
}
