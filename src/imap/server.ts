// The IMAP doors (RFC 9051 / RFC 3501): port 143 with STARTTLS (no login before TLS) and port
// 993 with implicit TLS (RFC 8314). Each connection is a Session (session.ts) running the
// commands of commands/ on the core. Invariants: per-address connection limit; failed logins
// counted per address; at most maxConnectionsPerAccount signed-in sessions per account
// (login.ts takes the slot, the session's close gives it back); close() stops listening, says
// BYE to every session and resolves once all connections are gone.
import { createServer, type Server, type Socket } from 'node:net';
import { createSecureContext, TLSSocket } from 'node:tls';
import type { Core } from '../core/core.ts';
import { portOf } from '../core/config.ts';
import { listen } from '../util/listen.ts';
import { ConcurrencyLimiter, FailureBlocker, type Clock } from '../util/ratelimit.ts';
import type { ImapContext, ImapLimits } from './context.ts';
import { statusLine } from './proto/writer.ts';
import { Session } from './session.ts';
import { capabilityCode } from './commands/capability.ts';

export interface ImapDoors {
  ports: { imap: number; imaps: number };
  close(): Promise<void>;
}

export interface ImapOptions {
  limits?: Partial<ImapLimits>;
  maxConnectionsPerIp?: number;
  /** Concurrent signed-in sessions per account; one more is refused with NO [LIMIT]. */
  maxConnectionsPerAccount?: number;
  authFailuresBeforeBlock?: number;
  clock?: Clock;
}

const BLOCK_MS = 10 * 60 * 1000;

export async function startImap(
  core: Core,
  tls: { key: string | Buffer; cert: string | Buffer },
  opts: ImapOptions = {},
): Promise<ImapDoors> {
  const cfg = core.config;
  const ctx: ImapContext = {
    core,
    log: core.log.child({ module: 'imap' }),
    hostname: cfg.hostname,
    secureContext: createSecureContext({ key: tls.key, cert: tls.cert }),
    limits: {
      maxLine: 64 * 1024,
      maxLiteral: 64 * 1024,
      maxMessage: cfg.smtp.maxMessageSize,
      idleTimeoutMs: 30 * 60_000,
      preAuthTimeoutMs: 60_000,
      ...opts.limits,
    },
    connections: new ConcurrencyLimiter(opts.maxConnectionsPerIp ?? 50),
    accountSessions: new ConcurrencyLimiter(opts.maxConnectionsPerAccount ?? 20),
    authFailures: new FailureBlocker(
      opts.authFailuresBeforeBlock ?? cfg.smtp.authFailuresBeforeBlock,
      BLOCK_MS,
      opts.clock,
    ),
  };
  const sessions = new Set<Session>();

  const raw = new Set<Socket>();
  const track = (socket: Socket): void => {
    raw.add(socket);
    socket.once('close', () => raw.delete(socket));
  };
  const accept = (socket: Socket, secure: boolean): void => {
    const ip = socket.remoteAddress ?? '';
    socket.setNoDelay(true);
    if (!ctx.connections.acquire(ip)) {
      socket.end(statusLine('*', 'BYE', 'UNAVAILABLE', 'Too many connections from your address'));
      return;
    }
    const s = new Session(ctx, socket, secure, !secure);
    sessions.add(s);
    s.onClose(() => {
      sessions.delete(s);
      ctx.connections.release(ip);
    });
    s.send(statusLine('*', 'OK', capabilityCode(s), `${ctx.hostname} Champa IMAP ready`));
  };

  const plain = createServer((socket) => {
    track(socket);
    accept(socket, false);
  });
  const secure = createServer((socket) => {
    track(socket);
    const t = new TLSSocket(socket, { isServer: true, secureContext: ctx.secureContext });
    t.once('secure', () => accept(t, true));
    t.on('error', () => t.destroy());
  });
  const servers: Server[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      servers.map(
        (srv) =>
          new Promise<void>((resolve) => {
            srv.close(() => resolve());
            for (const s of sessions) {
              s.send(statusLine('*', 'BYE', null, 'Server shutting down'));
              s.close();
            }
            for (const sock of raw) sock.destroy();
          }),
      ),
    );
  };
  try {
    const address = cfg.listen.address;
    const imap = await listen(plain, portOf(cfg, 'imap'), address);
    servers.push(plain);
    const imaps = await listen(secure, portOf(cfg, 'imaps'), address);
    servers.push(secure);
    ctx.log.info({ imap, imaps }, 'IMAP doors open');
    return { ports: { imap, imaps }, close };
  } catch (err) {
    await close();
    throw err;
  }
}
