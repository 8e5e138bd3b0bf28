// The queue worker's side of the outbound records (outbound.ts holds enqueue and the log):
// claiming due recipients under a lease, and recording each attempt's outcome with its
// delivery-log row in one transaction. Safe with several nodes on one PostgreSQL database.
// Invariant: a recipient is 'queued' until an attempt ends it as 'delivered' or 'bounced';
// when none of a message's recipients is left queued, the message leaves the queue.
import type { QueueMessage, QueueRecipient, Db } from '../store/schema.ts';
import type { Core } from './core.ts';
import { releaseBlobs } from './blobrefs.ts';
import { logDelivery, type DeliveryEvent } from './outbound.ts';
import { PendingEvents } from './changes.ts';
import { noteQueueOutcome } from './submissionstatus.ts';

export interface ClaimOptions {
  now: number;
  /** How long a claim holds: a crashed node's recipients come due again after it. */
  leaseMs: number;
  limit: number;
  /** Domains not to take now (at their concurrency limit). */
  skipDomains?: string[];
  /** Chooses which of the due rows to take (all by default). */
  pick?: (rows: QueueRecipient[]) => QueueRecipient[];
}

/**
 * Takes due recipients for delivery: in one transaction, reads them (on PostgreSQL with
 * FOR UPDATE SKIP LOCKED, so several nodes never take the same row) and moves their
 * next_attempt_at to the end of a lease. Whoever finishes the attempt sets the real next time.
 */
export async function claimDue(core: Core, o: ClaimOptions): Promise<QueueRecipient[]> {
  return core.db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom('queue_recipients')
      .selectAll()
      .where('status', '=', 'queued')
      .where('next_attempt_at', '<=', o.now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(o.limit);
    if (o.skipDomains && o.skipDomains.length > 0) q = q.where('domain', 'not in', o.skipDomains);
    if (core.store.dialect === 'postgres') q = q.forUpdate().skipLocked();
    const rows = (await q.execute()).map(numericRecipient);
    const picked = o.pick ? o.pick(rows) : rows;
    if (picked.length > 0)
      await trx
        .updateTable('queue_recipients')
        .set({ next_attempt_at: o.now + o.leaseMs, updated_at: o.now })
        .where(
          'id',
          'in',
          picked.map((r) => r.id),
        )
        .execute();
    return picked;
  });
}

function numericRecipient(r: QueueRecipient): QueueRecipient {
  return {
    ...r,
    id: Number(r.id),
    message_id: Number(r.message_id),
    attempts: Number(r.attempts),
    next_attempt_at: Number(r.next_attempt_at),
    delay_notified: Number(r.delay_notified),
  };
}

export async function getQueueMessage(core: Core, id: number): Promise<QueueMessage | undefined> {
  const m = await core.db
    .selectFrom('queue_messages')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
  return m && { ...m, id: Number(m.id), created_at: Number(m.created_at) };
}

export interface AttemptOutcome {
  recipientId: number;
  status: 'queued' | 'delivered' | 'bounced';
  /** The reply of this attempt as the sender should see it (JMAP deliveryStatus smtpReply). */
  reply: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  delayNotified?: boolean;
  log: { event: DeliveryEvent; detail: string; remote: string | null };
}

/**
 * Records the outcome of one attempt for one recipient, with its delivery-log row and, for
 * mail sent through JMAP, the submission's delivery status (submissionstatus.ts). When no
 * recipient of the message is left to deliver, the message leaves the queue and its blob
 * loses the queue's reference (the delivery log keeps the history).
 */
export async function recordAttempt(
  core: Core,
  msg: QueueMessage,
  recipient: string,
  o: AttemptOutcome,
  now: number,
): Promise<void> {
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    await trx
      .updateTable('queue_recipients')
      .set({
        status: o.status,
        attempts: o.attempts,
        next_attempt_at: o.nextAttemptAt,
        last_error: o.lastError,
        updated_at: now,
        ...(o.delayNotified !== undefined ? { delay_notified: o.delayNotified ? 1 : 0 } : {}),
      })
      .where('id', '=', o.recipientId)
      .execute();
    await logDelivery(trx, {
      queue_id: msg.id,
      message_id: msg.message_id,
      sender: msg.sender,
      recipient,
      event: o.log.event,
      detail: o.log.detail,
      remote: o.log.remote,
      at: now,
    });
    // A message sent through JMAP: its submission's deliveryStatus follows (RFC 8621 §7).
    if (msg.account_id !== null)
      await noteQueueOutcome(trx, events, Number(msg.account_id), msg.id, recipient, {
        status: o.status,
        reply: o.reply,
        local: o.log.remote === null,
      });
    if (o.status !== 'queued') await dropIfDone(trx, msg.id);
  });
  events.publish(core);
}

async function dropIfDone(trx: Db, queueId: number): Promise<void> {
  const left = await trx
    .selectFrom('queue_recipients')
    .select('id')
    .where('message_id', '=', queueId)
    .where('status', '=', 'queued')
    .executeTakeFirst();
  if (left) return;
  await dropMessage(trx, queueId);
}

async function dropMessage(trx: Db, queueId: number): Promise<boolean> {
  const m = await trx
    .selectFrom('queue_messages')
    .select('blob_hash')
    .where('id', '=', queueId)
    .executeTakeFirst();
  if (!m) return false;
  await trx.deleteFrom('queue_recipients').where('message_id', '=', queueId).execute();
  await trx.deleteFrom('queue_messages').where('id', '=', queueId).execute();
  await releaseBlobs(trx, [m.blob_hash]);
  return true;
}
