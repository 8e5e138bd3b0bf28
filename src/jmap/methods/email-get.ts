// Email/get (RFC 8621 §4.2): metadata properties from the stored row (computed once at
// delivery), mailboxIds from the memberships; header properties (§4.1.2–4.1.3, including
// "header:…:as…" forms) from the message's header block, and body properties (§4.1.4:
// bodyStructure, textBody, htmlBody, attachments, bodyValues) from the stored part structure
// and the blob. The blob is read only when one of those is asked for.
import { z } from 'zod';
import { accountModseq, emailsByIds } from '../../core/messages.ts';
import { emailMailboxIds } from '../../core/mailquery.ts';
import { CAP_MAIL } from '../limits.ts';
import { idSchema, mustAccount, parseArgs, stateOf, utcDate, type Method } from '../context.ts';
import { checkIdsLimit, pick } from '../get.ts';
import { MethodError } from '../errors.ts';
import { blobIdOf } from '../blobid.ts';
import { structureOf } from '../blobs.ts';
import { headerProperty, type HeaderProperty } from '../headerforms.ts';
import { bodyProperties, wholePreview } from '../bodystructure.ts';
import {
  BODY,
  BODY_FETCH_ARGS,
  DEFAULT_PROPERTIES,
  HEADER_CONVENIENCE,
  KNOWN_PROPERTIES,
  messageView,
} from '../emailview.ts';

const schema = z.object({
  accountId: z.string(),
  ids: z.array(idSchema).nullable().optional(),
  ...BODY_FETCH_ARGS,
});

const DEFAULTS = DEFAULT_PROPERTIES;
const KNOWN = KNOWN_PROPERTIES;

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
      if (needBlob) {
        const buf = await ctx.core.blobs.get(r.blobHash);
        // The part structure (blob_meta) only when a body property needs it.
        const root = BODY.some((p) => props.has(p))
          ? await structureOf(ctx.core, r.blobHash, buf)
          : null;
        Object.assign(obj, messageView(buf, r.blobHash, root, args, props, headers));
      }
      list.push(pick(obj, new Set([...props, ...headers.map((h) => h.property)])));
    }
    return { accountId: args.accountId, state: stateOf(state), list, notFound };
  },
};
