// DATA on every door (RFC 5321 §4.1.1.4): reads the message (never more than the size limit
// into memory), normalises line endings to CRLF, and hands it to the MX or submission path.
// Invariant: 250 is answered only after ingest()/enqueue() returned (they fsync and commit).
import type { SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { normalizeAddress } from '../mail/address.ts';
import { errorMessage } from '../util/errors.ts';
import { stateOf, type ConnState, type Recipient, type SmtpContext } from './context.ts';
import { deliverInbound } from './inbound.ts';
import { smtpError } from './replies.ts';
import { submit } from './submit.ts';
import { normalizeCrlf } from '../mail/headers.ts';

type Done = (err?: Error | null, message?: string) => void;

function readMessage(stream: SMTPServerDataStream, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    stream.once('error', reject);
    stream.once('end', () =>
      resolve(stream.sizeExceeded || size > max ? null : Buffer.concat(chunks)),
    );
  });
}

function recipientsOf(s: ConnState, session: SMTPServerSession): Recipient[] {
  const out: Recipient[] = [];
  for (const r of session.envelope.rcptTo) {
    const a = normalizeAddress(r.address);
    const rec = a ? s.rcpts.get(a) : undefined;
    if (rec) out.push(rec);
  }
  return out;
}

export function onData(ctx: SmtpContext) {
  return (stream: SMTPServerDataStream, session: SMTPServerSession, done: Done): void => {
    const s = stateOf(ctx, session);
    s.busy = true;
    const finish = (err: Error | null, message?: string): void => {
      s.busy = false;
      done(err, message);
      if (ctx.closing) setImmediate(() => ctx.onIdle(session));
    };
    const work = async (): Promise<string> => {
      const body = await readMessage(stream, ctx.core.config.smtp.maxMessageSize);
      if (!body) throw smtpError(552, '5.3.4', 'Message too big');
      const raw = normalizeCrlf(body);
      const rcpts = recipientsOf(s, session);
      if (rcpts.length === 0) throw smtpError(554, '5.5.1', 'No valid recipients');
      return s.door === 'mx'
        ? deliverInbound(ctx, session, raw, rcpts)
        : submit(ctx, session, s, raw, rcpts);
    };
    work().then(
      (message) => finish(null, message),
      (err: unknown) => {
        if (err instanceof Error && 'responseCode' in err) return finish(err);
        ctx.log.error({ err: errorMessage(err), session: session.id }, 'smtp DATA failed');
        finish(smtpError(451, '4.3.0', 'Local error in processing; try again later'));
      },
    );
  };
}
