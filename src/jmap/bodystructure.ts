// The body of an Email as RFC 8621 §4.1.4 shows it: EmailBodyPart trees (bodyStructure), the
// textBody / htmlBody / attachments lists chosen by the RFC's parseStructure algorithm, and
// bodyValues (decoded text, optionally truncated). Parts come from the stored part structure
// (mail/structure.ts PartInfo, blob_meta) and their bytes from the message blob. Part ids
// follow IMAP section numbers ("1", "2.1"); message/rfc822 parts are leaves (§4.1.4: no
// recursion into attached messages). Never throws on malformed mail.
import { decodeWords } from 'postal-mime';
import type { PartInfo } from '../mail/structure.ts';
import { rawFields } from '../mail/headerfields.ts';
import { charsetOf, decodedSize, partText } from '../mail/partcontent.ts';
import { partBlobId } from './blobid.ts';
import { headerProperty, headerValue, type HeaderProperty } from './headerforms.ts';
import { MethodError } from './errors.ts';

export interface BodyNode {
  info: PartInfo;
  /** Null for multipart parts (§4.1.4). */
  partId: string | null;
  /** "type/subtype", lower case. */
  type: string;
  name: string | null;
  disposition: string | null;
  children: BodyNode[];
}

export const BODY_PROPERTIES = [
  'partId',
  'blobId',
  'size',
  'headers',
  'name',
  'type',
  'charset',
  'disposition',
  'cid',
  'language',
  'location',
  'subParts',
] as const;

export const DEFAULT_BODY_PROPERTIES = [
  'partId',
  'blobId',
  'size',
  'name',
  'type',
  'charset',
  'disposition',
  'cid',
  'language',
  'location',
];

