// Content-Transfer-Encoding decoding (RFC 2045 §6): base64 and quoted-printable back to the
// octets they encode (white space that ends a quoted-printable line is dropped, §6.7 (3));
// 7bit, 8bit and binary are the octets themselves. Lenient as readers
// must be (RFC 2045 §6.7 note 4, §6.8): stray characters are skipped, never thrown on.
// Returns null for an encoding it does not know (IMAP BINARY answers [UNKNOWN-CTE]).

function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.alloc(body.length);
  let n = 0;
  // Where the output stands after the last encoded octet: "=20" at a line's end is kept.
  let kept = 0;
  // RFC 2045 §6.7 (3): white space at the end of a line was added in transport; it goes.
  const trim = (): void => {
    while (n > kept && (out[n - 1] === 0x20 || out[n - 1] === 0x09)) n--;
  };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x3d) {
      if (c === 0x0a || (c === 0x0d && body[i + 1] === 0x0a)) trim();
      out[n++] = c;
      continue;
    }
    // "=" CRLF (or LF, or trailing white space then CRLF) is a soft line break.
    let j = i + 1;
    while (body[j] === 0x20 || body[j] === 0x09) j++;
    if (body[j] === 0x0d && body[j + 1] === 0x0a) {
      i = j + 1;
      kept = n;
      continue;
    }
    if (body[j] === 0x0a) {
      i = j;
      kept = n;
      continue;
    }
    const hex = body.toString('latin1', i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[n++] = parseInt(hex, 16);
      kept = n;
      i += 2;
    } else out[n++] = c;
  }
  trim();
  return out.subarray(0, n);
}

export function decodeTransfer(body: Buffer, encoding: string | null): Buffer | null {
  const cte = (encoding ?? '7bit').trim().toLowerCase() || '7bit';
  switch (cte) {
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      return Buffer.from(body.toString('latin1').replace(/[^A-Za-z0-9+/]/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return null;
  }
}
