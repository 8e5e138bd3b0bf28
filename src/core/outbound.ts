// Mail leaving for other servers: the durable outbound queue's records and the delivery log.
// Doors (SMTP submission, JMAP EmailSubmission, bounces, the MX for a mailbox that was full)
// call `enqueue`; the queue worker in src/queue/ takes due recipients, delivers, and records
// each attempt with `logDelivery` (and, for mail sent through JMAP, the submission's delivery
// status: submissionstatus.ts).
// Invariant: `enqueue` returns only after the blob is fsynced and the rows are committed.
import type { Transaction } from 'kysely';
import type { Database, DeliveryLogEntry, Db } from '../store/schema.ts';
import { domainOf } from '../mail/address.ts';
import type { Core } from './core.ts';
import { releaseBlobs, takeBlob } from './blobrefs.ts';
import { UserError } from '../util/errors.ts';
import { problem } from '../util/problems.ts';
import { PendingEvents } from './changes.ts';
import { noteQueueOutcome } from './submissionstatus.ts';

export type DeliveryEvent =
  'accepted' | 'delivered' | 'deferred' | 'bounced' | 'rejected' | 'relayed';

export interface OutboundRecipient {
  address: string;
  /** DSN NOTIFY (RFC 3461 §4.1), e.g. "SUCCESS,FAILURE" or "NEVER". */
  notify?: string | null;
  /** DSN ORCPT (RFC 3461 §4.2), e.g. "rfc822;user@example.org". */
  orcpt?: string | null;
  /**
   * Already tried once by the door that accepted the message (e.g. a local mailbox that was
   * full at the end of DATA): queued as a deferred first attempt, due again at `retryAt`.
   */
  deferred?: { reason: string; retryAt: number } | null;
  /** A local recipient's mailbox, by role, when not the inbox ('junk': a spam verdict). */
  mailbox?: 'junk' | null;
}

export interface OutboundMessage {
  sender: string; // '' for a bounce (null reverse-path)
  recipients: OutboundRecipient[];
  raw: Uint8Array;
  accountId?: number | null;
  messageId?: string | null;
  envId?: string | null;
  ret?: 'FULL' | 'HDRS' | null;
}

/**
 * Queues a message for remote recipients; returns the queue id. `within`, when given, runs
 * in the transaction that queues it, with its queue id (a JMAP submission becomes final in
 * the same commit as its message enters the queue).
 */
export async function enqueue(
  core: Core,
  msg: OutboundMessage,
  now = Date.now(),
  within?: (trx: Transaction<Database>, queueId: number) => Promise<void>,
): Promise<number> {
  return (await enqueueMany(core, [msg], now, within && ((trx, ids) => within(trx, ids[0]!))))[0]!;
}

/**
 * Queues several messages at once (a bulk import's welcome mails): the blobs are written side
 * by side (their fsyncs overlap), then every row goes in one transaction. Returns the queue ids
 * in order. Same guarantee as `enqueue`: all durable before it returns.
 */
export async function enqueueMany(
  core: Core,
  msgs: OutboundMessage[],
  now = Date.now(),
  within?: (trx: Transaction<Database>, queueIds: number[]) => Promise<void>,
): Promise<number[]> {
  if (msgs.length === 0) return [];
  if (msgs.some((m) => m.recipients.length === 0)) throw new Error('enqueue: no recipients');
  const hashes = await Promise.all(msgs.map((m) => core.blobs.put(m.raw)));
  const ids = await core.db.transaction().execute(async (trx) => {
    let out: number[] = [];
    if (msgs.length > 1 && new Set(hashes).size === hashes.length)
      out = await insertQueuedMany(trx, msgs, hashes, now);
    else
      for (const [i, msg] of msgs.entries())
        out.push(await insertQueued(trx, msg, hashes[i]!, now));
    if (within) await within(trx, out);
    return out;
  });
  core.bus.publish({ accountId: 0, modseq: 0, types: ['Queue'] });
  return ids;
}

/** The queue row of one recipient: due now, or deferred once already by the door. */
function recipientRow(qid: number, r: OutboundRecipient, now: number) {
  return {
    message_id: qid,
    recipient: r.address,
    domain: domainOf(r.address),
    status: 'queued',
    attempts: r.deferred ? 1 : 0,
    next_attempt_at: r.deferred?.retryAt ?? now,
    last_error: r.deferred?.reason ?? null,
    notify: r.notify ?? null,
    orcpt: r.orcpt ?? null,
    mailbox: r.mailbox ?? null,
    updated_at: now,
  };
}