/** A parameter's value: RFC 2231 continuations and charsets joined and decoded, else RFC 2047. */
export function paramValue(params: [string, string][], name: string): string | null {
  const plain = params.find(([k]) => k === name);
  const pieces = params
    .map(([k, v]) => {
      const m = /^(.+?)\*(?:(\d+)\*?|)$/.exec(k);
      if (!m || m[1] !== name) return null;
      return { n: m[2] === undefined ? 0 : Number(m[2]), ext: k.endsWith('*'), v };
    })
    .filter((p) => p !== null)
    .sort((a, b) => a.n - b.n);
  if (pieces.length > 0) {
    let charset = 'utf-8';
    const bytes: number[] = [];
    pieces.forEach((p, i) => {
      let v = p.v;
      if (p.ext && i === 0) {
        const m = /^([^']*)'[^']*'(.*)$/s.exec(v);
        if (m) {
          charset = m[1] || 'utf-8';
          v = m[2]!;
        }
      }
      if (p.ext)
        v.replace(/%([0-9A-Fa-f]{2})|[^%]|%/g, (s, hex?: string) => {
          if (hex) bytes.push(parseInt(hex, 16));
          else bytes.push(...Buffer.from(s, 'utf8'));
          return '';
        });
      else bytes.push(...Buffer.from(v, 'utf8'));
    });
    try {
      return new TextDecoder(charset).decode(new Uint8Array(bytes)).normalize('NFC');
    } catch {
      return Buffer.from(bytes).toString('utf8').normalize('NFC');
    }
  }
  if (!plain) return null;
  try {
    return decodeWords(plain[1]).normalize('NFC');
  } catch {
    return plain[1];
  }
}

function nameOf(info: PartInfo): string | null {
  return (
    (info.disposition && paramValue(info.disposition.params, 'filename')) ??
    paramValue(info.params, 'name')
  );
}

/** The EmailBodyPart tree of a message's structure. */
export function bodyTree(root: PartInfo): BodyNode {
  const build = (info: PartInfo, path: string): BodyNode => {
    const multipart = info.type === 'multipart' && info.children.length > 0;
    return {
      info,
      partId: multipart ? null : path,
      type: `${info.type}/${info.subtype}`,
      name: nameOf(info),
      disposition: info.disposition ? info.disposition.type.toLowerCase() : null,
      children: multipart
        ? info.children.map((c, i) => build(c, path === '' ? String(i + 1) : `${path}.${i + 1}`))
        : [],
    };
  };
  const multipart = root.type === 'multipart' && root.children.length > 0;
  return multipart ? build(root, '') : build(root, '1');
}

/** Every part of a tree, depth first. */
export function allParts(node: BodyNode): BodyNode[] {
  return [node, ...node.children.flatMap(allParts)];
}

export function findPart(root: PartInfo, partId: string): PartInfo | null {
  return allParts(bodyTree(root)).find((n) => n.partId === partId)?.info ?? null;
}

const isInlineMedia = (type: string): boolean => /^(image|audio|video)\//.test(type);

export interface BodyLists {
  textBody: BodyNode[];
  htmlBody: BodyNode[];
  attachments: BodyNode[];
}

/** RFC 8621 §4.1.4's parseStructure, as the RFC writes it. */
export function bodyLists(tree: BodyNode): BodyLists {
  const textBody: BodyNode[] = [];
  const htmlBody: BodyNode[] = [];
  const attachments: BodyNode[] = [];
  const walk = (
    parts: BodyNode[],
    multipartType: string,
    inAlternative: boolean,
    html: BodyNode[] | null,
    text: BodyNode[] | null,
  ): void => {
    const textLength = text ? text.length : -1;
    const htmlLength = html ? html.length : -1;
    parts.forEach((part, i) => {
      const isMultipart = part.partId === null;
      const isInline =
        part.disposition !== 'attachment' &&
        (part.type === 'text/plain' || part.type === 'text/html' || isInlineMedia(part.type)) &&
        (i === 0 || (multipartType !== 'related' && (isInlineMedia(part.type) || !part.name)));
      if (isMultipart) {
        const sub = part.type.split('/')[1]!;
        walk(part.children, sub, inAlternative || sub === 'alternative', html, text);
      } else if (isInline) {
        if (multipartType === 'alternative') {
          if (part.type === 'text/plain') text?.push(part);
          else if (part.type === 'text/html') html?.push(part);
          else attachments.push(part);
          return;
        } else if (inAlternative) {
          if (part.type === 'text/plain') html = null;
          if (part.type === 'text/html') text = null;
        }
        text?.push(part);
        html?.push(part);
        if ((!text || !html) && isInlineMedia(part.type)) attachments.push(part);
      } else attachments.push(part);
    });
    if (multipartType === 'alternative' && text && html) {
      if (textLength === text.length && htmlLength !== html.length)
        for (let i = htmlLength; i < html.length; i++) text.push(html[i]!);
      if (htmlLength === html.length && textLength !== text.length)
        for (let i = textLength; i < text.length; i++) html.push(text[i]!);
    }
  };
  walk([tree], 'mixed', false, htmlBody, textBody);
  return { textBody, htmlBody, attachments };
}

/** The bodyProperties of a request, checked (unknown ones are invalidArguments). */
export function bodyProperties(requested: string[] | undefined): {
  plain: Set<string>;
  headers: HeaderProperty[];
} {
  const list = requested ?? DEFAULT_BODY_PROPERTIES;
  const plain = new Set<string>();
  const headers: HeaderProperty[] = [];
  for (const p of list) {
    const h = headerProperty(p);
    if (h) headers.push(h);
    else if ((BODY_PROPERTIES as readonly string[]).includes(p)) plain.add(p);
    else throw new MethodError('invalidArguments', `unknown body property ${p}`);
  }
  return { plain, headers };
}

/** One EmailBodyPart object with the chosen properties. */
export function bodyPartObject(
  node: BodyNode,
  buf: Buffer,
  hash: string,
  props: { plain: Set<string>; headers: HeaderProperty[] },
  withSubParts: boolean,
): Record<string, unknown> {
  const { info } = node;
  const out: Record<string, unknown> = {};
  const has = (p: string): boolean => props.plain.has(p);
  const fields = () => rawFields(buf, info.start, info.bodyStart);
  if (has('partId')) out.partId = node.partId;
  if (has('blobId')) out.blobId = node.partId === null ? null : partBlobId(hash, node.partId);
  if (has('size')) out.size = node.partId === null ? 0 : decodedSize(buf, info);
  if (has('headers')) out.headers = fields();
  if (has('name')) out.name = node.name;
  if (has('type')) out.type = node.type;
  if (has('charset'))
    out.charset =
      info.type === 'text'
        ? charsetOf(info)
        : (info.params.find(([k]) => k === 'charset')?.[1] ?? null);
  if (has('disposition')) out.disposition = node.disposition;
  if (has('cid')) out.cid = info.id ? info.id.trim().replace(/^<|>$/g, '') : null;
  if (has('language')) out.language = info.language;
  if (has('location')) out.location = info.location;
  if (props.headers.length > 0) {
    const f = fields();
    for (const h of props.headers) out[h.property] = headerValue(f, h);
  }
  if (withSubParts && (has('subParts') || node.partId === null))
    out.subParts =
      node.partId === null
        ? node.children.map((c) => bodyPartObject(c, buf, hash, props, true))
        : null;
  return out;
}

export interface BodyValue {
  value: string;
  isEncodingProblem: boolean;
  isTruncated: boolean;
}

/** Cuts text to at most `max` UTF-8 bytes, never inside a grapheme (Lao marks stay whole). */
export function truncateUtf8(text: string, max: number): { text: string; cut: boolean } {
  if (max <= 0 || Buffer.byteLength(text, 'utf8') <= max) return { text, cut: false };
  let bytes = 0;
  let end = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    const n = Buffer.byteLength(segment, 'utf8');
    if (bytes + n > max) break;
    bytes += n;
    end = index + segment.length;
  }
  return { text: text.slice(0, end), cut: true };
}

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** The decoded text of a text/* part for bodyValues (§4.1.4 EmailBodyValue). */
export function bodyValue(buf: Buffer, node: BodyNode, maxBytes: number): BodyValue {
  const { text, problem } = partText(buf, node.info);
  const t = truncateUtf8(text, maxBytes);
  return { value: t.text, isEncodingProblem: problem, isTruncated: t.cut };
}

/** A preview no longer than `max` characters that ends on a whole grapheme. */
export function wholePreview(preview: string, max = 256): string {
  if (preview.length < max) return preview;
  // The stored preview may have been cut mid-grapheme: drop its last, possibly partial, one.
  const parts = [...graphemes.segment(preview.slice(0, max))];
  parts.pop();
  return parts
    .map((s) => s.segment)
    .join('')
    .trimEnd();
}
