// MAIL FROM and RCPT TO on every door (RFC 5321 §4.1.1.2–3). The MX accepts mail for local
// recipients only and is never an open relay (554 5.7.1); submission accepts any recipient
// from a signed-in user whose envelope sender is one of their addresses (553 5.7.1).
// Unknown local users get 550 5.1.1; a full mailbox 452 4.2.2 (RFC 3463 §3.3). DSN
// parameters (RFC 3461 §4) are kept per recipient for the queue.
import type { SMTPServerAddress, SMTPServerSession } from 'smtp-server';
import { resolveRecipient, sendableAddresses } from '../core/accounts.ts';
import { isLocalDomain } from '../core/domains.ts';
import { normalizeAddress, parseAddress } from '../mail/address.ts';
import { errorMessage } from '../util/errors.ts';
import { isLoopback } from '../util/net.ts';
import { stateOf, type SmtpContext } from './context.ts';
import { smtpError } from './replies.ts';

type Done = (err?: Error | null) => void;

function guard(ctx: SmtpContext, what: string, done: Done, work: () => Promise<void>): void {
  work().then(
    () => done(),
    (err: unknown) => {
      if (err instanceof Error && 'responseCode' in err) return done(err);
      ctx.log.error({ err: errorMessage(err) }, `smtp ${what} failed`);
      done(smtpError(451, '4.3.0', 'Local error; try again later'));
    },
  );
}

export function onMailFrom(ctx: SmtpContext) {
  return (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void =>
    guard(ctx, 'MAIL', done, async () => {
      const s = stateOf(ctx, session);
      s.rcpts.clear();
      if (s.door === 'mx') {
        if (!ctx.messages.take(s.ip))
          throw smtpError(451, '4.7.0', 'Too many messages from your address; try again later');
        return;
      }
      if (s.accountId === null) throw smtpError(530, '5.7.0', 'Authentication required');
      const sender = normalizeAddress(address.address);
      const mine = await sendableAddresses(ctx.core, s.accountId);
      if (!sender || !mine.includes(sender))
        throw smtpError(553, '5.7.1', `Sender address <${address.address}> is not yours`);
    });
}

function sizeParam(session: SMTPServerSession): number {
  const from = session.envelope.mailFrom;
  const v = from && from.args ? from.args.SIZE : undefined;
  const n = typeof v === 'string' ? Number(v) : 0;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}

export function onRcptTo(ctx: SmtpContext) {
  return (address: SMTPServerAddress, session: SMTPServerSession, done: Done): void =>
    guard(ctx, 'RCPT', done, async () => {
      const s = stateOf(ctx, session);
      const addr = normalizeAddress(address.address);
      const parsed = addr ? parseAddress(addr) : null;
      if (!addr || !parsed) throw smtpError(501, '5.1.3', 'Bad recipient address syntax');
      const dsn = {
        notify: address.dsn?.notify?.length ? address.dsn.notify.join(',') : null,
        orcpt: address.dsn?.orcpt ?? null,
      };
      if (await isLocalDomain(ctx.core, parsed.domain)) {
        const account = await resolveRecipient(ctx.core, addr);
        if (!account) throw smtpError(550, '5.1.1', `No such user here: <${address.address}>`);
        const quota = Number(account.quota_bytes);
        const used = Number(account.used_bytes);
        if (quota > 0 && (used >= quota || used + sizeParam(session) > quota))
          throw smtpError(452, '4.2.2', `Mailbox full: <${address.address}>`);
        s.rcpts.set(addr, { address: address.address, accountId: Number(account.id), ...dsn });
        return;
      }
      const trusted = ctx.core.config.smtp.loopbackIsTrusted && isLoopback(s.ip);
      if (s.accountId === null && !trusted)
        throw smtpError(554, '5.7.1', `Relaying denied: <${address.address}>`);
      s.rcpts.set(addr, { address: address.address, accountId: null, ...dsn });
    });
}
