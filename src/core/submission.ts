// Mail sent from the web app (JMAP EmailSubmission, RFC 8621 §7), the core part. A
// submission is checked (the identity, the From header and the envelope's MAIL FROM must be
// the account's addresses; recipients valid; size), its message prepared once (Bcc removed,
// DKIM-signed with the From domain's key, as SMTP submission does) and stored durably, then
// held for `jmap.undoSendSeconds` so the sender can cancel it. When due, a worker claims it
// under a lease (a crash retries it; a claimed one cannot be canceled), delivers it as the
// SMTP door does — local recipients through ingest(), others (and full local mailboxes)
// through the outbound queue — and records the delivery status, which then follows the
// queue's attempts (submissionstatus.ts).
// Invariants: a pending submission holds one reference on its blob until it is sent,
// canceled or dropped; every change is logged as 'EmailSubmission' and published.
import PostalMime, { type Address } from 'postal-mime';
import type { Core } from './core.ts';
import { resolveRecipient, sendableAddresses } from './accounts.ts';
import { nextModseq, PendingEvents, recordChanges } from './changes.ts';
import { releaseBlobs, takeBlob } from './blobrefs.ts';
import { ingest, type DeliveryTarget } from './deliver.ts';
import { enqueue, retryDelayMs, type OutboundRecipient } from './outbound.ts';
import type { DeliveryStatus } from './submissionstatus.ts';
import { getDomain } from './domains.ts';
import { listIdentities } from './identities.ts';
import { newId } from './ids.ts';
import { normalizeAddress, parseAddress } from '../mail/address.ts';
import { signDkim } from '../mail/auth.ts';
import { removeHeaders } from '../mail/headers.ts';
import { errorMessage, UserError } from '../util/errors.ts';
import type { Transaction } from 'kysely';
import type { Database, Db } from '../store/schema.ts';

export interface EnvelopeAddress {
  email: string;
  parameters: Record<string, string | null> | null;
}

export interface Envelope {
  mailFrom: EnvelopeAddress;
  rcptTo: EnvelopeAddress[];
}

export type { DeliveryStatus };

export interface Submission {
  id: string;
  identityId: string;
  emailId: string;
  threadId: string;
  envelope: Envelope;
  sendAt: number;
  undoStatus: 'pending' | 'final' | 'canceled';
  deliveryStatus: Record<string, DeliveryStatus> | null;
}

/** Why a submission is refused; the JMAP door maps these to RFC 8621 §7.5 SetErrors. */
export type SubmissionRefusal =
  | 'invalid_identity'
  | 'no_email'
  | 'forbidden_from'
  | 'forbidden_mail_from'
  | 'no_recipients'
  | 'invalid_recipients'
  | 'too_many_recipients'
  | 'too_large';

export class SubmissionError extends UserError {
  readonly refusal: SubmissionRefusal;
  readonly detail: string[];
  constructor(refusal: SubmissionRefusal, message: string, detail: string[] = []) {
    super(refusal, message);
    this.refusal = refusal;
    this.detail = detail;
  }
}

const LEASE_MS = 60_000;

function flat(list: Address[] | Address | undefined): string[] {
  if (!list) return [];
  const out: string[] = [];
  for (const a of Array.isArray(list) ? list : [list])
    if ('group' in a && Array.isArray(a.group)) out.push(...flat(a.group));
    else if ('address' in a && a.address) out.push(a.address);
  return out;
}

type Row = Awaited<ReturnType<typeof rowsOf>>[number];

function rowsOf(db: Db, accountId: number) {
  return db
    .selectFrom('email_submissions')
    .selectAll()
    .where('account_id', '=', accountId)
    .execute();
}

function toSubmission(r: Row): Submission {
  const status = r.delivery_status;
  return {
    id: r.id,
    identityId: r.identity_id,
    emailId: r.email_id,
    threadId: r.thread_id,
    envelope: JSON.parse(r.envelope) as Envelope,
    sendAt: Number(r.send_at),
    undoStatus: r.undo_status as Submission['undoStatus'],
    deliveryStatus:
      status === null || status === '"sending"'
        ? null
        : (JSON.parse(status) as Record<string, DeliveryStatus>),
  };
}

export async function listSubmissions(core: Core, accountId: number): Promise<Submission[]> {
  return (await rowsOf(core.db, accountId)).map(toSubmission);
}

