// Mail submitted by a signed-in user (RFC 6409): the From header must be one of the user's
// addresses (553 5.7.1), a missing Date or Message-ID is added (RFC 6409 §8.2, §8.3; a
// missing From is taken from the envelope, §8.1), a Received field is prepended, and the
// message is DKIM-signed with the key of the From domain (RFC 6376). Local recipients get it
// at once through ingest(); remote ones go to the outbound queue with their DSN parameters.
// No copy is filed in Sent: mail clients save their own.
import type { SMTPServerSession } from 'smtp-server';
import { sendableAddresses } from '../core/accounts.ts';
import { getDomain } from '../core/domains.ts';
import { normalizeAddress, parseAddress } from '../mail/address.ts';
import { signDkim } from '../mail/auth.ts';
import { formatDate, hasHeader, newMessageId, prependHeaders } from '../mail/headers.ts';
import { parseMeta } from '../mail/meta.ts';
import { errorMessage } from '../util/errors.ts';
import type { ConnState, Recipient, SmtpContext } from './context.ts';
import { deliver } from './inbound.ts';
import { smtpError } from './replies.ts';
import { receivedFor } from './trace.ts';

export async function submit(
  ctx: SmtpContext,
  session: SMTPServerSession,
  s: ConnState,
  message: Buffer,
  rcpts: Recipient[],
): Promise<string> {
  if (s.accountId === null) throw smtpError(530, '5.7.0', 'Authentication required');
  const from = session.envelope.mailFrom;
  const sender = from ? from.address : '';
  const added: string[] = [];
  if (!hasHeader(message, 'From')) added.push(`From: <${sender}>`);
  if (!hasHeader(message, 'Date')) added.push(`Date: ${formatDate(new Date())}`);
  if (!hasHeader(message, 'Message-ID'))
    added.push(`Message-ID: ${newMessageId(ctx.core.config.hostname)}`);
  let raw = added.length > 0 ? prependHeaders(message, added) : message;

  const meta = await parseMeta(raw);
  const mine = await sendableAddresses(ctx.core, s.accountId);
  for (const a of meta.fromAddresses) {
    const n = normalizeAddress(a);
    if (!n || !mine.includes(n)) throw smtpError(553, '5.7.1', `From address <${a}> is not yours`);
  }
  if (meta.fromAddresses.length === 0)
    throw smtpError(553, '5.7.1', 'The From header has no address');

  raw = prependHeaders(raw, [receivedFor(ctx, session, rcpts)]);
  const domain = parseAddress(meta.fromAddresses[0]!)?.domain;
  const d = domain ? await getDomain(ctx.core, domain) : undefined;
  if (d) {
    try {
      raw = await signDkim(raw, {
        domain: d.name,
        selector: d.dkim_selector,
        privateKey: d.dkim_private_key,
      });
    } catch (err) {
      ctx.log.error({ err: errorMessage(err), domain: d.name }, 'smtp: DKIM signing failed');
    }
  }
  const dsn = session.envelope.dsn;
  return deliver(ctx, raw, rcpts, {
    sender,
    accountId: s.accountId,
    messageId: meta.messageId,
    envId: dsn?.envid ?? null,
    ret: dsn?.ret === 'FULL' || dsn?.ret === 'HDRS' ? dsn.ret : null,
  });
}
