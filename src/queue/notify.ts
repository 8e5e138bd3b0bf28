// Delivery status notifications from the queue (RFC 3464 via src/mail/dsn.ts): failures,
// delays and, when asked for, successes. Sent from MAILER-DAEMON with the null reverse-path
// (RFC 5321 §4.5.5), so a notice is never itself bounced: a message whose sender is empty
// gets no notice at all. A local sender gets it straight into the INBOX; a remote one
// through the queue.
import { buildDsn, type DsnRecipient } from '../mail/dsn.ts';
import { domainOf } from '../mail/address.ts';
import type { QueueMessage } from '../store/schema.ts';
import type { Core } from '../core/core.ts';
import { enqueue } from '../core/outbound.ts';
import { ingest } from '../core/deliver.ts';
import { isLocalDomain } from '../core/domains.ts';
import { resolveRecipient } from '../core/accounts.ts';

export type NotifyWhat = 'SUCCESS' | 'FAILURE' | 'DELAY';

/**
 * Whether a recipient's DSN NOTIFY asks for this notice. RFC 3461 §4.1 lets an MTA treat a
 * missing NOTIFY as either FAILURE or FAILURE,DELAY; we take FAILURE,DELAY (the common
 * practice of sendmail and Exchange: a sender wants to hear that mail is stuck).
 * NOTIFY=NEVER silences everything.
 */
export function wants(notify: string | null, what: NotifyWhat): boolean {
  if (!notify) return what !== 'SUCCESS';
  const list = notify
    .toUpperCase()
    .split(',')
    .map((s) => s.trim());
  if (list.includes('NEVER')) return false;
  return list.includes(what);
}

/**
 * Sends one notice about some recipients of a queued message. `original` is passed in, read
 * before the attempt was recorded: once the message leaves the queue its blob may go.
 */
export async function sendNotice(
  core: Core,
  msg: QueueMessage,
  recipients: DsnRecipient[],
  original: Uint8Array,
  now: number,
): Promise<void> {
  if (msg.sender === '' || recipients.length === 0) return; // never bounce a bounce
  const log = core.log.child({ module: 'queue' });
  const dsn = buildDsn({
    reportingMta: core.config.hostname,
    to: msg.sender,
    envId: msg.env_id,
    arrivalDate: Number(msg.created_at),
    recipients,
    original,
    ret: msg.ret,
    now,
  });
  const actions = [...new Set(recipients.map((r) => r.action))].join(',');
  if (await isLocalDomain(core, domainOf(msg.sender))) {
    const account = await resolveRecipient(core, msg.sender);
    if (!account) {
      log.warn({ queueId: msg.id, sender: msg.sender }, 'notice dropped: sender has no account');
      return;
    }
    await ingest(core, dsn.raw, [{ accountId: Number(account.id), ignoreQuota: true }], {
      receivedAt: now,
    });
  } else {
    await enqueue(
      core,
      { sender: '', recipients: [{ address: msg.sender }], raw: dsn.raw, messageId: dsn.messageId },
      now,
    );
  }
  log.info({ queueId: msg.id, sender: msg.sender, actions }, 'delivery status notice sent');
}
