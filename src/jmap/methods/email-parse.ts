// Email/parse (RFC 8621 §4.9): blobs the account reads (uploads, attached messages) shown as
// Emails without storing them: the header and body properties of Email/get, plus subject,
// sentAt, size, preview and hasAttachment from the same parse the ingest path does. A blob
// that is not a message is notParsable.
import { z } from 'zod';
import { parseMessage } from '../../mail/meta.ts';
import { messageStructure } from '../../mail/structure.ts';
import { rawFields } from '../../mail/headerfields.ts';
import { CAP_MAIL } from '../limits.ts';
import { mustAccount, parseArgs, utcDate, type Method } from '../context.ts';
import { MethodError } from '../errors.ts';
import { CORE_LIMITS } from '../limits.ts';
import { readBlob } from '../blobs.ts';
import { parseBlobId } from '../blobid.ts';
import { headerProperty, type HeaderProperty } from '../headerforms.ts';
import { bodyProperties } from '../bodystructure.ts';
import {
  BODY_FETCH_ARGS,
  DEFAULT_PROPERTIES,
  KNOWN_PROPERTIES,
  messageView,
} from '../emailview.ts';
import { createHash } from 'node:crypto';

const schema = z.object({
  accountId: z.string(),
  blobIds: z.array(z.string()),
  ...BODY_FETCH_ARGS,
});

// §4.9: Email/parse returns, unasked, Email/get's defaults but those of a stored email.
const STORED_ONLY = new Set([
  'id',
  'blobId',
  'threadId',
  'mailboxIds',
  'keywords',
  'size',
  'receivedAt',
]);
const DEFAULTS = DEFAULT_PROPERTIES.filter((p) => !STORED_ONLY.has(p));
const KNOWN = KNOWN_PROPERTIES;

export const emailParse: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    if (args.blobIds.length > CORE_LIMITS.maxObjectsInGet)
      throw new MethodError('requestTooLarge', `at most ${CORE_LIMITS.maxObjectsInGet} blobs`);
    const props = new Set<string>();
    const headers: HeaderProperty[] = [];
    for (const p of args.properties ?? DEFAULTS) {
      const h = headerProperty(p);
      if (h) headers.push(h);
      else if (KNOWN.has(p)) props.add(p);
      else throw new MethodError('invalidArguments', `unknown property ${p}`);
    }
    if (args.bodyProperties) bodyProperties(args.bodyProperties);
    const parsed: Record<string, unknown> = {};
    const notParsable: string[] = [];
    const notFound: string[] = [];
    for (const blobId of args.blobIds) {
      const buf = await readBlob(ctx.core, accountId, blobId);
      if (!buf) {
        notFound.push(blobId);
        continue;
      }
      if (rawFields(buf, 0, Math.min(buf.length, 256 * 1024)).length === 0) {
        notParsable.push(blobId);
        continue;
      }
      // Part ids of a whole blob name it; a part's own bytes have no stored name to point at.
      const ref = parseBlobId(blobId);
      const hash =
        ref && ref.partId === null ? ref.hash : createHash('sha256').update(buf).digest('hex');
      const { meta } = await parseMessage(buf);
      const obj: Record<string, unknown> = {
        id: null,
        blobId,
        threadId: null,
        mailboxIds: null,
        keywords: null,
        size: buf.length,
        receivedAt: null,
        subject: meta.subject,
        sentAt: meta.sentAt === null ? null : utcDate(meta.sentAt),
        hasAttachment: meta.hasAttachment,
        preview: meta.preview,
        ...messageView(buf, hash, messageStructure(buf).structure, args, props, headers),
      };
      const out: Record<string, unknown> = {};
      for (const p of [...props, ...headers.map((h) => h.property)]) if (p in obj) out[p] = obj[p];
      parsed[blobId] = out;
    }
    return {
      accountId: args.accountId,
      parsed: Object.keys(parsed).length > 0 ? parsed : null,
      notParsable: notParsable.length > 0 ? notParsable : null,
      notFound: notFound.length > 0 ? notFound : null,
    };
  },
};
