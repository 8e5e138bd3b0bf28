// The header fields of a message or of a MIME part as written (RFC 5322 §2.2): each field's
// name as it appears and its raw value, everything after the colon up to the field's final
// CRLF, folding kept. JMAP's "headers" and "header:…:asRaw" (RFC 8621 §4.1.2.1) show these.
export interface RawField {
  name: string;
  value: string;
}

/** The fields of the header block in buf[start, end) (end: the body's start or the end). */
export function rawFields(buf: Buffer, start: number, end: number): RawField[] {
  let text = buf.toString('utf8', start, end);
  const blank = /\r?\n\r?\n/.exec(text);
  if (blank) text = text.slice(0, blank.index);
  const out: RawField[] = [];
  for (const line of text.split(/\r?\n(?![ \t])/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).replace(/[ \t]+$/, '');
    if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) continue;
    out.push({ name, value: line.slice(colon + 1).replace(/\r?\n$/, '') });
  }
  return out;
}
