// Email/get (RFC 8621 §4.2): metadata properties from the stored row (computed once at
// delivery), mailboxIds from the memberships; header properties (§4.1.2–4.1.3, including
// "header:…:as…" forms) from the message's header block, and body properties (§4.1.4:
// bodyStructure, textBody, htmlBody, attachments, bodyValues) from the stored part structure
// and the blob. The blob is read only when one of those is asked for.
import { z } from 'zod';
import { accountModseq, emailsByIds, type EmailRow } from '../../core/messages.ts';
import { emailMailboxIds } from '../../core/mailquery.ts';
import { rawFields } from '../../mail/headerfields.ts';
import { CAP_MAIL } from '../limits.ts';
import {
  idSchema,
  mustAccount,
  parseArgs,
  stateOf,
  uintSchema,
  utcDate,
  type CallContext,
  type Method,
} from '../context.ts';
import { checkIdsLimit, pick } from '../get.ts';
import { MethodError } from '../errors.ts';
import { blobIdOf } from '../blobid.ts';
import { structureOf } from '../blobs.ts';
import {
  asAddresses,
  asMessageIds,
  headerProperty,
  headerValue,
  type HeaderProperty,
} from '../headerforms.ts';
import {
  allParts,
  bodyLists,
  bodyPartObject,
  bodyProperties,
  bodyTree,
  bodyValue,
  wholePreview,
  type BodyNode,
} from '../bodystructure.ts';

const schema = z.object({
  accountId: z.string(),
  ids: z.array(idSchema).nullable().optional(),
  properties: z.array(z.string()).nullable().optional(),
  bodyProperties: z.array(z.string()).optional(),
  fetchTextBodyValues: z.boolean().optional(),
  fetchHTMLBodyValues: z.boolean().optional(),
  fetchAllBodyValues: z.boolean().optional(),
  maxBodyValueBytes: uintSchema.optional(),
});

const META = [
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
/** Header-derived convenience properties (§4.1.3) and the field each reads. */
const HEADER_CONVENIENCE: Record<string, [field: string, form: 'Addresses' | 'MessageIds']> = {
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
const BODY = ['bodyStructure', 'bodyValues', 'textBody', 'htmlBody', 'attachments'];
const KNOWN = new Set([...META, ...Object.keys(HEADER_CONVENIENCE), 'headers', ...BODY]);

/** §4.2: the properties returned when none are asked for. */
const DEFAULTS = [
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

type Args = z.infer<typeof schema>;

function chosen(requested: string[] | null | undefined): {
  props: Set<string>;
  headers: HeaderProperty[];
} {
  const list = requested ?? DEFAULTS;
  const props = new Set<string>(['id']);
  const headers: HeaderProperty[] = [];
  for (const p of list) {
    const h = headerProperty(p);
    if (h) headers.push(h);
    else if (KNOWN.has(p)) props.add(p);
    else throw new MethodError('invalidArguments', `unknown or unsupported property: ${p}`);
  }
  return { props, headers };
}

async function fromBlob(
  ctx: CallContext,
  row: EmailRow,
  args: Args,
  props: Set<string>,
  headers: HeaderProperty[],
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const buf = await ctx.core.blobs.get(row.blobHash);
  const root = await structureOf(ctx.core, row.blobHash, buf);
  const fields = rawFields(buf, 0, root.bodyStart);
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
  if (!BODY.some((p) => props.has(p))) return out;
  const bp = bodyProperties(args.bodyProperties);
  const tree = bodyTree(root);
  const lists = bodyLists(tree);
  const part = (n: BodyNode) => bodyPartObject(n, buf, row.blobHash, bp, false);
  if (props.has('bodyStructure'))
    out.bodyStructure = bodyPartObject(
      tree,
      buf,
      row.blobHash,
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

export const emailGet: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    if (!args.ids) throw new MethodError('requestTooLarge', 'Email/get needs ids');
    checkIdsLimit(args.ids);
    const { props, headers } = chosen(args.properties);
    if (args.bodyProperties) bodyProperties(args.bodyProperties); // invalidArguments early
    const db = ctx.core.db;
    const state = await accountModseq(db, accountId);
    const rows = await emailsByIds(db, accountId, args.ids);
    const found = [...rows.keys()];
    const boxes = props.has('mailboxIds') ? await emailMailboxIds(db, accountId, found) : new Map();
    const needBlob =
      headers.length > 0 ||
      [...props].some((p) => p in HEADER_CONVENIENCE || p === 'headers' || BODY.includes(p));
    const list: Record<string, unknown>[] = [];
    const notFound: string[] = [];
    for (const id of args.ids) {
      const r = rows.get(id);
      if (!r) {
        notFound.push(id);
        continue;
      }
      const obj: Record<string, unknown> = {
        id,
        blobId: blobIdOf(r.blobHash),
        threadId: r.threadId,
        mailboxIds: Object.fromEntries(
          ((boxes.get(id) as string[] | undefined) ?? []).map((m) => [m, true]),
        ),
        keywords: Object.fromEntries(r.keywords.map((k) => [k, true])),
        size: r.size,
        receivedAt: utcDate(r.receivedAt),
        subject: r.subject,
        sentAt: r.sentAt === null ? null : utcDate(r.sentAt),
        hasAttachment: r.hasAttachment,
        preview: wholePreview(r.preview),
      };
      if (needBlob) Object.assign(obj, await fromBlob(ctx, r, args, props, headers));
      list.push(pick(obj, new Set([...props, ...headers.map((h) => h.property)])));
    }
    return { accountId: args.accountId, state: stateOf(state), list, notFound };
  },
};
