// One outbound SMTP session to one peer address (RFC 5321), on nodemailer's SMTP connection:
// EHLO with our host name, STARTTLS whenever offered (RFC 3207), DSN parameters when the peer
// announces DSN (RFC 3461 §4), and one result per recipient.
// TLS policy: opportunistic by default (RFC 7435): a self-signed or mismatched certificate is
// accepted, since an unauthenticated encrypted channel still beats plain text, and a failed
// handshake falls back to plain text. With `requireTls` the session must be encrypted or no
// mail is sent (Postfix's "encrypt" level); the certificate is still not verified.
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { NodemailerError } from 'nodemailer/lib/errors';

export interface PeerTarget {
  /** The address to connect to (an IP). */
  address: string;
  port: number;
  /** The host name it was found under: TLS SNI and the log. */
  host: string;
}

export interface SessionOptions {
  /** Our EHLO name. */
  name: string;
  requireTls: boolean;
  connectTimeoutMs?: number;
  /** RFC 5321 §4.5.3.2 gives 5 minutes for the greeting and most replies. */
  replyTimeoutMs?: number;
}

export interface Batch {
  from: string; // '' for the null reverse-path
  to: string[];
  notify?: string | null;
  orcpt?: string | null;
  envId?: string | null;
  ret?: string | null;
  raw: Buffer;
}

export interface RecipientReply {
  address: string;
  /** SMTP reply code; 0 when the connection failed before a reply. */
  code: number;
  reply: string;
}

export interface BatchResult {
  replies: RecipientReply[];
  /** The peer announced DSN: it, not we, reports success from here on. */
  peerDsn: boolean;
}

/** A failure before any recipient could be tried (refused, timeout, TLS, 4xx/5xx greeting). */
export class SessionError extends Error {
  readonly code: number;
  constructor(message: string, code = 0) {
    super(message);
    this.name = 'SessionError';
    this.code = code;
  }
}

function describe(err: NodemailerError): string {
  const reply = err.response?.replace(/\s+/g, ' ').trim();
  return reply || err.message;
}

function connectOnce(
  target: PeerTarget,
  o: SessionOptions,
  plaintext: boolean,
): Promise<SMTPConnection> {
  const conn = new SMTPConnection({
    host: target.address,
    port: target.port,
    servername: target.host,
    name: o.name,
    requireTLS: o.requireTls,
    ignoreTLS: plaintext && !o.requireTls,
    opportunisticTLS: !o.requireTls,
    tls: { rejectUnauthorized: false, minVersion: 'TLSv1.2' },
    connectionTimeout: o.connectTimeoutMs ?? 30_000,
    greetingTimeout: o.replyTimeoutMs ?? 300_000,
    socketTimeout: o.replyTimeoutMs ?? 300_000,
    logger: false,
  });
  return new Promise((resolve, reject) => {
    let done = false;
    conn.once('error', (err: NodemailerError) => {
      if (done) return;
      done = true;
      conn.close();
      reject(err);
    });
    conn.connect((err) => {
      if (done) return;
      done = true;
      if (err) {
        conn.close();
        reject(err);
      } else resolve(conn);
    });
  });
}

export class SmtpSession {
  readonly target: PeerTarget;
  readonly #conn: SMTPConnection;
  #broken = false;

  private constructor(target: PeerTarget, conn: SMTPConnection) {
    this.target = target;
    this.#conn = conn;
    // Errors after the handshake arrive through send()'s callback; keep node from throwing.
    conn.on('error', () => {
      this.#broken = true;
    });
  }

  static async open(target: PeerTarget, o: SessionOptions): Promise<SmtpSession> {
    try {
      return new SmtpSession(target, await connectOnce(target, o, false));
    } catch (e) {
      const err = e as NodemailerError;
      if (err.code === 'ETLS' && !o.requireTls) {
        // Opportunistic TLS (RFC 7435 §3): a broken handshake must not stop the mail.
        try {
          return new SmtpSession(target, await connectOnce(target, o, true));
        } catch (e2) {
          const err2 = e2 as NodemailerError;
          throw new SessionError(describe(err2), err2.responseCode ?? 0);
        }
      }
      const tls = err.code === 'ETLS' || err.command === 'STARTTLS';
      const why =
        o.requireTls && tls ? `TLS required (queue.requireTls): ${describe(err)}` : describe(err);
      throw new SessionError(why, err.responseCode ?? 0);
    }
  }

  get usable(): boolean {
    return !this.#broken;
  }

  /** Sends one envelope; never throws: each recipient gets its reply (code 0 = no reply). */
  send(b: Batch): Promise<BatchResult> {
    const dsn =
      b.notify || b.orcpt || b.envId || b.ret
        ? {
            notify: b.notify ?? null,
            orcpt: b.orcpt ?? null,
            envid: b.envId ?? null,
            ret: b.ret ?? null,
          }
        : undefined;
    const envelope = {
      from: b.from === '' ? false : b.from,
      to: b.to,
      size: b.raw.byteLength,
      use8BitMime: b.raw.some((x) => x > 127),
      ...(dsn ? { dsn } : {}),
    } as const;
    return new Promise((resolve) => {
      this.#conn.send(envelope, b.raw, (err, info) => {
        const replies = new Map<string, RecipientReply>();
        const setReply = (address: string, code: number, reply: string) =>
          replies.set(address.toLowerCase(), { address, code, reply });
        if (err) {
          for (const re of err.rejectedErrors ?? [])
            if (re.recipient) setReply(re.recipient, re.responseCode ?? 0, describe(re));
          // A failed MAIL FROM or DATA applies to everyone not yet answered; an error
          // without a reply code is a lost connection (code 0, try again later).
          if (!err.responseCode || err.command === 'CONN') this.#broken = true;
          for (const a of b.to)
            if (!replies.has(a.toLowerCase())) setReply(a, err.responseCode ?? 0, describe(err));
          resolve({ replies: b.to.map((a) => replies.get(a.toLowerCase())!), peerDsn: false });
          return;
        }
        const ok = info.response.replace(/\s+/g, ' ').trim();
        const okCode = Number(/^\d{3}/.exec(ok)?.[0] ?? 250);
        for (const re of info.rejectedErrors ?? [])
          if (re.recipient) setReply(re.recipient, re.responseCode ?? 0, describe(re));
        for (const a of info.accepted) if (!replies.has(a.toLowerCase())) setReply(a, okCode, ok);
        for (const a of b.to)
          if (!replies.has(a.toLowerCase())) setReply(a, 0, 'no reply for this recipient');
        const peerDsn = (info.ehlo ?? []).some((l) => /^DSN\b/i.test(l));
        resolve({ replies: b.to.map((a) => replies.get(a.toLowerCase())!), peerDsn });
      });
    });
  }

  /** QUIT politely; the socket is dropped anyway if the peer does not answer soon. */
  close(): void {
    const conn = this.#conn;
    if (this.#broken) return conn.close();
    try {
      conn.quit();
    } catch {
      conn.close();
      return;
    }
    setTimeout(() => conn.close(), 5000).unref();
  }
}
