// Email/get (RFC 8621 §4.2): metadata properties from the stored row (computed once at
// delivery), mailboxIds from the memberships, and header-derived properties (addresses with
// names, message ids) by parsing the blob only when one of them is asked for. Body
// properties (bodyStructure, textBody, htmlBody, bodyValues, attachments) come next.
import { z } from 'zod';
import { accountModseq, emailsByIds } from '../../core/messages.ts';
import { emailMailboxIds } from '../../core/mailquery.ts';
import { CAP_MAIL } from '../limits.ts';
import { idSchema, mustAccount, parseArgs, stateOf, utcDate, type Method } from '../context.ts';
import { checkIdsLimit, pick, properties } from '../get.ts';
import { MethodError } from '../errors.ts';
import { blobIdOf } from '../blobid.ts';
import { HEADER_PROPS, headerProps } from '../emailheaders.ts';

const schema = z.object({
  accountId: z.string(),
  ids: z.array(idSchema).nullable().optional(),
  properties: z.array(z.string()).nullable().optional(),
  bodyProperties: z.array(z.string()).optional(),
  fetchTextBodyValues: z.boolean().optional(),
  fetchHTMLBodyValues: z.boolean().optional(),
  fetchAllBodyValues: z.boolean().optional(),
  maxBodyValueBytes: z.number().int().min(0).optional(),
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
] as const;
const KNOWN: readonly string[] = [...META, ...HEADER_PROPS];

export const emailGet: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    if (!args.ids) throw new MethodError('requestTooLarge', 'Email/get needs ids');
    checkIdsLimit(args.ids);
    const props = properties(args.properties, KNOWN);
    const db = ctx.core.db;
    const state = await accountModseq(db, accountId);
    const rows = await emailsByIds(db, accountId, args.ids);
    const found = [...rows.keys()];
    const boxes = props.has('mailboxIds') ? await emailMailboxIds(db, accountId, found) : new Map();
    const needBlob = HEADER_PROPS.some((p) => props.has(p));
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
        preview: r.preview,
      };
      if (needBlob) Object.assign(obj, await headerProps(await ctx.core.blobs.get(r.blobHash)));
      list.push(pick(obj, props));
    }
    return { accountId: args.accountId, state: stateOf(state), list, notFound };
  },
};
