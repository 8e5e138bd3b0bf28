// The trace field the SMTP doors prepend to every message they accept (RFC 5321 §4.4).
import type { SMTPServerSession } from 'smtp-server';
import { receivedHeader } from '../mail/received.ts';
import type { Recipient, SmtpContext } from './context.ts';

/** The Received field of this transaction (RFC 5321 §4.4). */
export function receivedFor(
  ctx: SmtpContext,
  session: SMTPServerSession,
  rcpts: Recipient[],
): string {
  const tls = session.tlsOptions;
  return receivedHeader({
    helo: session.hostNameAppearsAs || 'unknown',
    ip: session.remoteAddress,
    by: ctx.core.config.hostname,
    id: `${session.id}.${session.transaction}`,
    esmtp: session.openingCommand === 'EHLO',
    tls: session.secure,
    auth: Boolean(session.user),
    utf8: Boolean(session.envelope.smtpUtf8),
    ...(tls ? { cipher: `${tls.version} ${tls.name}` } : {}),
    ...(rcpts.length === 1 && rcpts[0] ? { for: rcpts[0].address } : {}),
    date: new Date(),
  });
}
