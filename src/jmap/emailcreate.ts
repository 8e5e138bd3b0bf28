// A new Email from its JMAP object (RFC 8621 §4.6 create): the header properties, the body as
// textBody / htmlBody / attachments or as a whole bodyStructure, text from bodyValues and
// attachments by blobId, turned into an RFC 5322 message by nodemailer's MimeNode (which
// encodes Lao headers as RFC 2047 words and picks transfer encodings). Problems are
// SetFailures: invalidProperties naming the property, blobNotFound with the missing ids,
// tooLarge over maxSizeAttachmentsPerEmail.
import MimeNode from 'nodemailer/lib/mime-node';
import { flagToKeyword } from '../mail/keywords.ts';
import { formatDate, newMessageId } from '../mail/headers.ts';
import type { CallContext } from './context.ts';
import { readBlob } from './blobs.ts';
import { headerProperty } from './headerforms.ts';
import { MAIL_ACCOUNT_CAPABILITY } from './limits.ts';
import { invalid, resolveId, SetFailure } from './set.ts';

export interface NewEmail {
  raw: Buffer;
  mailboxIds: string[];
  keywords: string[];
  receivedAt: number | undefined;
}

type Obj = Record<string, unknown>;

const ADDRESS_PROPS: Record<string, string> = {
  from: 'From',
  sender: 'Sender',
  to: 'To',
  cc: 'Cc',
  bcc: 'Bcc',
  replyTo: 'Reply-To',
};
const ID_PROPS: Record<string, string> = {
  messageId: 'Message-ID',
  inReplyTo: 'In-Reply-To',
  references: 'References',
};
const IGNORED_SERVER_SET = ['id', 'blobId', 'threadId', 'size', 'hasAttachment', 'preview'];

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function addresses(v: unknown, prop: string): { name: string; address: string }[] {
  if (!Array.isArray(v)) throw invalid(prop, `${prop} must be a list of EmailAddress`);
  return v.map((a) => {
    if (!isObj(a) || typeof a.email !== 'string' || !/^[^\s@<>]+@[^\s@<>]+$/.test(a.email))
      throw invalid(prop, `${prop} holds an address that is not valid`);
    if (a.name !== undefined && a.name !== null && typeof a.name !== 'string')
      throw invalid(prop, `${prop}: a name must be a string`);
    return { name: (a.name as string | null) ?? '', address: a.email };
  });
}

function msgIds(v: unknown, prop: string): string {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && /^[^\s<>]+$/.test(x)))
    throw invalid(prop, `${prop} must be a list of message ids without angle brackets`);
  return (v as string[]).map((x) => `<${x}>`).join(' ');
}

function utcDateMs(v: unknown, prop: string): number {
  const t = typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw invalid(prop, `${prop} must be a date`);
  return t;
}

interface Part {
  type: string;
  content: Buffer | string | null;
  name: string | null;
  disposition: string | null;
  cid: string | null;
  language: string[] | null;
  location: string | null;
  children: Part[];
  headers: [string, string][];
}

class Builder {
  total = 0;
  readonly missing: string[] = [];
  readonly ctx: CallContext;
  readonly accountId: number;
  readonly values: Map<string, string>;
  readonly used = new Set<string>();
  constructor(ctx: CallContext, accountId: number, values: Map<string, string>) {
    this.ctx = ctx;
    this.accountId = accountId;
    this.values = values;
  }

  async part(v: unknown, prop: string, defaultType: string | null): Promise<Part> {
    if (!isObj(v)) throw invalid(prop, `${prop} must be an EmailBodyPart`);
    const type = typeof v.type === 'string' ? v.type.toLowerCase() : defaultType;
    const p: Part = {
      type: type ?? 'application/octet-stream',
      content: null,
      name: typeof v.name === 'string' ? v.name : null,
      disposition: typeof v.disposition === 'string' ? v.disposition.toLowerCase() : null,
      cid: typeof v.cid === 'string' ? v.cid : null,
      language: Array.isArray(v.language) ? (v.language as string[]) : null,
      location: typeof v.location === 'string' ? v.location : null,
      children: [],
      headers: [],
    };
    for (const [k, x] of Object.entries(v)) {
      const h = headerProperty(k);
      if (!h) continue;
      if (h.name.startsWith('content-transfer-encoding'))
        throw invalid(`${prop}/${k}`, 'the transfer encoding is chosen by the server');
      if (typeof x !== 'string') throw invalid(`${prop}/${k}`, 'give header values as text');
      p.headers.push([k.slice(7).split(':')[0]!, x]);
    }
    if (
      v.charset !== undefined &&
      v.charset !== null &&
      String(v.charset).toLowerCase() !== 'utf-8'
    )
      throw invalid(`${prop}/charset`, 'text is sent as UTF-8');
    if (p.type.startsWith('multipart/')) {
      if (!Array.isArray(v.subParts))
        throw invalid(`${prop}/subParts`, 'a multipart needs subParts');
      for (const [i, c] of v.subParts.entries())
        p.children.push(await this.part(c, `${prop}/subParts/${i}`, 'text/plain'));
      return p;
    }
    if (typeof v.partId === 'string') {
      if (v.blobId !== undefined && v.blobId !== null)
        throw invalid(prop, 'a part has a partId or a blobId, not both');
      const text = this.values.get(v.partId);
      if (text === undefined) throw invalid(`${prop}/partId`, `no bodyValue ${v.partId}`);
      if (!p.type.startsWith('text/')) throw invalid(`${prop}/type`, 'a bodyValue is text');
      this.used.add(v.partId);
      p.content = text;
      this.total += Buffer.byteLength(text);
    } else if (typeof v.blobId === 'string') {
      const bytes = await readBlob(this.ctx.core, this.accountId, v.blobId);
      if (!bytes) this.missing.push(v.blobId);
      else {
        p.content = bytes;
        this.total += bytes.length;
      }
    } else throw invalid(prop, 'a part needs a partId or a blobId');
    return p;
  }
}

