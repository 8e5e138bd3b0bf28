// The metadata of a message computed once at delivery (DESIGN.md, "Mail is JMAP-shaped"):
// subject, addresses, date, ids for threading, a preview and whether it has attachments.
// Never throws: a message that does not parse still gets stored, with what could be read.
// A simple one-part text message is read directly (quickmeta.ts, about ten times faster);
// everything else goes through postal-mime, and both give the same result.
// `parseMessage` also returns the text the search index reads (MessageText), from the same
// single parse: decoded text parts (HTML as text) bounded to TEXT_CHARS, addresses, file names,
// and the header fields (for IMAP TEXT).
import PostalMime, { decodeWords, type Address } from 'postal-mime';
import { parseHeaders } from './mimeparts.ts';
import { htmlToText } from './htmltext.ts';
import { quickFields, type QuickFields } from './quickmeta.ts';

export interface MessageMeta {
  subject: string;
  from: string; // "Name <addr>" list as display text
  fromAddresses: string[];
  to: string;
  sentAt: number | null;
  messageId: string | null; // without angle brackets
  inReplyTo: string[];
  references: string[];
  preview: string;
  hasAttachment: boolean;
}

function flatten(list: Address[] | Address | undefined): { name: string; address: string }[] {
  if (!list) return [];
  const arr = Array.isArray(list) ? list : [list];
  const out: { name: string; address: string }[] = [];
  for (const a of arr) {
    if ('group' in a && Array.isArray(a.group)) out.push(...flatten(a.group));
    else if ('address' in a) out.push({ name: a.name ?? '', address: a.address ?? '' });
  }
  return out;
}

function display(list: { name: string; address: string }[]): string {
  return list.map((a) => (a.name ? `${a.name} <${a.address}>` : a.address)).join(', ');
}

export function messageIds(text: string | undefined): string[] {
  if (!text) return [];
  const ids = [...text.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1]!);
  return ids.length ? ids : text.split(/\s+/).filter(Boolean);
}

const PREVIEW_CHARS = 256;

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** At most `max` UTF-16 units of text, cut only between graphemes (Lao marks stay whole). */
export function makePreview(text: string, max = PREVIEW_CHARS): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  let end = 0;
  for (const { segment, index } of graphemes.segment(t.slice(0, max + 8))) {
    if (index + segment.length > max) break;
    end = index + segment.length;
  }
  return t.slice(0, end);
}

/** Text safe for every store: NFC, and no NUL or other C0 controls (PostgreSQL refuses NUL). */
export function cleanText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, '').normalize('NFC');
}

function clean(meta: MessageMeta): MessageMeta {
  return {
    ...meta,
    subject: cleanText(meta.subject),
    from: cleanText(meta.from),
    fromAddresses: meta.fromAddresses.map(cleanText),
    to: cleanText(meta.to),
    messageId: meta.messageId === null ? null : cleanText(meta.messageId),
    inReplyTo: meta.inReplyTo.map(cleanText),
    references: meta.references.map(cleanText),
    preview: cleanText(meta.preview),
  };
}

export async function parseMeta(raw: Uint8Array): Promise<MessageMeta> {
  return clean(await parseUnsafe(raw));
}

/** `parseMeta` always through postal-mime: the reference the fast path is held to. */
export async function parseMetaFull(raw: Uint8Array): Promise<MessageMeta> {
  return clean(await parseFull(raw));
}

const EMPTY: MessageMeta = {
  subject: '',
  from: '',
  fromAddresses: [],
  to: '',
  sentAt: null,
  messageId: null,
  inReplyTo: [],
  references: [],
  preview: '',
  hasAttachment: false,
};

/** What parseMeta needs from a parse, fast or full. */
interface Parsed extends Omit<QuickFields, 'from' | 'to'> {
  from?: Address;
  to?: Address[];
  hasAttachment: boolean;
}

function build(p: Parsed): MessageMeta {
  const from = flatten(p.from);
  const to = flatten(p.to);
  const date = p.date ? Date.parse(p.date) : NaN;
  return {
    subject: p.subject ?? '',
    from: display(from),
    fromAddresses: from.map((a) => a.address.toLowerCase()).filter(Boolean),
    to: display(to),
    sentAt: Number.isFinite(date) ? date : null,
    messageId: messageIds(p.messageId)[0] ?? null,
    inReplyTo: messageIds(p.inReplyTo),
    references: messageIds(p.references),
    preview: makePreview(p.text),
    hasAttachment: p.hasAttachment,
  };
}

/** The full parse with postal-mime (multipart, encoded bodies, attachments, …). */
async function parseFull(raw: Uint8Array): Promise<MessageMeta> {
  return (await parseBoth(raw)).meta;
}

