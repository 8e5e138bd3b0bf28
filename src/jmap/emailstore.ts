// Storing a new email for the account (Email/set create, Email/import): through the one
// ingest path into its first mailbox with its keywords, then copied into the others, as IMAP
// APPEND and COPY do. Answers the server-set properties of the created Email.
import { ingest } from '../core/deliver.ts';
import { copyEmails } from '../core/copy.ts';
import { emailsByIds } from '../core/messages.ts';
import type { CallContext } from './context.ts';
import { jmapMailboxes } from './mailboxes.ts';
import { blobIdOf } from './blobid.ts';
import { invalid, SetFailure } from './set.ts';

export interface Stored {
  id: string;
  blobId: string;
  threadId: string;
  size: number;
}

export async function storeEmail(
  ctx: CallContext,
  accountId: number,
  raw: Uint8Array,
  mailboxIds: string[],
  keywords: string[],
  receivedAt?: number,
): Promise<Stored> {
  const boxes = new Map((await jmapMailboxes(ctx.core.db, accountId)).map((b) => [b.id, b]));
  for (const m of mailboxIds) if (!boxes.has(m)) throw invalid('mailboxIds', `no mailbox ${m}`);
  const [firstBox, ...others] = mailboxIds;
  const [r] = await ingest(
    ctx.core,
    raw,
    [{ accountId, mailbox: boxes.get(firstBox!)!.path, keywords }],
    receivedAt === undefined ? {} : { receivedAt },
  );
  if (!r?.ok || !r.emailId)
    throw r?.error === 'over_quota'
      ? new SetFailure('overQuota', 'the account is over its quota')
      : new SetFailure('forbidden', 'the email could not be stored');
  for (const m of others) await copyEmails(ctx.core, accountId, [r.emailId], m);
  const row = (await emailsByIds(ctx.core.db, accountId, [r.emailId])).get(r.emailId)!;
  return { id: row.id, blobId: blobIdOf(row.blobHash), threadId: row.threadId, size: row.size };
}
