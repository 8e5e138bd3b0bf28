// Mail arriving on the MX: authentication checks (SPF, DKIM, DMARC, ARC via mailauth), the
// spam verdict, trace fields, then delivery. DMARC p=reject on a failing message → 550 5.7.1
// (RFC 7489 §6.7); p=quarantine or a 'spam' verdict → the Junk mailbox. Forged
// Authentication-Results fields carrying our own authserv-id are removed (RFC 8601 §5).
// A recipient over quota is refused with 452 4.2.2 when it was the only one; when others
// were delivered it is logged, and its bounce is the queue's job (see `overQuota` below).
import type { SMTPServerSession } from 'smtp-server';
import { ingest, type DeliveryTarget } from '../core/deliver.ts';
import { enqueue } from '../core/outbound.ts';
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
 * Delivers one message to its recipients: remote ones are queued (with their DSN
 * parameters), local ones ingested, once per account. Returns the 250 reply text.
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
  let queued: number | null = null;
  if (remote.length > 0)
    queued = await enqueue(ctx.core, {
      sender: opts.sender,
      recipients: remote.map((r) => ({ address: r.address, notify: r.notify, orcpt: r.orcpt })),
      raw,
      accountId: opts.accountId ?? null,
      messageId: opts.messageId ?? null,
      envId: opts.envId ?? null,
      ret: opts.ret ?? null,
    });
  if (targets.size > 0) {
    let results;
    try {
      results = await ingest(ctx.core, raw, [...targets.values()]);
    } catch (err) {
      if (err instanceof UserError && err.code === 'not_found' && queued === null)
        throw smtpError(550, '5.1.1', 'No such user here');
      throw err;
    }
    const failed = results.filter((r) => !r.ok);
    if (failed.length > 0) {
      if (failed.length === results.length && queued === null)
        throw smtpError(452, '4.2.2', 'Mailbox full');
      overQuota(
        ctx,
        opts.sender,
        failed.map((f) => f.accountId),
      );
    }
  }
  return queued === null ? '2.6.0 Message accepted' : `2.6.0 Message accepted, queued as ${queued}`;
}

/**
 * Recipients that could not take a message other recipients got. The queue's bounce
 * generator is to pick these up; until then they are logged for the administrator.
 */
function overQuota(ctx: SmtpContext, sender: string, accountIds: number[]): void {
  ctx.log.warn({ sender, accountIds }, 'smtp: message not delivered to some recipients (quota)');
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
