// A throwaway remote SMTP server for queue tests (smtp-server on 127.0.0.1, port 0). It
// records each message with its envelope, and answers RCPT as `rcptReply` says, so a test can
// make it refuse (5xx), stall (4xx) or recover.
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import type { AddressInfo } from 'node:net';

export interface Received {
  from: string;
  to: string[];
  data: Buffer;
  secure: boolean;
  envid: string | null;
  rcpt: { address: string; notify: string[] | null; orcpt: string | null }[];
}

export interface PeerOptions {
  /** Announce DSN (RFC 3461); default true. */
  dsn?: boolean;
  /** Offer STARTTLS (with smtp-server's self-signed certificate); default true. */
  starttls?: boolean;
  /** Hold each message this long before answering DATA. */
  dataDelayMs?: number;
}

export interface Peer {
  port: number;
  received: Received[];
  /** Most messages being received at the same moment. */
  maxConcurrent: number;
  /** Reply for one recipient: null accepts; otherwise the code and text to answer. */
  rcptReply: (address: string) => { code: number; text: string } | null;
  close(): Promise<void>;
}

function smtpError(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

export async function startPeer(o: PeerOptions = {}): Promise<Peer> {
  let current = 0;
  const peer: Peer = {
    port: 0,
    received: [],
    maxConcurrent: 0,
    rcptReply: () => null,
    close: async () => undefined,
  };
  const server = new SMTPServer({
    authOptional: true,
    disableReverseLookup: true,
    logger: false,
    hideDSN: o.dsn === false,
    ...(o.starttls === false ? { disabledCommands: ['STARTTLS'] } : {}),
    onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, cb) {
      const r = peer.rcptReply(address.address);
      cb(r ? smtpError(r.code, r.text) : undefined);
    },
    onData(stream, session, cb) {
      current++;
      peer.maxConcurrent = Math.max(peer.maxConcurrent, current);
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const env = session.envelope as SMTPServerSession['envelope'] & {
          dsn?: { envid?: string | null };
        };
        peer.received.push({
          from: env.mailFrom ? env.mailFrom.address : '',
          to: env.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks),
          secure: session.secure,
          envid: env.dsn?.envid ?? null,
          rcpt: env.rcptTo.map((r) => {
            const d = (r as { dsn?: { notify?: string[]; orcpt?: string } }).dsn;
            return { address: r.address, notify: d?.notify ?? null, orcpt: d?.orcpt ?? null };
          }),
        });
        setTimeout(() => {
          current--;
          cb(null);
        }, o.dataDelayMs ?? 0);
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  peer.port = (server.server.address() as AddressInfo).port;
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}