/** Checks and stores a submission; it leaves after the undo window (or at once when 0). */
export async function createSubmission(
  core: Core,
  accountId: number,
  input: { identityId: string; emailId: string; envelope: Envelope | null },
  now = Date.now(),
): Promise<Submission> {
  const identity = (await listIdentities(core, accountId)).find((i) => i.id === input.identityId);
  if (!identity) throw new SubmissionError('invalid_identity', `no identity ${input.identityId}`);
  const email = await core.db
    .selectFrom('emails')
    .select(['blob_hash', 'thread_id', 'message_id'])
    .where('account_id', '=', accountId)
    .where('id', '=', input.emailId)
    .executeTakeFirst();
  if (!email) throw new SubmissionError('no_email', `no email ${input.emailId}`);
  let raw = await core.blobs.get(email.blob_hash);
  if (raw.length > core.config.smtp.maxMessageSize)
    throw new SubmissionError('too_large', 'the message is larger than this server sends');
  const parsed = await PostalMime.parse(raw, { attachmentEncoding: 'arraybuffer' }).catch(
    () => null,
  );
  const mine = await sendableAddresses(core, accountId);
  const from = flat(parsed?.from);
  if (from.length === 0) throw new SubmissionError('forbidden_from', 'the message has no From');
  for (const a of from)
    if (!mine.includes(normalizeAddress(a) ?? ''))
      throw new SubmissionError('forbidden_from', `${a} is not an address of this account`);
  const envelope: Envelope = input.envelope ?? {
    mailFrom: { email: identity.email, parameters: null },
    rcptTo: [
      ...new Set(
        [...flat(parsed?.to), ...flat(parsed?.cc), ...flat(parsed?.bcc)].map(
          (a) => normalizeAddress(a) ?? a,
        ),
      ),
    ].map((e) => ({ email: e, parameters: null })),
  };
  if (!mine.includes(normalizeAddress(envelope.mailFrom.email) ?? ''))
    throw new SubmissionError(
      'forbidden_mail_from',
      `${envelope.mailFrom.email} is not an address of this account`,
    );
  if (envelope.rcptTo.length === 0) throw new SubmissionError('no_recipients', 'no recipients');
  if (envelope.rcptTo.length > core.config.smtp.maxRecipients)
    throw new SubmissionError('too_many_recipients', 'too many recipients');
  const bad = envelope.rcptTo.filter((r) => normalizeAddress(r.email) === null).map((r) => r.email);
  if (bad.length > 0) throw new SubmissionError('invalid_recipients', 'invalid recipients', bad);

  // RFC 8621 §7.5: recipients in Bcc are not shown to the others.
  raw = removeHeaders(raw, (name) => name.toLowerCase() === 'bcc');
  const domain = parseAddress(from[0]!)?.domain;
  const d = domain ? await getDomain(core, domain) : undefined;
  if (d)
    try {
      raw = await signDkim(raw, {
        domain: d.name,
        selector: d.dkim_selector,
        privateKey: d.dkim_private_key,
      });
    } catch (err) {
      core.log.error({ err: errorMessage(err), domain: d.name }, 'jmap: DKIM signing failed');
    }
  const hash = await core.blobs.put(raw); // fsynced before the row names it
  const id = newId('E');
  const sendAt = now + core.config.jmap.undoSendSeconds * 1000;
  const events = new PendingEvents();
  await core.db.transaction().execute(async (trx) => {
    const modseq = await nextModseq(trx, accountId);
    await trx
      .insertInto('email_submissions')
      .values({
        account_id: accountId,
        id,
        identity_id: identity.id,
        email_id: input.emailId,
        thread_id: email.thread_id,
        envelope: JSON.stringify(envelope),
        blob_hash: hash,
        send_at: sendAt,
        undo_status: 'pending',
        delivery_status: null,
        on_success: null,
        queue_id: null,
        created_at: now,
      })
      .execute();
    await takeBlob(trx, hash, raw.length, 1, now);
    await recordChanges(trx, accountId, modseq, [{ type: 'EmailSubmission', id, op: 'c' }]);
    events.add(accountId, modseq, 'EmailSubmission');
  });
  events.publish(core);
  return {
    id,
    identityId: identity.id,
    emailId: input.emailId,
    threadId: email.thread_id,
    envelope,
    sendAt,
    undoStatus: 'pending',
    deliveryStatus: null,
  };
}

async function change(
  core: Core,
  accountId: number,
  id: string,
  op: 'u' | 'd',
  fn: (trx: Transaction<Database>) => Promise<boolean>,
): Promise<boolean> {
  const events = new PendingEvents();
  const done = await core.db.transaction().execute(async (trx) => {
    if (!(await fn(trx))) return false;
    const modseq = await nextModseq(trx, accountId);
    await recordChanges(trx, accountId, modseq, [{ type: 'EmailSubmission', id, op }]);
    events.add(accountId, modseq, 'EmailSubmission');
    return true;
  });
  events.publish(core);
  return done;
}

