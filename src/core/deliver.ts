// The one ingest path (DESIGN.md): SMTP delivery, IMAP APPEND, JMAP import and mbox import
// all end here. Order, for durability (nothing acknowledged is ever lost):
//   1. the blob is written and fsynced (once, however many recipients);
//   2. one transaction takes the blob reference, and per recipient: the next modseq, the
//      email row, its UID in the mailbox, and the change-log rows (Email 'c', Mailbox 'u',
//      and Thread 'c' for a new thread or 'u' for one the message joins);
//   3. after commit, the change events are published (IMAP IDLE, JMAP push…).
// The message is parsed once, before the transaction: metadata, the full-text index's
// words (cut once however many recipients) and the envelope and part structure of the blob
// (blob_meta, written with the blob reference). The index rows are written right after the
// commit, in batches, off the delivery path (indexer.ts): a search flushes them first.
// Only after `ingest` resolves may a door answer 250 / OK / created.
// Deliveries that arrive while another commits are committed together (groupcommit.ts): one
// fsync for many messages under load.
import type { Insertable, Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { parseMessage, type MessageMeta } from '../mail/meta.ts';
import type { IndexDoc, TextField } from '../store/fulltext.ts';
import { indexLater } from './indexer.ts';
import { UserError } from '../util/errors.ts';
import type { Core } from './core.ts';
import { newId } from './ids.ts';
import { PendingEvents } from './changes.ts';
import { takeBlob } from './blobrefs.ts';
import { blobMetaOf, putBlobMeta, type BlobMeta } from './blobmeta.ts';
import { GroupCommit } from './groupcommit.ts';
import { indexFields } from './search.ts';
import { replyAfterDelivery } from './vacation.ts';

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
  /**
   * The envelope sender of mail that arrived from a sender (SMTP, JMAP submission): the
   * recipients' vacation responses answer it after commit ('' for bounces: never answered).
   */
  envelopeSender?: string;
}

interface Job {
  hash: string;
  size: number;
  meta: MessageMeta;
  /** Envelope and part structure for blob_meta (FETCH reads them instead of the blob). */
  blobMeta: BlobMeta;
  /** The message's text for the full-text index, cut into words. */
  fields: Record<TextField, string>;
  targets: DeliveryTarget[];
  now: number;
}

type Trx = Transaction<Database>;

/** The thread a message joins: that of a message it answers, else a new one (`fresh`). */
async function threadFor(
  trx: Trx,
  accountId: number,
  meta: MessageMeta,
): Promise<{ id: string; fresh: boolean }> {
  const ids = [...meta.inReplyTo, ...meta.references].slice(-20);
  if (ids.length > 0) {
    const hit = await trx
      .selectFrom('emails')
      .select('thread_id')
      .where('account_id', '=', accountId)
      .where('message_id', 'in', ids)
      .executeTakeFirst();
    if (hit) return { id: hit.thread_id, fresh: false };
  }
  return { id: newId('T'), fresh: true };
}

/** Takes the next UID of the target mailbox (by role, name, or INBOX as the fallback). */
async function takeUid(
  trx: Trx,
  t: DeliveryTarget,
  modseq: number,
): Promise<{ id: string; uid: number } | undefined> {
  const attempt = async (by: 'role' | 'name', value: string) => {
    const row = await trx
      .updateTable('mailboxes')
      .set((eb) => ({ uid_next: eb('uid_next', '+', 1), modseq }))
      .where('account_id', '=', t.accountId)
      .where(by, '=', value)
      .returning(['id', 'uid_next'])
      .executeTakeFirst();
    return row ? { id: row.id, uid: Number(row.uid_next) - 1 } : undefined;
  };
  if (t.role) return (await attempt('role', t.role)) ?? (await attempt('role', 'inbox'));
  if (t.mailbox) {
    const name = t.mailbox.toUpperCase() === 'INBOX' ? 'INBOX' : t.mailbox; // RFC 9051 §5.1
    return attempt('name', name);
  }
  return attempt('role', 'inbox');
}

type Rows<T extends keyof Database> = Insertable<Database[T]>[];