/** The default shape of §4.6 for textBody / htmlBody / attachments. */
function assemble(text: Part | null, html: Part | null, atts: Part[]): Part {
  const multi = (sub: string, children: Part[]): Part => ({
    type: `multipart/${sub}`,
    content: null,
    name: null,
    disposition: null,
    cid: null,
    language: null,
    location: null,
    children,
    headers: [],
  });
  const inline = atts.filter((a) => a.cid && a.disposition !== 'attachment' && html);
  const other = atts.filter((a) => !inline.includes(a));
  const htmlPart = html && inline.length > 0 ? multi('related', [html, ...inline]) : html;
  const body =
    text && htmlPart ? multi('alternative', [text, htmlPart]) : (text ?? htmlPart ?? null);
  if (other.length === 0) return body ?? { ...multi('mixed', []), type: 'text/plain', content: '' };
  return multi('mixed', body ? [body, ...other] : other);
}

function toNode(p: Part, node: MimeNode): void {
  if (p.language) node.setHeader('Content-Language', p.language.join(', '));
  if (p.location) node.setHeader('Content-Location', p.location);
  for (const [k, v] of p.headers) node.addHeader(k, v);
  if (p.type.startsWith('multipart/')) {
    for (const c of p.children) {
      const child = node.createChild(
        c.type.startsWith('text/') ? `${c.type}; charset=utf-8` : c.type,
        {
          ...(c.name ? { filename: c.name } : {}),
        },
      );
      if (c.disposition || c.cid)
        child.setHeader('Content-Disposition', c.disposition ?? (c.cid ? 'inline' : 'attachment'));
      if (c.cid) child.setHeader('Content-Id', `<${c.cid.replace(/^<|>$/g, '')}>`);
      toNode(c, child);
    }
  } else node.setContent(p.content ?? '');
}

