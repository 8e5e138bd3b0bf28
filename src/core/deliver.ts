// The one ingest path (DESIGN.md): SMTP delivery, IMAP APPEND, JMAP import and mbox import
// all end here. Order, for durability (nothing acknowledged is ever lost):
//   1. the blob is written and fsynced (once, however many recipients);
//   2. one transaction takes the blob reference, and per recipient: the next modseq, the
//      email row, its UID in the mailbox, and the change-log rows;
//   3. after commit, the change events are published (IMAP IDLE, JMAP push…).
// Only after this returns may a door answer 250 / OK / created.
import type { Transaction } from 'kysely';
import type { Database, Mailbox } from '../store/schema.ts';
import { parseMeta, type MessageMeta } from '../mail/meta.ts';
import { UserError } from '../util/errors.ts';
import type { Core } from './core.ts';
import { newId } from './ids.ts';
import { nextModseq, PendingEvents, recordChanges } from './changes.ts';
import { takeBlob } from './blobrefs.ts';
import { mailboxByName, mailboxByRole } from './mailboxes.ts';

export interface DeliveryTarget {
  accountId: number;
  /** Mailbox by role ('inbox', 'junk', 'sent', …) or by name; role wins. Default: inbox. */
  role?: string;
  mailbox?: string;
  keywords?: string[];
  /** Skip the quota check (system notices, bounces to the postmaster). */
  ignoreQuota?: boolean;
}

export interface DeliveryResult {
  accountId: number;
  ok: boolean;
  emailId?: string;
  uid?: number;
  mailboxId?: string;
  /** Why it failed, e.g. quota ('over_quota') or a missing account ('no_account'). */
  error?: 'over_quota' | 'no_account' | 'no_mailbox';
}

export interface IngestOptions {
  receivedAt?: number;
  meta?: MessageMeta;
}

async function threadFor(
  trx: Transaction<Database>,
  accountId: number,
  meta: MessageMeta,
): Promise<string> {
  const ids = [...meta.inReplyTo, ...meta.references].slice(-20);
  if (ids.length > 0) {
    const hit = await trx
      .selectFrom('emails')
      .select('thread_id')
      .where('account_id', '=', accountId)
      .where('message_id', 'in', ids)
      .executeTakeFirst();
    if (hit) return hit.thread_id;
  }
  return newId('T');
}

/**
 * Stores one message for several recipients. A recipient over quota or without an account
 * fails alone; the others are delivered. Throws only when nothing could be stored at all.
 */
export async function ingest(
  core: Core,
  raw: Uint8Array,
  targets: DeliveryTarget[],
  opts: IngestOptions = {},
): Promise<DeliveryResult[]> {
  const now = opts.receivedAt ?? Date.now();
  const meta = opts.meta ?? (await parseMeta(raw));
  const hash = await core.blobs.put(raw); // fsynced before any row names it
  const size = raw.byteLength;
  const events = new PendingEvents();

  const results = await core.db.transaction().execute(async (trx) => {
    const out: DeliveryResult[] = [];
    for (const t of targets) {
      const acct = await trx
        .selectFrom('accounts')
        .select(['id', 'quota_bytes', 'used_bytes'])
        .where('id', '=', t.accountId)
        .executeTakeFirst();
      if (!acct) {
        out.push({ accountId: t.accountId, ok: false, error: 'no_account' });
        continue;
      }
      const quota = Number(acct.quota_bytes);
      if (!t.ignoreQuota && quota > 0 && Number(acct.used_bytes) + size > quota) {
        out.push({ accountId: t.accountId, ok: false, error: 'over_quota' });
        continue;
      }
      let mbox: Mailbox | undefined;
      if (t.role) mbox = await mailboxByRole(trx, t.accountId, t.role);
      else if (t.mailbox) mbox = await mailboxByName(trx, t.accountId, t.mailbox);
      else mbox = await mailboxByRole(trx, t.accountId, 'inbox');
      if (!mbox && t.role && t.role !== 'inbox')
        mbox = await mailboxByRole(trx, t.accountId, 'inbox');
      if (!mbox) {
        out.push({ accountId: t.accountId, ok: false, error: 'no_mailbox' });
        continue;
      }
      const modseq = await nextModseq(trx, t.accountId);
      const emailId = newId('M');
      const threadId = await threadFor(trx, t.accountId, meta);
      const uidRow = await trx
        .updateTable('mailboxes')
        .set((eb) => ({ uid_next: eb('uid_next', '+', 1), modseq }))
        .where('account_id', '=', t.accountId)
        .where('id', '=', mbox.id)
        .returning('uid_next')
        .executeTakeFirstOrThrow();
      const uid = Number(uidRow.uid_next) - 1;
      await trx
        .insertInto('emails')
        .values({
          account_id: t.accountId,
          id: emailId,
          blob_hash: hash,
          size,
          received_at: now,
          sent_at: meta.sentAt,
          message_id: meta.messageId,
          thread_id: threadId,
          subject: meta.subject,
          from_addr: meta.from,
          to_addr: meta.to,
          preview: meta.preview,
          has_attachment: meta.hasAttachment ? 1 : 0,
          keywords: JSON.stringify(t.keywords ?? []),
          modseq,
        })
        .execute();
      await trx
        .insertInto('email_mailboxes')
        .values({ account_id: t.accountId, mailbox_id: mbox.id, uid, email_id: emailId, modseq })
        .execute();
      await trx
        .updateTable('accounts')
        .set((eb) => ({ used_bytes: eb('used_bytes', '+', size) }))
        .where('id', '=', t.accountId)
        .execute();
      await recordChanges(trx, t.accountId, modseq, [
        { type: 'Email', id: emailId, op: 'c' },
        { type: 'Mailbox', id: mbox.id, op: 'u' },
      ]);
      events.add(t.accountId, modseq, 'Email');
      events.add(t.accountId, modseq, 'Mailbox');
      out.push({ accountId: t.accountId, ok: true, emailId, uid, mailboxId: mbox.id });
    }
    const stored = out.filter((r) => r.ok).length;
    if (stored > 0) await takeBlob(trx, hash, size, stored, now);
    return out;
  });
  events.publish(core);
  if (
    targets.length > 0 &&
    results.every((r) => !r.ok) &&
    results.every((r) => r.error === 'no_account')
  )
    throw new UserError('not_found', 'none of the recipients has an account');
  return results;
}

/** Reads a stored message's bytes. */
export async function readMessage(core: Core, accountId: number, emailId: string): Promise<Buffer> {
  const row = await core.db
    .selectFrom('emails')
    .select('blob_hash')
    .where('account_id', '=', accountId)
    .where('id', '=', emailId)
    .executeTakeFirst();
  if (!row) throw new UserError('not_found', `no message ${emailId}`);
  return core.blobs.get(row.blob_hash);
}
