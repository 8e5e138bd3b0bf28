// A message's envelope and part structure, computed once from its MIME tree (mimeparts.ts)
// and kept as plain JSON-able data, so it can be stored beside the blob (core/blobmeta.ts)
// and turned into IMAP ENVELOPE and BODYSTRUCTURE / BODY (RFC 9051 §7.5.2) without reading
// the message again. Header values are kept as they are in the message (RFC 2047 words stay
// encoded; IMAP clients decode them). Never throws on malformed input.
// Invariant: bump STRUCTURE_VERSION whenever what these functions compute changes; stored
// rows of an older version are then computed again (core/blobmeta.ts).
import addressparser from 'nodemailer/lib/addressparser';
import {
  countLines,
  headerValue,
  parseMime,
  parseParams,
  type Header,
  type MimePart,
} from './mimeparts.ts';

export const STRUCTURE_VERSION = 2; // 2: comments inside a group are not members

/** An IMAP address: [name, adl, mailbox, host]; a group is [null, null, name, null] … [null×4]. */
export type AddressTuple = [string | null, string | null, string | null, string | null];

/** ENVELOPE fields, in IMAP order, with Sender and Reply-To already defaulted to From. */
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: AddressTuple[] | null;
  sender: AddressTuple[] | null;
  replyTo: AddressTuple[] | null;
  to: AddressTuple[] | null;
  cc: AddressTuple[] | null;
  bcc: AddressTuple[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

/** One MIME part as BODYSTRUCTURE describes it, with its byte ranges in the message. */
export interface PartInfo {
  /** Offsets in the raw message: first header line, body, just past the body. */
  start: number;
  bodyStart: number;
  end: number;
  /** Lower-case, as parsed (defaults applied). */
  type: string;
  subtype: string;
  /** Content-Type parameters, names in lower case. */
  params: [string, string][];
  id: string | null;
  description: string | null;
  /** Content-Transfer-Encoding in upper case, 7BIT when absent. */
  encoding: string;
  /** Lines of the body, for text and message parts; null otherwise. */
  lines: number | null;
  md5: string | null;
  disposition: { type: string; params: [string, string][] } | null;
  language: string[] | null;
  location: string | null;
  children: PartInfo[];
  /** The encapsulated message of a message/rfc822 or message/global part. */
  message: { envelope: Envelope; body: PartInfo } | null;
}

type AddressOrGroup = ReturnType<typeof addressparser>[number];

function addresses(value: string | null): AddressTuple[] | null {
  if (value === null || value.trim() === '') return null;
  let list: AddressOrGroup[];
  try {
    list = addressparser(value);
  } catch {
    return null;
  }
  const out: AddressTuple[] = [];
  const one = (name: string, address: string): void => {
    const at = address.lastIndexOf('@');
    const local = at < 0 ? address : address.slice(0, at);
    const host = at < 0 ? null : address.slice(at + 1);
    out.push([name || null, null, local || null, host || null]);
  };
  for (const a of list) {
    if ('group' in a && a.group) {
      // RFC 9051 §7.5.2: a group is [NIL NIL name NIL] … [NIL NIL NIL NIL].
      out.push([null, null, a.name || '', null]);
      // A member without an address is a comment inside the group ("g: (none) ;"), not a
      // mailbox (RFC 5322 §3.4: group-list is mailbox-list / CFWS / obs-group-list).
      for (const m of a.group) if (m.address) one(m.name ?? '', m.address);
      out.push([null, null, null, null]);
    } else if ('address' in a && (a.address || a.name)) one(a.name, a.address ?? '');
  }
  return out.length ? out : null;
}

export function envelopeOf(headers: Header[]): Envelope {
  const h = (n: string): string | null => headerValue(headers, n);
  const from = addresses(h('from'));
  // RFC 9051 §7.5.2: Sender and Reply-To default to From.
  return {
    date: h('date'),
    subject: h('subject'),
    from,
    sender: addresses(h('sender')) ?? from,
    replyTo: addresses(h('reply-to')) ?? from,
    to: addresses(h('to')),
    cc: addresses(h('cc')),
    bcc: addresses(h('bcc')),
    inReplyTo: h('in-reply-to'),
    messageId: h('message-id'),
  };
}

function disposition(headers: Header[]): PartInfo['disposition'] {
  const v = headerValue(headers, 'content-disposition');
  if (!v) return null;
  const d = parseParams(v);
  if (!d.main) return null;
  return { type: d.main, params: d.params };
}

function language(headers: Header[]): string[] | null {
  const v = headerValue(headers, 'content-language');
  if (!v) return null;
  const langs = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  return langs.length ? langs : null;
}

/** The structure of a part of `buf` (the message `part` was parsed from). */
export function partInfo(buf: Buffer, part: MimePart): PartInfo {
  const h = part.headers;
  const leaf = part.children.length === 0;
  const lines =
    leaf && (part.message || part.type === 'text')
      ? countLines(buf, part.bodyStart, part.end)
      : null;
  return {
    start: part.start,
    bodyStart: part.bodyStart,
    end: part.end,
    type: part.type,
    subtype: part.subtype,
    params: part.params,
    id: headerValue(h, 'content-id'),
    description: headerValue(h, 'content-description'),
    encoding:
      (headerValue(h, 'content-transfer-encoding') ?? '7BIT').trim().toUpperCase() || '7BIT',
    lines,
    md5: headerValue(h, 'content-md5'),
    disposition: disposition(h),
    language: language(h),
    location: headerValue(h, 'content-location'),
    children: part.children.map((c) => partInfo(buf, c)),
    message:
      leaf && part.message
        ? { envelope: envelopeOf(part.message.headers), body: partInfo(buf, part.message) }
        : null,
  };
}

/** The envelope and structure of a whole message. */
export interface MessageStructure {
  envelope: Envelope;
  structure: PartInfo;
}

export function messageStructure(buf: Buffer, root: MimePart = parseMime(buf)): MessageStructure {
  return { envelope: envelopeOf(root.headers), structure: partInfo(buf, root) };
}
