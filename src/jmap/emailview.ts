// The parts of an Email read from its message (RFC 8621 §4.1.2–4.1.4): header-derived
// properties and "header:…" forms from the header block, and the body properties from the
// part structure and the bytes. Shared by Email/get (stored emails) and Email/parse (blobs).
// Without a part structure (`root` null) only the header properties are computed.
import { z } from 'zod';
import type { PartInfo } from '../mail/structure.ts';
import { uintSchema } from './context.ts';
import { rawFields } from '../mail/headerfields.ts';
import { asAddresses, asMessageIds, headerValue, type HeaderProperty } from './headerforms.ts';
import {
  allParts,
  bodyLists,
  bodyPartObject,
  bodyProperties,
  bodyTree,
  bodyValue,
  type BodyNode,
} from './bodystructure.ts';

/** Header-derived convenience properties (§4.1.3) and the field each reads. */
export const HEADER_CONVENIENCE: Record<string, [field: string, form: 'Addresses' | 'MessageIds']> =
  {
    messageId: ['message-id', 'MessageIds'],
    inReplyTo: ['in-reply-to', 'MessageIds'],
    references: ['references', 'MessageIds'],
    sender: ['sender', 'Addresses'],
    from: ['from', 'Addresses'],
    to: ['to', 'Addresses'],
    cc: ['cc', 'Addresses'],
    bcc: ['bcc', 'Addresses'],
    replyTo: ['reply-to', 'Addresses'],
  };
export const BODY = ['bodyStructure', 'bodyValues', 'textBody', 'htmlBody', 'attachments'];

/** Where the header block ends (its blank line), without parsing the body. */
function headerBlockEnd(buf: Buffer): number {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  const ends = [crlf < 0 ? -1 : crlf + 4, lf < 0 ? -1 : lf + 2].filter((n) => n >= 0);
  return ends.length > 0 ? Math.min(...ends) : buf.length;
}

export interface BodyArgs {
  bodyProperties?: string[] | undefined;
  fetchTextBodyValues?: boolean | undefined;
  fetchHTMLBodyValues?: boolean | undefined;
  fetchAllBodyValues?: boolean | undefined;
  maxBodyValueBytes?: number | undefined;
}

export function messageView(
  buf: Buffer,
  hash: string,
  root: PartInfo | null,
  args: BodyArgs,
  props: Set<string>,
  headers: HeaderProperty[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const fields = rawFields(buf, 0, root?.bodyStart ?? headerBlockEnd(buf));
  for (const [prop, [field, form]] of Object.entries(HEADER_CONVENIENCE)) {
    if (!props.has(prop)) continue;
    const last = fields.filter((f) => f.name.toLowerCase() === field).pop();
    out[prop] = !last
      ? null
      : form === 'MessageIds'
        ? asMessageIds(last.value)
        : asAddresses(last.value);
  }
  if (props.has('headers')) out.headers = fields;
  for (const h of headers) out[h.property] = headerValue(fields, h);
  if (!root || !BODY.some((p) => props.has(p))) return out;
  const bp = bodyProperties(args.bodyProperties);
  const tree = bodyTree(root);
  const lists = bodyLists(tree);
  const part = (n: BodyNode) => bodyPartObject(n, buf, hash, bp, false);
  if (props.has('bodyStructure'))
    out.bodyStructure = bodyPartObject(
      tree,
      buf,
      hash,
      {
        plain: args.bodyProperties ? bp.plain : new Set([...bp.plain, 'subParts']),
        headers: bp.headers,
      },
      true,
    );
  if (props.has('textBody')) out.textBody = lists.textBody.map(part);
  if (props.has('htmlBody')) out.htmlBody = lists.htmlBody.map(part);
  if (props.has('attachments')) out.attachments = lists.attachments.map(part);
  if (props.has('bodyValues')) {
    const wanted = new Map<string, BodyNode>();
    const add = (list: BodyNode[]) => {
      for (const n of list) if (n.partId && n.info.type === 'text') wanted.set(n.partId, n);
    };
    if (args.fetchAllBodyValues) add(allParts(tree));
    if (args.fetchTextBodyValues) add(lists.textBody);
    if (args.fetchHTMLBodyValues) add(lists.htmlBody);
    const values: Record<string, unknown> = {};
    for (const [id, n] of wanted) values[id] = bodyValue(buf, n, args.maxBodyValueBytes ?? 0);
    out.bodyValues = values;
  }
  return out;
}

/** The body-fetching arguments Email/get and Email/parse share (RFC 8621 §4.2, §4.9). */
export const BODY_FETCH_ARGS = {
  properties: z.array(z.string()).nullable().optional(),
  bodyProperties: z.array(z.string()).optional(),
  fetchTextBodyValues: z.boolean().optional(),
  fetchHTMLBodyValues: z.boolean().optional(),
  fetchAllBodyValues: z.boolean().optional(),
  maxBodyValueBytes: uintSchema.optional(),
};

/** Properties read from the stored row rather than the message's header block. */
export const META = [
  'id',
  'blobId',
  'threadId',
  'mailboxIds',
  'keywords',
  'size',
  'receivedAt',
  'subject',
  'sentAt',
  'hasAttachment',
  'preview',
];

/** Every property name an Email has, besides the "header:…" forms. */
export const KNOWN_PROPERTIES: ReadonlySet<string> = new Set([
  ...META,
  ...Object.keys(HEADER_CONVENIENCE),
  'headers',
  ...BODY,
]);

/** §4.2: the properties Email/get returns when none are asked for. */
export const DEFAULT_PROPERTIES = [
  'id',
  'blobId',
  'threadId',
  'mailboxIds',
  'keywords',
  'size',
  'receivedAt',
  'messageId',
  'inReplyTo',
  'references',
  'sender',
  'from',
  'to',
  'cc',
  'bcc',
  'replyTo',
  'subject',
  'sentAt',
  'hasAttachment',
  'preview',
  'bodyValues',
  'textBody',
  'htmlBody',
  'attachments',
];
