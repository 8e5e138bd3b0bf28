// Modified UTF-7 mailbox names (RFC 3501 §5.1.3), for IMAP4rev1 clients that did not enable
// UTF-8 (RFC 9051 §6.3.1 makes names UTF-8 for IMAP4rev2). "&" starts a base64 run of UTF-16
// (with "," for "/"), "-" ends it; "&-" is "&". Decoding is lenient: malformed runs stay as
// written, so a client can still address a mailbox it sees.

export function encodeMutf7(name: string): string {
  let out = '';
  let run = '';
  const flush = (): void => {
    if (!run) return;
    const buf = Buffer.alloc(run.length * 2);
    for (let i = 0; i < run.length; i++) buf.writeUInt16BE(run.charCodeAt(i), i * 2);
    out += '&' + buf.toString('base64').replace(/=+$/, '').replace(/\//g, ',') + '-';
    run = '';
  };
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x20 && c <= 0x7e) {
      flush();
      out += ch === '&' ? '&-' : ch;
    } else run += ch;
  }
  flush();
  return out;
}

export function decodeMutf7(text: string): string {
  return text.replace(/&([A-Za-z0-9+,]*)-/g, (whole, b64: string) => {
    if (b64 === '') return '&';
    const buf = Buffer.from(b64.replace(/,/g, '/'), 'base64');
    if (buf.length % 2 !== 0) return whole;
    let s = '';
    for (let i = 0; i < buf.length; i += 2) s += String.fromCharCode(buf.readUInt16BE(i));
    return s;
  });
}
