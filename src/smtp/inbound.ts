// Mail arriving on the MX: authentication checks (SPF, DKIM, DMARC, ARC via mailauth), the
// spam verdict, trace fields, then delivery. DMARC p=reject on a failing message → 550 5.7.1
// (RFC 7489 §6.7); p=quarantine or a 'spam' verdict → the Junk mailbox. Forged
// Authentication-Results fields carrying our own authserv-id are removed (RFC 8601 §5).
// A local recipient over quota at the end of DATA: 452 4.2.2 when nobody else takes the
// message; otherwise the others get it and the full one waits in the outbound queue as a
// deferred local recipient (see `heldBack`).
import type { SMTPServerSession } from 'smtp-server';
import { ingest, type DeliveryResult, type DeliveryTarget } from '../core/deliver.ts';
import { enqueue, retryDelayMs } from '../core/outbound.ts';
import { checkInbound, type InboundAuth } from '../mail/auth.ts';
import { prependHeaders, removeHeaders } from '../mail/headers.ts';
import { errorMessage, UserError } from '../util/errors.ts';
import type { Recipient, SmtpContext } from './context.ts';
import { receivedFor } from './trace.ts';
import { smtpError } from './replies.ts';

export interface DeliverOptions {
  sender: string;
  accountId?: number | null;
  junk?: boolean;
  messageId?: string | null;
  envId?: string | null;
  ret?: 'FULL' | 'HDRS' | null;
}

/**
 * Delivers one message to its recipients: local ones are ingested, once per account; remote
 * ones, and local ones that could not take it now, go to the outbound queue (one queue
 * message, with their DSN parameters). Returns the 250 reply text.
 */
export async function deliver(
  ctx: SmtpContext,
  raw: Buffer,
  rcpts: Recipient[],
  opts: DeliverOptions,
): Promise<string> {
  const remote = rcpts.filter((r) => r.accountId === null);
  const targets = new Map<number, DeliveryTarget>();
  for (const r of rcpts)
    if (r.accountId !== null)
      targets.set(r.accountId, { accountId: r.accountId, ...(opts.junk ? { role: 'junk' } : {}) });
  let results: DeliveryResult[] = [];
  if (targets.size > 0) {
    try {
      results = await ingest(ctx.core, raw, [...targets.values()], { envelopeSender: opts.sender });
    } catch (err) {
      if (!(err instanceof UserError && err.code === 'not_found')) throw err;
      if (remote.length === 0) throw smtpError(550, '5.1.1', 'No such user here');
      // Accounts removed since RCPT: the queue bounces them with a DSN.
      results = [...targets.keys()].map((accountId) => ({ accountId, ok: false }));
    }
  }
  const failed = new Map(results.filter((r) => !r.ok).map((r) => [r.accountId, r.error]));
  // Nobody got it and nothing else is pending: the client keeps the message and retries.
  if (failed.size > 0 && failed.size === results.length && remote.length === 0)
    throw [...failed.values()].includes('over_quota')
      ? smtpError(452, '4.2.2', 'Mailbox full')
      : smtpError(451, '4.3.0', 'Mailbox unavailable; try again later');
  const now = Date.now();
  const later = rcpts.filter((r) => r.accountId !== null && failed.has(r.accountId));
  const queued = [...remote, ...later].map((r) => ({
    address: r.address,
    notify: r.notify,
    orcpt: r.orcpt,
    deferred: r.accountId === null ? null : heldBack(ctx, failed.get(r.accountId), now),
    // It was filed for Junk: it goes there when the queue delivers it.
    mailbox: r.accountId !== null && opts.junk ? ('junk' as const) : null,
  }));
  if (queued.length === 0) return '2.6.0 Message accepted';
  const id = await enqueue(
    ctx.core,
    {
      sender: opts.sender,
      recipients: queued,
      raw,
      accountId: opts.accountId ?? null,
      messageId: opts.messageId ?? null,
      envId: opts.envId ?? null,
      ret: opts.ret ?? null,
    },
    now,
  );
  if (later.length > 0)
    ctx.log.info(
      { queueId: id, sender: opts.sender, rcpts: later.map((r) => r.address) },
      'smtp: local recipients deferred to the queue',
    );
  return `2.6.0 Message accepted, queued as ${id}`;
}

/**
 * A local recipient that could not take a message the others got. After DATA there is one
 * reply for the whole transaction (RFC 5321 §4.2.5), and once it is 250 we are responsible
 * for every recipient (§6.1): a full mailbox can neither be refused nor silently dropped.
 * Like a queued delivery, it waits: the queue retries it through ingest() as a local
 * recipient, deferring 4.2.2 while the mailbox is full (RFC 3463 §3.3, "a persistent
 * transient failure" its owner can clear), so the message arrives once space is freed; the
 * sender gets the queue's delay notice and, after `queue.retryDays`, its bounce (5.2.2).
 * Any other failure is simply due now, and the queue's attempt decides.
 */
function heldBack(
  ctx: SmtpContext,
  error: DeliveryResult['error'],
  now: number,
): { reason: string; retryAt: number } | null {
  if (error !== 'over_quota') return null;
  // The same reply the queue's local delivery records (src/queue/deliver.ts).
  return { reason: '452 4.2.2 mailbox full', retryAt: now + retryDelayMs(ctx.core, 1) };
}

export async function deliverInbound(
  ctx: SmtpContext,
  session: SMTPServerSession,
  message: Buffer,
  rcpts: Recipient[],
): Promise<string> {
  const hostname = ctx.core.config.hostname.toLowerCase();
  const raw = removeHeaders(
    message,
    (name, value) =>
      name.toLowerCase() === 'authentication-results' &&
      value.toLowerCase().split(/[\s;]/)[0] === hostname,
  );
  const from = session.envelope.mailFrom;
  const sender = from ? from.address : '';
  let auth: InboundAuth | null = null;
  try {
    auth = await checkInbound(raw, {
      ip: session.remoteAddress,
      helo: session.hostNameAppearsAs || '',
      sender,
      authservId: ctx.core.config.hostname,
      resolver: ctx.resolver,
    });
  } catch (err) {
    ctx.log.warn({ err: errorMessage(err) }, 'smtp: authentication checks failed to run');
  }
  if (auth?.dmarcPolicy === 'reject')
    throw smtpError(550, '5.7.1', "Rejected by the sender domain's DMARC policy");
  const verdict = await ctx.spamFilter({
    raw,
    from: sender,
    rcpts: rcpts.map((r) => r.address),
    auth,
  });
  if (verdict === 'reject') throw smtpError(550, '5.7.1', 'Message refused as spam');
  const stamped = prependHeaders(raw, [auth?.headers ?? '', receivedFor(ctx, session, rcpts)]);
  const dsn = session.envelope.dsn;
  return deliver(ctx, stamped, rcpts, {
    sender,
    junk: verdict === 'spam' || auth?.dmarcPolicy === 'quarantine',
    envId: dsn?.envid ?? null,
    ret: dsn?.ret === 'FULL' || dsn?.ret === 'HDRS' ? dsn.ret : null,
  });
}