/** Stores one job's recipients inside the batch transaction. */
async function storeJob(
  trx: Trx,
  job: Job,
  events: PendingEvents,
  docs: IndexDoc[],
): Promise<DeliveryResult[]> {
  const { size, meta, now } = job;
  const out: DeliveryResult[] = [];
  const emails: Rows<'emails'> = [];
  const placements: Rows<'email_mailboxes'> = [];
  const changes: Rows<'changes'> = [];
  const written = Date.now(); // not `now`, which may be an imported message's received time
  for (const t of job.targets) {
    // One statement takes the modseq, checks the quota and counts the bytes.
    const acct = await trx
      .updateTable('accounts')
      .set((eb) => ({ modseq: eb('modseq', '+', 1), used_bytes: eb('used_bytes', '+', size) }))
      .where('id', '=', t.accountId)
      .where((eb) =>
        t.ignoreQuota
          ? eb.lit(true)
          : eb.or([
              eb('quota_bytes', '=', 0),
              eb(eb('used_bytes', '+', size), '<=', eb.ref('quota_bytes')),
            ]),
      )
      .returning('modseq')
      .executeTakeFirst();
    if (!acct) {
      const exists = await trx
        .selectFrom('accounts')
        .select('id')
        .where('id', '=', t.accountId)
        .executeTakeFirst();
      out.push({ accountId: t.accountId, ok: false, error: exists ? 'over_quota' : 'no_account' });
      continue;
    }
    const modseq = Number(acct.modseq);
    const box = await takeUid(trx, t, modseq);
    if (!box) {
      await trx
        .updateTable('accounts')
        .set((eb) => ({ used_bytes: eb('used_bytes', '-', size) }))
        .where('id', '=', t.accountId)
        .execute();
      out.push({ accountId: t.accountId, ok: false, error: 'no_mailbox' });
      continue;
    }
    const emailId = newId('M');
    const thread = await threadFor(trx, t.accountId, meta);
    emails.push({
      account_id: t.accountId,
      id: emailId,
      blob_hash: job.hash,
      size,
      received_at: now,
      sent_at: meta.sentAt,
      message_id: meta.messageId,
      thread_id: thread.id,
      subject: meta.subject,
      from_addr: meta.from,
      to_addr: meta.to,
      preview: meta.preview,
      has_attachment: meta.hasAttachment ? 1 : 0,
      keywords: JSON.stringify(t.keywords ?? []),
      modseq,
    });
    placements.push({
      account_id: t.accountId,
      mailbox_id: box.id,
      uid: box.uid,
      email_id: emailId,
      modseq,
    });
    docs.push({ accountId: t.accountId, emailId, fields: job.fields });
    const logged = { account_id: t.accountId, modseq, created_at: written };
    changes.push(
      { ...logged, type: 'Email', object_id: emailId, op: 'c' },
      { ...logged, type: 'Mailbox', object_id: box.id, op: 'u' },
      // A thread is created by its first email and changes with every one that joins it.
      { ...logged, type: 'Thread', object_id: thread.id, op: thread.fresh ? 'c' : 'u' },
    );
    events.add(t.accountId, modseq, 'Email');
    events.add(t.accountId, modseq, 'Mailbox');
    events.add(t.accountId, modseq, 'Thread');
    out.push({ accountId: t.accountId, ok: true, emailId, uid: box.uid, mailboxId: box.id });
  }
  // Many rows per statement: a notice to 1,500 staff is a handful of inserts, not 4,500.
  for (let i = 0; i < emails.length; i += 200)
    await trx
      .insertInto('emails')
      .values(emails.slice(i, i + 200))
      .execute();
  for (let i = 0; i < placements.length; i += 500)
    await trx
      .insertInto('email_mailboxes')
      .values(placements.slice(i, i + 500))
      .execute();
  for (let i = 0; i < changes.length; i += 500)
    await trx
      .insertInto('changes')
      .values(changes.slice(i, i + 500))
      .execute();
  if (emails.length > 0) {
    await takeBlob(trx, job.hash, size, emails.length, now);
    await putBlobMeta(trx, job.hash, job.blobMeta);
  }
  return out;
}

const committers = new WeakMap<Core, GroupCommit<Job, DeliveryResult[]>>();

function committer(core: Core): GroupCommit<Job, DeliveryResult[]> {
  let c = committers.get(core);
  if (!c) {
    c = new GroupCommit<Job, DeliveryResult[]>(async (jobs) => {
      const events = new PendingEvents();
      const docs: IndexDoc[] = [];
      const results = await core.db.transaction().execute(async (trx) => {
        const all: DeliveryResult[][] = [];
        for (const job of jobs) all.push(await storeJob(trx, job, events, docs));
        return all;
      });
      events.publish(core);
      indexLater(core, docs); // after commit, off the delivery path (indexer.ts)
      return results;
    });
    committers.set(core, c);
  }
  return c;
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
  const parsed = await parseMessage(raw);
  const meta = opts.meta ?? parsed.meta;
  const fields = indexFields(parsed.text);
  const blobMeta = blobMetaOf(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
  const hash = await core.blobs.put(raw); // fsynced before any row names it
  const results = await committer(core).submit({
    hash,
    size: raw.byteLength,
    meta,
    blobMeta,
    fields,
    targets,
    now,
  });
  if (targets.length > 0 && results.every((r) => r.error === 'no_account'))
    throw new UserError('not_found', 'none of the recipients has an account');
  if (opts.envelopeSender)
    replyAfterDelivery(
      core,
      results.filter((r, i) => r.ok && targets[i]?.role !== 'junk').map((r) => r.accountId),
      raw,
      opts.envelopeSender,
    );
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
