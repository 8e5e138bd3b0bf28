// The delivery status of mail sent through JMAP (RFC 8621 §7 EmailSubmission deliveryStatus)
// as the outbound queue learns it. A submission that left its undo window holds, per
// recipient, `delivered` and `smtpReply`; recipients handed to the queue start as "queued",
// and each attempt the queue records (core/queuework.ts recordAttempt, outbound.ts
// removeQueued) is noted here in the same transaction: delivered to a local mailbox → "yes";
// accepted by a remote server → "unknown" (relayed, §7: no further information); refused
// for good (5xx, given up, removed) → "no"; deferred → still "queued" with the last reply.
// `displayed` stays "unknown" (no MDNs are read). Each change takes the account's next
// modseq and logs 'EmailSubmission' 'u', so EmailSubmission/changes and push report it.
// Submissions are found by the queue id they were queued under (`email_submissions.queue_id`).
import type { Transaction } from 'kysely';
import type { Database } from '../store/schema.ts';
import { nextModseq, recordChanges, type PendingEvents } from './changes.ts';

export interface DeliveryStatus {
  smtpReply: string;
  delivered: 'queued' | 'yes' | 'no' | 'unknown';
  displayed: 'unknown' | 'yes';
}

/** What one attempt of the queue came to for one recipient. */
export interface QueueOutcome {
  status: 'queued' | 'delivered' | 'bounced';
  /** The reply of the server that answered, or ours when none did. */
  reply: string;
  /** Delivered into one of our own mailboxes (no SMTP hop). */
  local: boolean;
}

/** A reply line as smtpReply wants it: with a code, even when the peer gave none. */
function asReply(outcome: QueueOutcome): string {
  const line = outcome.reply.replace(/\s+/g, ' ').trim();
  if (/^\d{3}[ -]/.test(line)) return line;
  // No reply at all (the connection failed or was lost): temporary, RFC 3463 4.4.2.
  return outcome.status === 'bounced' ? `554 5.0.0 ${line}` : `421 4.4.2 ${line}`;
}

export function deliveryStatusOf(outcome: QueueOutcome): DeliveryStatus {
  const delivered =
    outcome.status === 'delivered'
      ? outcome.local
        ? 'yes'
        : 'unknown'
      : outcome.status === 'bounced'
        ? 'no'
        : 'queued';
  return { smtpReply: asReply(outcome), delivered, displayed: 'unknown' };
}

/**
 * Notes one recipient's outcome in the submission queued as `queueId`, inside the caller's
 * transaction; the change is added to `events` for after the commit. Mail of the queue that
 * is no JMAP submission (SMTP submission, bounces) has no row and changes nothing.
 */
export async function noteQueueOutcome(
  trx: Transaction<Database>,
  events: PendingEvents,
  accountId: number,
  queueId: number,
  recipient: string,
  outcome: QueueOutcome,
): Promise<void> {
  const rows = await trx
    .selectFrom('email_submissions')
    .select(['id', 'delivery_status'])
    .where('account_id', '=', accountId)
    .where('queue_id', '=', queueId)
    .execute();
  const next = deliveryStatusOf(outcome);
  for (const row of rows) {
    if (row.delivery_status === null || row.delivery_status === '"sending"') continue;
    const status = JSON.parse(row.delivery_status) as Record<string, DeliveryStatus>;
    const key =
      recipient in status
        ? recipient
        : Object.keys(status).find((k) => k.toLowerCase() === recipient.toLowerCase());
    if (key === undefined) continue;
    const old = status[key]!;
    if (old.delivered === next.delivered && old.smtpReply === next.smtpReply) continue;
    status[key] = { ...next, displayed: old.displayed };
    await trx
      .updateTable('email_submissions')
      .set({ delivery_status: JSON.stringify(status) })
      .where('account_id', '=', accountId)
      .where('id', '=', row.id)
      .execute();
    const modseq = await nextModseq(trx, accountId);
    await recordChanges(trx, accountId, modseq, [{ type: 'EmailSubmission', id: row.id, op: 'u' }]);
    events.add(accountId, modseq, 'EmailSubmission');
  }
}
