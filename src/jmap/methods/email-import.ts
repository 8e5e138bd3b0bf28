// Email/import (RFC 8621 §4.8): messages already uploaded (or any blob the account reads,
// e.g. an attached message/rfc822 part) stored as Emails through the one ingest path, with
// their mailboxes, keywords and receivedAt. A blob that is not a message is invalidEmail.
import { z } from 'zod';
import { rawFields } from '../../mail/headerfields.ts';
import { CAP_MAIL } from '../limits.ts';
import { mustAccount, parseArgs, type Method } from '../context.ts';
import type { SetError } from '../errors.ts';
import { readBlob } from '../blobs.ts';
import { storeEmail } from '../emailstore.ts';
import {
  attempt,
  beginSet,
  emptyResult,
  invalid,
  resolveId,
  setResponse,
  SetFailure,
} from '../set.ts';
import { flagToKeyword } from '../../mail/keywords.ts';

const schema = z.object({
  accountId: z.string(),
  ifInState: z.string().nullable().optional(),
  emails: z.record(
    z.string(),
    z.object({
      blobId: z.string(),
      mailboxIds: z.record(z.string(), z.literal(true)),
      keywords: z.record(z.string(), z.literal(true)).optional(),
      receivedAt: z.string().optional(),
    }),
  ),
});

export const emailImport: Method = {
  capability: CAP_MAIL,
  async run(ctx, raw) {
    const args = parseArgs(schema, raw);
    const accountId = mustAccount(ctx, args.accountId);
    const oldState = await beginSet(ctx, accountId, {
      accountId: args.accountId,
      ifInState: args.ifInState,
      create: args.emails,
    });
    const r = emptyResult();
    for (const [cid, e] of Object.entries(args.emails))
      await attempt(
        async () => {
          const bytes = await readBlob(ctx.core, accountId, e.blobId);
          if (!bytes) {
            const f = new SetFailure('blobNotFound', `no blob ${e.blobId}`);
            (f.error as SetError & { notFound?: string[] }).notFound = [e.blobId];
            throw f;
          }
          if (rawFields(bytes, 0, Math.min(bytes.length, 256 * 1024)).length === 0)
            throw new SetFailure('invalidEmail', 'the blob is not an RFC 5322 message');
          const boxes = Object.keys(e.mailboxIds).map((m) => {
            const id = resolveId(ctx, m);
            if (!id) throw invalid('mailboxIds', `no mailbox ${m}`);
            return id;
          });
          if (boxes.length === 0) throw invalid('mailboxIds', 'an email needs a mailbox');
          const keywords = Object.keys(e.keywords ?? {}).map((k) => {
            const kw = flagToKeyword(k);
            if (kw === null || k.startsWith('\\'))
              throw invalid('keywords', `${k} is not a keyword`);
            return kw;
          });
          const at = e.receivedAt === undefined ? undefined : Date.parse(e.receivedAt);
          if (at !== undefined && !Number.isFinite(at)) throw invalid('receivedAt', 'not a date');
          const stored = await storeEmail(ctx, accountId, bytes, boxes, keywords, at);
          ctx.createdIds.set(cid, stored.id);
          r.created[cid] = { ...stored };
        },
        (err) => (r.notCreated[cid] = err),
      );
    const out = await setResponse(ctx, accountId, args.accountId, oldState, r);
    return {
      accountId: out.accountId,
      oldState: out.oldState,
      newState: out.newState,
      created: out.created,
      notCreated: out.notCreated,
    };
  },
};