async function parseBoth(raw: Uint8Array): Promise<ParsedMessage> {
  try {
    const email = await PostalMime.parse(raw, {
      attachmentEncoding: 'arraybuffer',
      maxNestingDepth: 64,
    });
    const text = email.text ?? (email.html ? htmlToText(email.html) : '');
    return {
      meta: build({
        ...email,
        text,
        hasAttachment: email.attachments.some((a) => a.disposition !== 'inline' || !a.contentId),
      }),
      text: {
        subject: email.subject ?? '',
        from: display(flatten(email.from)),
        to: display(flatten(email.to)),
        cc: display(flatten(email.cc)),
        bcc: display(flatten(email.bcc)),
        body: text.slice(0, TEXT_CHARS),
        attachments: email.attachments
          .map((a) => a.filename ?? '')
          .filter(Boolean)
          .join('\n'),
        headers: headerIndexText(raw),
      },
    };
  } catch {
    return { meta: EMPTY, text: EMPTY_TEXT };
  }
}

function tryQuick(raw: Uint8Array): QuickFields | null {
  try {
    return quickFields(raw, PREVIEW_CHARS);
  } catch {
    return null;
  }
}

async function parseUnsafe(raw: Uint8Array): Promise<MessageMeta> {
  const quick = tryQuick(raw);
  return quick ? build({ ...quick, hasAttachment: false }) : parseFull(raw);
}

/** What the search index reads of a message: decoded text, not yet cut into words. */
export interface MessageText {
  subject: string;
  from: string;
  to: string;
  cc: string;
  bcc: string;
  /** The decoded text parts (HTML as text), at most TEXT_CHARS characters. */
  body: string;
  /** Attachment file names, one per line. */
  attachments: string;
  /** The header fields as "name: value" lines, words decoded (IMAP TEXT, RFC 9051 §6.4.4). */
  headers: string;
}

export interface ParsedMessage {
  meta: MessageMeta;
  text: MessageText;
}

/** How much body text is indexed (characters). */
export const TEXT_CHARS = 256 * 1024;

const EMPTY_TEXT: MessageText = {
  subject: '',
  from: '',
  to: '',
  cc: '',
  bcc: '',
  body: '',
  attachments: '',
  headers: '',
};

/** How much header text is indexed (characters). */
const HEADER_CHARS = 16 * 1024;
/** Fields of base64 signatures: no words anyone searches for. */
const UNSEARCHED = new Set([
  'dkim-signature',
  'arc-seal',
  'arc-message-signature',
  'x-google-dkim-signature',
]);

/**
 * The top-level header fields of a message as the index reads them: "name: value" lines,
 * RFC 2047 words decoded, signatures left out, at most HEADER_CHARS characters.
 */
export function headerIndexText(raw: Uint8Array): string {
  const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  let end = buf.length;
  for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (buf[i + 1] === 0x0a || (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a)) {
      end = i + 1;
      break;
    }
  }
  const lines: string[] = [];
  let size = 0;
  for (const f of parseHeaders(buf.toString('utf8', 0, Math.min(end, HEADER_CHARS * 4)))) {
    if (UNSEARCHED.has(f.name)) continue;
    let value = f.value;
    try {
      value = decodeWords(f.value);
    } catch {
      // kept as written
    }
    const line = `${f.name}: ${value}`;
    lines.push(line);
    size += line.length + 1;
    if (size >= HEADER_CHARS) break;
  }
  return lines.join('\n').slice(0, HEADER_CHARS);
}

/** The body of a simple message as text, up to TEXT_CHARS (a cut character is dropped). */
function quickBody(raw: Uint8Array, body: { offset: number; charset: string }): string {
  const bytes = raw.subarray(body.offset, body.offset + TEXT_CHARS * 4);
  const text = new TextDecoder(body.charset).decode(bytes, { stream: true });
  return text.length > TEXT_CHARS ? text.slice(0, TEXT_CHARS) : text;
}

/** Metadata and index text from one parse (the delivery path). Never throws. */
export async function parseMessage(raw: Uint8Array): Promise<ParsedMessage> {
  const quick = tryQuick(raw);
  if (!quick?.body) return parseMessageFull(raw);
  const meta = clean(build({ ...quick, hasAttachment: false }));
  return {
    meta,
    text: {
      subject: meta.subject,
      from: meta.from,
      to: meta.to,
      cc: display(flatten(quick.cc)),
      bcc: display(flatten(quick.bcc)),
      body: quickBody(raw, quick.body),
      attachments: '',
      headers: headerIndexText(raw),
    },
  };
}

/** `parseMessage` always through postal-mime: the reference the fast path is held to. */
export async function parseMessageFull(raw: Uint8Array): Promise<ParsedMessage> {
  const both = await parseBoth(raw);
  return { meta: clean(both.meta), text: both.text };
}
