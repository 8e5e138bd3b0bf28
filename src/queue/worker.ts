// The outbound queue runner. It wakes on a timer and on every change-bus event of type
// 'Queue' (enqueue publishes one), claims due recipients (core/queuework.ts: a lease, and
// FOR UPDATE SKIP LOCKED on PostgreSQL, so several nodes share one queue safely), groups them
// by (message, domain), delivers each group (deliver.ts) with at most
// `queue.concurrencyPerDomain` groups in flight per domain, then applies the retry policy:
//   2xx → delivered; 5xx → bounced at once; 4xx or no answer → deferred, next attempt after
//   `queue.backoffMinutes` (the last value repeats), bounced once `queue.retryDays` passed;
//   after `queue.delayNoticeHours` one "delayed" notice (RFC 3464 Action: delayed).
// Every attempt writes a delivery-log row. A crash mid-delivery leaves the lease to expire,
// and the recipients are tried again.
import type { QueueMessage, QueueRecipient } from '../store/schema.ts';
import type { Core } from '../core/core.ts';
import { isLocalDomain } from '../core/domains.ts';
import { claimDue, getQueueMessage, recordAttempt } from '../core/queuework.ts';
import { retryDelayMs } from '../core/outbound.ts';
import type { MxResolver } from '../mail/mx.ts';
import { makeResolver } from '../mail/dns.ts';
import type { DsnRecipient } from '../mail/dsn.ts';
import { deliverLocal, deliverRemote, type Outcome } from './deliver.ts';
import { sendNotice, wants } from './notify.ts';

export interface QueueRunner {
  /** Run due work now. */
  kick(): void;
  /** Resolves once no pass and no delivery is running (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Stop taking work, finish in-flight deliveries. */
  close(): Promise<void>;
}