/** Cancels a submission still in its undo window: 'canceled', or why not. */
export async function cancelSubmission(
  core: Core,
  accountId: number,
  id: string,
): Promise<'canceled' | 'final' | 'not_found'> {
  const ok = await change(core, accountId, id, 'u', async (trx) => {
    const r = await trx
      .updateTable('email_submissions')
      .set({ undo_status: 'canceled' })
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .where('undo_status', '=', 'pending')
      .where('delivery_status', 'is', null)
      .returning('blob_hash')
      .executeTakeFirst();
    if (r) await releaseBlobs(trx, [r.blob_hash]);
    return r !== undefined;
  });
  if (ok) return 'canceled';
  const row = await core.db
    .selectFrom('email_submissions')
    .select('undo_status')
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return row ? (row.undo_status === 'canceled' ? 'canceled' : 'final') : 'not_found';
}

/** Forgets a submission (a pending one is canceled first). */
export async function destroySubmission(
  core: Core,
  accountId: number,
  id: string,
): Promise<boolean> {
  await cancelSubmission(core, accountId, id);
  return change(core, accountId, id, 'd', async (trx) => {
    const r = await trx
      .deleteFrom('email_submissions')
      .where('account_id', '=', accountId)
      .where('id', '=', id)
      .where((eb) => eb.or([eb('undo_status', '!=', 'pending'), eb('delivery_status', 'is', null)]))
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}

/**
 * Removes sent and canceled submissions made before `cutoff` (ms), as destroys in the change
 * log (one modseq per account), so clients see them go; pending ones stay (RFC 8621 §7 lets
 * the server delete submissions; `jmap.submissionDays`). Returns how many were removed.
 */
export async function pruneSubmissions(core: Core, cutoff: number): Promise<number> {
  const old = await core.db
    .selectFrom('email_submissions')
    .select(['account_id', 'id'])
    .where('undo_status', '!=', 'pending')
    .where('created_at', '<', cutoff)
    .orderBy('account_id')
    .limit(10_000)
    .execute();
  const byAccount = new Map<number, string[]>();
  for (const r of old) {
    const id = Number(r.account_id);
    const list = byAccount.get(id);
    if (list) list.push(r.id);
    else byAccount.set(id, [r.id]);
  }
  const events = new PendingEvents();
  let removed = 0;
  for (const [accountId, ids] of byAccount)
    removed += await core.db.transaction().execute(async (trx) => {
      const gone = await trx
        .deleteFrom('email_submissions')
        .where('account_id', '=', accountId)
        .where('id', 'in', ids)
        .where('undo_status', '!=', 'pending')
        .returning('id')
        .execute();
      if (gone.length === 0) return 0;
      const modseq = await nextModseq(trx, accountId);
      await recordChanges(
        trx,
        accountId,
        modseq,
        gone.map((g) => ({ type: 'EmailSubmission', id: g.id, op: 'd' as const })),
      );
      events.add(accountId, modseq, 'EmailSubmission');
      return gone.length;
    });
  events.publish(core);
  return removed;
}

/** Drops an account's submissions inside its removal, releasing held blobs. */
export async function dropSubmissions(trx: Db, accountId: number): Promise<void> {
  const held = await trx
    .selectFrom('email_submissions')
    .select('blob_hash')
    .where('account_id', '=', accountId)
    .where('undo_status', '=', 'pending')
    .execute();
  await trx.deleteFrom('email_submissions').where('account_id', '=', accountId).execute();
  await releaseBlobs(
    trx,
    held.map((h) => h.blob_hash),
  );
}

/**
 * The last step of sending, in the transaction that makes it true: the submission is final
 * with its recipients' status (and the queue id they wait under), its held blob released,
 * the change logged.
 */
async function finalize(
  trx: Transaction<Database>,
  events: PendingEvents,
  row: Row,
  status: Record<string, DeliveryStatus>,
  queueId: number | null,
): Promise<void> {
  const accountId = Number(row.account_id);
  await trx
    .updateTable('email_submissions')
    .set({ undo_status: 'final', delivery_status: JSON.stringify(status), queue_id: queueId })
    .where('account_id', '=', accountId)
    .where('id', '=', row.id)
    .execute();
  await releaseBlobs(trx, [row.blob_hash]);
  const modseq = await nextModseq(trx, accountId);
  await recordChanges(trx, accountId, modseq, [{ type: 'EmailSubmission', id: row.id, op: 'u' }]);
  events.add(accountId, modseq, 'EmailSubmission');
}

/**
 * Delivers one claimed submission: local recipients at once, the others (and full local
 * mailboxes) into the outbound queue. When some are queued, the submission is made final in
 * the queue's own transaction, so the queue can never report on a recipient before the
 * submission knows it is queued (core/submissionstatus.ts follows it from there).
 */
async function send(core: Core, row: Row): Promise<void> {
  const accountId = Number(row.account_id);
  const env = JSON.parse(row.envelope) as Envelope;
  const raw = await core.blobs.get(row.blob_hash);
  const status: Record<string, DeliveryStatus> = {};
  const targets = new Map<number, DeliveryTarget>();
  const rcptAccount = new Map<string, number>();
  const remote: OutboundRecipient[] = [];
  for (const r of env.rcptTo) {
    const a = await resolveRecipient(core, r.email);
    if (a) {
      targets.set(a.id, { accountId: a.id });
      rcptAccount.set(r.email, a.id);
    } else remote.push({ address: r.email });
  }
  const failed = new Set<number>();
  if (targets.size > 0) {
    const results = await ingest(core, raw, [...targets.values()], {
      envelopeSender: env.mailFrom.email,
    }).catch(() => []);
    const ok = new Set(results.filter((r) => r.ok).map((r) => r.accountId));
    for (const t of targets.keys()) if (!ok.has(t)) failed.add(t);
  }
  const now = Date.now();
  for (const [email, acct] of rcptAccount)
    if (failed.has(acct))
      remote.push({
        address: email,
        // As SMTP does for a full local mailbox: it waits in the queue (src/smtp/inbound.ts).
        deferred: { reason: '452 4.2.2 mailbox full', retryAt: now + retryDelayMs(core, 1) },
      });
    else
      status[email] = {
        smtpReply: '250 2.0.0 delivered to a local mailbox',
        delivered: 'yes',
        displayed: 'unknown',
      };
  const events = new PendingEvents();
  if (remote.length === 0)
    await core.db.transaction().execute((trx) => finalize(trx, events, row, status, null));
  else {
    for (const r of remote)
      status[r.address] = {
        smtpReply: r.deferred?.reason ?? '250 2.0.0 queued',
        delivered: 'queued',
        displayed: 'unknown',
      };
    const messageId =
      /^Message-ID:\s*<([^>\r\n]+)>/im.exec(raw.subarray(0, 64 * 1024).toString('latin1'))?.[1] ??
      null;
    await enqueue(
      core,
      { sender: env.mailFrom.email, recipients: remote, raw, accountId, messageId },
      now,
      (trx, queueId) => finalize(trx, events, row, status, queueId),
    );
  }
  events.publish(core);
}

const running = new WeakMap<Core, Promise<unknown>>();

/**
 * Sends every submission whose undo window is over; returns how many were sent. Runs on one
 * core follow each other, so a caller knows that what was due has left when it resolves.
 */
export function runDueSubmissions(core: Core, now = Date.now()): Promise<number> {
  const run = (running.get(core) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => sendDue(core, now));
  running.set(core, run);
  return run;
}

async function sendDue(core: Core, now: number): Promise<number> {
  const due = await core.db
    .selectFrom('email_submissions')
    .selectAll()
    .where('undo_status', '=', 'pending')
    .where('send_at', '<=', now)
    .limit(100)
    .execute();
  let sent = 0;
  for (const row of due) {
    const accountId = Number(row.account_id);
    // The claim: one node, once per lease; a claimed submission can no longer be canceled.
    const claim = await core.db
      .updateTable('email_submissions')
      .set({ delivery_status: '"sending"', send_at: now + LEASE_MS })
      .where('account_id', '=', accountId)
      .where('id', '=', row.id)
      .where('undo_status', '=', 'pending')
      .where('send_at', '<=', now)
      .executeTakeFirst();
    if (Number(claim.numUpdatedRows) === 0) continue;
    try {
      await send(core, row);
      sent++;
    } catch (err) {
      core.log.error(
        { err: errorMessage(err), submission: row.id },
        'jmap: sending failed; retried',
      );
    }
  }
  return sent;
}

/** Runs `runDueSubmissions` every second until stopped. */
export function startSubmissionWorker(core: Core, everyMs = 1000): () => void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    runDueSubmissions(core)
      .catch((err: unknown) =>
        core.log.error({ err: errorMessage(err) }, 'jmap: submission worker'),
      )
      .finally(() => (busy = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
