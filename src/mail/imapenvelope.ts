// The IMAP ENVELOPE of a message as response text (RFC 9051 §7.5.2, §9 envelope), and the IMAP
// string form it is made of (§4.3, §9 string). It lives beside the envelope (structure.ts)
// rather than in imap/proto because it is computed once per message at delivery and stored
// with the rest of the blob's metadata (core/blobmeta.ts), as Dovecot caches it: FETCH
// ENVELOPE then copies stored text into the response (imap/commands/fetch.ts).
// Invariant: imap/proto/writer.ts writes every IMAP string through `imapString`, so a stored
// envelope and one written from a value tree are the same bytes. Changing either function
// changes stored text: add a migration that clears `blob_meta.imap_envelope` (readers then
// write it again from the JSON envelope).
import type { AddressTuple, Envelope } from './structure.ts';

/** Longest string sent quoted; a longer one goes as a literal. */
const MAX_QUOTED = 1024;

/** Whether `s` may go out as a quoted string; `escape` when it holds `"` or `\`. */
function quotable(s: string, utf8: boolean): 'plain' | 'escape' | false {
  if (s.length > MAX_QUOTED) return false;
  let escape = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return false;
    if (c >= 0x80 && !utf8) return false;
    if (c === 0x22 || c === 0x5c) escape = true;
  }
  return escape ? 'escape' : 'plain';
}

/**
 * An IMAP string (or NIL) as response text: quoted when it may be, else a literal whose bytes
 * follow inline (the text is sent as UTF-8, so the count is of UTF-8 octets). 8-bit text is
 * quoted only for a client that enabled UTF8=ACCEPT or IMAP4rev2 (RFC 9051 §6.3.1, RFC 6855).
 */
export function imapString(v: string | null, utf8: boolean): string {
  if (v === null) return 'NIL';
  const q = quotable(v, utf8);
  if (q === 'plain') return `"${v}"`;
  if (q === 'escape') return `"${v.replace(/(["\\])/g, '\\$1')}"`;
  return `{${Buffer.byteLength(v, 'utf8')}}\r\n${v}`;
}

function addressText(list: AddressTuple[] | null, utf8: boolean): string {
  if (!list) return 'NIL';
  let out = '(';
  for (let i = 0; i < list.length; i++) {
    const a = list[i]!;
    out += `${i > 0 ? ' ' : ''}(${imapString(a[0], utf8)} ${imapString(a[1], utf8)} ${imapString(a[2], utf8)} ${imapString(a[3], utf8)})`;
  }
  return out + ')';
}

/** The ENVELOPE as response text, for a client with or without UTF-8 strings. */
export function imapEnvelope(e: Envelope, utf8: boolean): string {
  const s = (v: string | null): string => imapString(v, utf8);
  const a = (v: AddressTuple[] | null): string => addressText(v, utf8);
  return `(${s(e.date)} ${s(e.subject)} ${a(e.from)} ${a(e.sender)} ${a(e.replyTo)} ${a(e.to)} ${a(e.cc)} ${a(e.bcc)} ${s(e.inReplyTo)} ${s(e.messageId)})`;
}

/**
 * The stored forms: the text for clients without UTF-8, and the text for clients with it
 * only when it differs (some string holds 8-bit characters), else null.
 */
export function imapEnvelopes(e: Envelope): { ascii: string; utf8: string | null } {
  const ascii = imapEnvelope(e, false);
  const utf8 = imapEnvelope(e, true);
  return { ascii, utf8: utf8 === ascii ? null : utf8 };
}