export interface QueueOptions {
  now?: () => number;
  resolver?: MxResolver;
  /** How often due rows are looked for without a wake-up event. */
  pollMs?: number;
  /** How long a claimed recipient is held before another node may take it. */
  leaseMs?: number;
  /** The port MX hosts are reached on (25); tests and labs point it at a local peer. */
  mxPort?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const BATCH = 200;

/**
 * The Status of a bounce after `queue.retryDays` of temporary failures. RFC 3463 §3.5: 4.4.7
 * "delivery time expired". A full mailbox is the exception: X.2.2 is, in §3.3's words, "a
 * persistent transient failure" that its owner can clear; once we give up it is final, and
 * 5.2.2 tells the sender (and their mail client) that the mailbox was full, not that the
 * network failed. The last reply stays in Diagnostic-Code either way.
 */
function expiredStatus(lastStatus: string): string {
  return lastStatus === '4.2.2' ? '5.2.2' : '4.4.7';
}

export function startQueue(core: Core, opts: QueueOptions = {}): QueueRunner {
  const now = opts.now ?? Date.now;
  const resolver = opts.resolver ?? makeResolver(core.config.dns.servers);
  const leaseMs = opts.leaseMs ?? 30 * MINUTE;
  const log = core.log.child({ module: 'queue' });
  const perDomain = core.config.queue.concurrencyPerDomain;
  const inflight = new Map<string, number>();
  const running = new Set<Promise<void>>();
  let closed = false;
  let again = false;
  let passing: Promise<void> | null = null;

  const groupKey = (r: QueueRecipient) => `${r.message_id} ${r.domain}`;

  /** Takes whole groups while their domain has a free slot. */
  function pick(rows: QueueRecipient[]): QueueRecipient[] {
    const slots = new Map(inflight);
    const accepted = new Set<string>();
    for (const r of rows) {
      const k = groupKey(r);
      if (accepted.has(k)) continue;
      const used = slots.get(r.domain) ?? 0;
      if (used >= perDomain) continue;
      slots.set(r.domain, used + 1);
      accepted.add(k);
    }
    return rows.filter((r) => accepted.has(groupKey(r)));
  }

  async function pass(): Promise<void> {
    const full = [...inflight].filter(([, n]) => n >= perDomain).map(([d]) => d);
    const rows = await claimDue(core, {
      now: now(),
      leaseMs,
      limit: BATCH,
      skipDomains: full,
      pick,
    });
    if (rows.length >= BATCH) again = true;
    const groups = new Map<string, QueueRecipient[]>();
    for (const r of rows) groups.set(groupKey(r), [...(groups.get(groupKey(r)) ?? []), r]);
    for (const g of groups.values()) start(g[0]!.message_id, g[0]!.domain, g);
  }

  function kick(): void {
    if (closed) return;
    if (passing) {
      again = true;
      return;
    }
    passing = (async () => {
      do {
        again = false;
        await pass();
      } while (again && !closed);
    })()
      .catch((err: unknown) => log.error({ err }, 'queue pass failed'))
      .finally(() => {
        passing = null;
      });
  }

  function start(queueId: number, domain: string, rows: QueueRecipient[]): void {
    inflight.set(domain, (inflight.get(domain) ?? 0) + 1);
    const p = runGroup(queueId, domain, rows)
      .catch((err: unknown) =>
        log.error({ err, queueId, domain }, 'delivery attempt failed; retried after the lease'),
      )
      .finally(() => {
        const n = (inflight.get(domain) ?? 1) - 1;
        if (n > 0) inflight.set(domain, n);
        else inflight.delete(domain);
        kick();
        running.delete(p);
      });
    running.add(p);
  }

  async function runGroup(queueId: number, domain: string, rows: QueueRecipient[]): Promise<void> {
    const msg = await getQueueMessage(core, queueId);
    if (!msg) return; // removed by an administrator meanwhile
    const raw = await core.blobs.get(msg.blob_hash);
    const t = now();
    const outcomes = (await isLocalDomain(core, domain))
      ? await deliverLocal({ core, resolver }, rows, raw, t)
      : await deliverRemote({ core, resolver, mxPort: opts.mxPort }, msg, domain, rows, raw);
    await settle(msg, rows, outcomes, raw, now());
  }

  async function settle(
    msg: QueueMessage,
    rows: QueueRecipient[],
    outcomes: Map<number, Outcome>,
    raw: Buffer,
    t: number,
  ): Promise<void> {
    const q = core.config.queue;
    const expires = Number(msg.created_at) + q.retryDays * DAY;
    const notices: Record<'failed' | 'delayed' | 'success', DsnRecipient[]> = {
      failed: [],
      delayed: [],
      success: [],
    };
    for (const row of rows) {
      const o: Outcome = outcomes.get(row.id) ?? {
        kind: 'deferred',
        status: '4.0.0',
        diagnostic: '451 4.0.0 no result for this recipient',
        remote: null,
        remoteHost: null,
      };
      const attempts = row.attempts + 1;
      const dsn: DsnRecipient = {
        finalRecipient: row.recipient,
        originalRecipient: row.orcpt,
        action: 'failed',
        status: o.status,
        remoteMta: o.remoteHost,
        diagnostic: o.diagnostic,
        lastAttemptAt: t,
      };
      const base = { recipientId: row.id, attempts, lastError: null, reply: o.diagnostic };
      if (o.kind === 'delivered') {
        await recordAttempt(
          core,
          msg,
          row.recipient,
          {
            ...base,
            status: 'delivered',
            nextAttemptAt: t,
            log: { event: 'delivered', detail: o.diagnostic, remote: o.remote },
          },
          t,
        );
        const local = o.remote === null;
        // RFC 3461 §5.2.2/§5.3: we report success only where the chain of DSN ends here.
        if (wants(row.notify, 'SUCCESS') && (local || o.relayed))
          notices.success.push({ ...dsn, action: local ? 'delivered' : 'relayed' });
        log.info({ queueId: msg.id, rcpt: row.recipient, remote: o.remote }, 'delivered');
        continue;
      }
      const expired = o.kind === 'deferred' && t >= expires;
      if (o.kind === 'bounced' || expired) {
        const detail = expired
          ? `gave up after ${q.retryDays} days; last error: ${o.diagnostic}`
          : o.diagnostic;
        await recordAttempt(
          core,
          msg,
          row.recipient,
          {
            ...base,
            status: 'bounced',
            nextAttemptAt: t,
            lastError: detail,
            log: { event: 'bounced', detail, remote: o.remote },
          },
          t,
        );
        if (wants(row.notify, 'FAILURE'))
          notices.failed.push({ ...dsn, status: expired ? expiredStatus(o.status) : o.status });
        log.info({ queueId: msg.id, rcpt: row.recipient, detail }, 'bounced');
        continue;
      }
      const delayNotice =
        row.delay_notified === 0 &&
        t - Number(msg.created_at) >= q.delayNoticeHours * HOUR &&
        wants(row.notify, 'DELAY');
      await recordAttempt(
        core,
        msg,
        row.recipient,
        {
          ...base,
          status: 'queued',
          nextAttemptAt: t + retryDelayMs(core, attempts),
          lastError: o.diagnostic,
          ...(delayNotice ? { delayNotified: true } : {}),
          log: { event: 'deferred', detail: o.diagnostic, remote: o.remote },
        },
        t,
      );
      if (delayNotice) notices.delayed.push({ ...dsn, action: 'delayed', willRetryUntil: expires });
      log.info({ queueId: msg.id, rcpt: row.recipient, detail: o.diagnostic }, 'deferred');
    }
    for (const list of [notices.failed, notices.delayed, notices.success]) {
      if (list.length === 0) continue;
      try {
        await sendNotice(core, msg, list, raw, t);
      } catch (err) {
        log.error({ err, queueId: msg.id }, 'could not send a delivery status notice');
      }
    }
  }

  const timer = setInterval(kick, opts.pollMs ?? 5000);
  timer.unref();
  const unsubscribe = core.bus.subscribeAll((e) => {
    if (e.types.includes('Queue')) kick();
  });
  kick();

  async function idle(): Promise<void> {
    while (passing || running.size > 0) await Promise.allSettled([passing, ...running]);
  }

  return {
    kick,
    idle,
    async close() {
      closed = true;
      clearInterval(timer);
      unsubscribe();
      await idle();
    },
  };
}