/** Checks a create object and builds its message. */
export async function composeEmail(
  ctx: CallContext,
  accountId: number,
  obj: Obj,
): Promise<NewEmail> {
  const mailboxIds: string[] = [];
  if (!isObj(obj.mailboxIds) || Object.keys(obj.mailboxIds).length === 0)
    throw invalid('mailboxIds', 'an email must be in at least one mailbox');
  for (const [k, v] of Object.entries(obj.mailboxIds)) {
    const id = resolveId(ctx, k);
    if (v !== true || !id) throw invalid('mailboxIds', `no mailbox ${k}`);
    mailboxIds.push(id);
  }
  const keywords: string[] = [];
  if (obj.keywords !== undefined) {
    if (!isObj(obj.keywords)) throw invalid('keywords', 'keywords must be an object');
    for (const [k, v] of Object.entries(obj.keywords)) {
      const kw = flagToKeyword(k);
      if (v !== true || kw === null || k.startsWith('\\'))
        throw invalid('keywords', `${k} is not a keyword`);
      keywords.push(kw);
    }
  }
  const receivedAt =
    obj.receivedAt === undefined ? undefined : utcDateMs(obj.receivedAt, 'receivedAt');
  const values = new Map<string, string>();
  if (obj.bodyValues !== undefined) {
    if (!isObj(obj.bodyValues)) throw invalid('bodyValues', 'bodyValues must be an object');
    for (const [k, v] of Object.entries(obj.bodyValues)) {
      if (!isObj(v) || typeof v.value !== 'string')
        throw invalid(`bodyValues/${k}`, 'a body value needs its text');
      if (v.isEncodingProblem === true || v.isTruncated === true)
        throw invalid(`bodyValues/${k}`, 'isEncodingProblem and isTruncated must be false');
      values.set(k, v.value);
    }
  }
  const b = new Builder(ctx, accountId, values);
  let root: Part;
  if (obj.bodyStructure !== undefined) {
    if (obj.textBody !== undefined || obj.htmlBody !== undefined || obj.attachments !== undefined)
      throw invalid(
        'bodyStructure',
        'give bodyStructure or textBody/htmlBody/attachments, not both',
      );
    root = await b.part(obj.bodyStructure, 'bodyStructure', 'text/plain');
  } else {
    const one = async (prop: string, type: string): Promise<Part | null> => {
      const v = obj[prop];
      if (v === undefined || v === null) return null;
      if (!Array.isArray(v) || v.length > 1) throw invalid(prop, `${prop} holds at most one part`);
      if (v.length === 0) return null;
      const p = await b.part(v[0], `${prop}/0`, type);
      if (p.type !== type) throw invalid(`${prop}/0/type`, `${prop} must be ${type}`);
      return p;
    };
    const text = await one('textBody', 'text/plain');
    const html = await one('htmlBody', 'text/html');
    const atts: Part[] = [];
    if (obj.attachments !== undefined && obj.attachments !== null) {
      if (!Array.isArray(obj.attachments))
        throw invalid('attachments', 'attachments must be a list');
      for (const [i, a] of obj.attachments.entries())
        atts.push(await b.part(a, `attachments/${i}`, null));
    }
    root = assemble(text, html, atts);
  }
  if (b.missing.length > 0) {
    const f = new SetFailure('blobNotFound', 'some blobs are not found');
    (f.error as { notFound?: string[] }).notFound = b.missing;
    throw f;
  }
  if (b.total > MAIL_ACCOUNT_CAPABILITY.maxSizeAttachmentsPerEmail)
    throw new SetFailure('tooLarge', 'the email is larger than this server accepts');

  const hostname = ctx.core.config.hostname;
  const node = new MimeNode(
    root.type.startsWith('text/') ? `${root.type}; charset=utf-8` : root.type,
    { keepBcc: true, hostname, newline: 'win', ...(root.name ? { filename: root.name } : {}) },
  );
  const headerProps: [string, unknown][] = [];
  for (const [k, v] of Object.entries(obj)) {
    if (k in ADDRESS_PROPS) {
      if (v !== null) node.setHeader(ADDRESS_PROPS[k]!, addresses(v, k));
    } else if (k in ID_PROPS) {
      if (v !== null) node.setHeader(ID_PROPS[k]!, { value: msgIds(v, k), prepared: true });
    } else if (k === 'subject') {
      if (v !== null && typeof v !== 'string') throw invalid(k, 'subject must be a string');
      if (v !== null) node.setHeader('Subject', v);
    } else if (k === 'sentAt') {
      if (v !== null) node.setHeader('Date', formatDate(new Date(utcDateMs(v, k))));
    } else if (k.startsWith('header:')) headerProps.push([k, v]);
    else if (k === 'headers') throw invalid(k, 'give header fields as header:{name} properties');
    else if (IGNORED_SERVER_SET.includes(k)) throw invalid(k, `${k} is set by the server`);
    else if (
      ![
        'mailboxIds',
        'keywords',
        'receivedAt',
        'bodyValues',
        'bodyStructure',
        'textBody',
        'htmlBody',
        'attachments',
      ].includes(k)
    )
      throw invalid(k, `unknown property ${k}`);
  }
  for (const [k, v] of headerProps) {
    const h = headerProperty(k);
    if (!h || h.all) throw invalid(k, `${k} cannot be set`);
    if (h.name.startsWith('content-'))
      throw invalid(k, 'Content-* fields belong to body parts (RFC 8621 §4.6)');
    if (v === null) continue;
    const name = k.slice(7).split(':')[0]!;
    if (h.form === 'Addresses') node.setHeader(name, addresses(v, k));
    else if (h.form === 'MessageIds') node.setHeader(name, { value: msgIds(v, k), prepared: true });
    else if (h.form === 'Date') node.setHeader(name, formatDate(new Date(utcDateMs(v, k))));
    else if (h.form === 'URLs') {
      if (!Array.isArray(v)) throw invalid(k, 'URLs must be a list');
      node.setHeader(name, { value: v.map((u) => `<${String(u)}>`).join(', '), prepared: true });
    } else if (typeof v === 'string')
      node.setHeader(name, h.form === 'Raw' ? { value: v.trim(), prepared: true } : v);
    else throw invalid(k, `${k} must be text`);
  }
  if (obj.sentAt === undefined || obj.sentAt === null)
    node.setHeader('Date', formatDate(new Date()));
  if (obj.messageId === undefined || obj.messageId === null)
    node.setHeader('Message-ID', { value: newMessageId(hostname), prepared: true });
  node.setHeader('MIME-Version', '1.0');
  toNode(root, node);
  return { raw: await node.build(), mailboxIds, keywords, receivedAt };
}