const CHUNK = 400;

function chunked<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * The rows of many messages with distinct blobs, a few multi-row statements for all of them
 * (the messages' ids are matched back by their distinct blob hashes).
 */
async function insertQueuedMany(
  trx: Transaction<Database>,
  msgs: OutboundMessage[],
  hashes: string[],
  now: number,
): Promise<number[]> {
  const idOf = new Map<string, number>();
  for (const part of chunked(msgs.map((m, i) => ({ m, hash: hashes[i]! }))))
    for (const r of await trx
      .insertInto('queue_messages')
      .values(
        part.map(({ m, hash }) => ({
          sender: m.sender,
          blob_hash: hash,
          size: m.raw.byteLength,
          message_id: m.messageId ?? null,
          account_id: m.accountId ?? null,
          env_id: m.envId ?? null,
          ret: m.ret ?? null,
          created_at: now,
        })),
      )
      .returning(['id', 'blob_hash'])
      .execute())
      idOf.set(r.blob_hash, Number(r.id));
  const ids = hashes.map((h) => idOf.get(h)!);
  const each = msgs.flatMap((m, i) => m.recipients.map((r) => ({ m, r, qid: ids[i]! })));
  for (const part of chunked(each))
    await trx
      .insertInto('queue_recipients')
      .values(part.map(({ r, qid }) => recipientRow(qid, r, now)))
      .execute();
  for (const part of chunked(msgs.map((m, i) => ({ hash: hashes[i]!, size: m.raw.byteLength }))))
    await trx
      .insertInto('blobs')
      .values(part.map((b) => ({ hash: b.hash, size: b.size, refcount: 1, created_at: now })))
      .onConflict((oc) =>
        oc.column('hash').doUpdateSet((eb) => ({ refcount: eb('blobs.refcount', '+', 1) })),
      )
      .execute();
  const log = each.flatMap(({ m, r, qid }) => {
    const entry = {
      queue_id: qid,
      message_id: m.messageId ?? null,
      sender: m.sender,
      recipient: r.address,
      remote: null,
      at: now,
    };
    return [
      { ...entry, event: 'accepted', detail: 'queued for delivery' },
      ...(r.deferred ? [{ ...entry, event: 'deferred', detail: r.deferred.reason }] : []),
    ];
  });
  for (const part of chunked(log)) await trx.insertInto('delivery_log').values(part).execute();
  return ids;
}

async function insertQueued(
  trx: Transaction<Database>,
  msg: OutboundMessage,
  hash: string,
  now: number,
): Promise<number> {
  const size = msg.raw.byteLength;
  const row = await trx
    .insertInto('queue_messages')
    .values({
      sender: msg.sender,
      blob_hash: hash,
      size,
      message_id: msg.messageId ?? null,
      account_id: msg.accountId ?? null,
      env_id: msg.envId ?? null,
      ret: msg.ret ?? null,
      created_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const qid = Number(row.id);
  await trx
    .insertInto('queue_recipients')
    .values(msg.recipients.map((r) => recipientRow(qid, r, now)))
    .execute();
  await takeBlob(trx, hash, size, 1, now);
  for (const r of msg.recipients) {
    const entry = {
      queue_id: qid,
      message_id: msg.messageId ?? null,
      sender: msg.sender,
      recipient: r.address,
      remote: null,
      at: now,
    };
    await logDelivery(trx, { ...entry, event: 'accepted', detail: 'queued for delivery' });
    if (r.deferred)
      await logDelivery(trx, { ...entry, event: 'deferred', detail: r.deferred.reason });
  }
  return qid;
}

/** The wait after `attempts` failed attempts: `queue.backoffMinutes`, the last value repeating. */
export function retryDelayMs(core: Core, attempts: number): number {
  const b = core.config.queue.backoffMinutes;
  return (b[Math.min(Math.max(attempts, 1), b.length) - 1] ?? 60) * 60_000;
}

export async function logDelivery(
  db: Db,
  e: Omit<DeliveryLogEntry, 'id' | 'at'> & { at?: number },
): Promise<void> {
  await db
    .insertInto('delivery_log')
    .values({ ...e, at: e.at ?? Date.now() })
    .execute();
}

export interface TraceQuery {
  sender?: string;
  recipient?: string;
  since?: number;
  until?: number;
  limit?: number;
}

/** Searches the delivery log (the message trace of the admin console). */
export async function traceDeliveries(core: Core, q: TraceQuery): Promise<DeliveryLogEntry[]> {
  let s = core.db
    .selectFrom('delivery_log')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc');
  if (q.sender) s = s.where('sender', '=', q.sender.toLowerCase());
  if (q.recipient) s = s.where('recipient', '=', q.recipient.toLowerCase());
  if (q.since !== undefined) s = s.where('at', '>=', q.since);
  if (q.until !== undefined) s = s.where('at', '<', q.until);
  return s.limit(q.limit ?? 200).execute();
}

export interface QueueEntry {
  /** The queue id (one per queued message; `champa queue retry|remove` take it). */
  queueId: number;
  sender: string;
  recipient: string;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  size: number;
  createdAt: number;
}

/** Queue entries, one per recipient, oldest first; by default only those still waiting. */
export async function listQueue(
  core: Core,
  opts: { all?: boolean; limit?: number } = {},
): Promise<QueueEntry[]> {
  let q = core.db
    .selectFrom('queue_recipients as r')
    .innerJoin('queue_messages as m', 'm.id', 'r.message_id')
    .select([
      'm.id as queueId',
      'm.sender',
      'r.recipient',
      'r.status',
      'r.attempts',
      'r.next_attempt_at',
      'r.last_error',
      'm.size',
      'm.created_at',
    ])
    .orderBy('m.id')
    .orderBy('r.id');
  if (!opts.all) q = q.where('r.status', '=', 'queued');
  const rows = await q.limit(opts.limit ?? 10000).execute();
  return rows.map((r) => ({
    queueId: Number(r.queueId),
    sender: r.sender,
    recipient: r.recipient,
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: Number(r.next_attempt_at),
    lastError: r.last_error,
    size: Number(r.size),
    createdAt: Number(r.created_at),
  }));
}

/**
 * Makes waiting recipients due now: those of one queued message, or of every message when
 * `queueId` is undefined. Returns how many recipients were made due.
 */
export async function retryQueue(core: Core, queueId?: number, now = Date.now()): Promise<number> {
  let q = core.db
    .updateTable('queue_recipients')
    .set({ next_attempt_at: now, updated_at: now })
    .where('status', '=', 'queued');
  if (queueId !== undefined) q = q.where('message_id', '=', queueId);
  const r = await q.executeTakeFirst();
  const n = Number(r.numUpdatedRows);
  if (queueId !== undefined && n === 0)
    throw new UserError('not_found', problem('queueNotWaiting', { id: queueId }));
  core.bus.publish({ accountId: 0, modseq: 0, types: ['Queue'] });
  return n;
}

/**
 * Drops a queued message without delivering it or bouncing it; the delivery log records who
 * was not delivered. Returns how many recipients were still waiting.
 */
export async function removeQueued(core: Core, queueId: number, now = Date.now()): Promise<number> {
  const events = new PendingEvents();
  const n = await core.db.transaction().execute(async (trx) => {
    const msg = await trx
      .selectFrom('queue_messages')
      .selectAll()
      .where('id', '=', queueId)
      .executeTakeFirst();
    if (!msg) throw new UserError('not_found', problem('queueNotFound', { id: queueId }));
    const waiting = await trx
      .selectFrom('queue_recipients')
      .select('recipient')
      .where('message_id', '=', queueId)
      .where('status', '=', 'queued')
      .execute();
    for (const w of waiting) {
      await logDelivery(trx, {
        queue_id: queueId,
        message_id: msg.message_id,
        sender: msg.sender,
        recipient: w.recipient,
        event: 'rejected',
        detail: 'removed from the queue by an administrator',
        remote: null,
        at: now,
      });
      if (msg.account_id !== null)
        await noteQueueOutcome(trx, events, Number(msg.account_id), queueId, w.recipient, {
          status: 'bounced',
          reply: '554 5.0.0 removed from the queue by an administrator',
          local: false,
        });
    }
    await trx.deleteFrom('queue_recipients').where('message_id', '=', queueId).execute();
    await trx.deleteFrom('queue_messages').where('id', '=', queueId).execute();
    await releaseBlobs(trx, [msg.blob_hash]);
    return waiting.length;
  });
  events.publish(core);
  return n;
}
