// The POP3 doors of Champa: port 110 with STLS (RFC 1939, RFC 2449 CAPA, RFC 2595 STLS) and
// port 995 with implicit TLS (RFC 8314). Sign-in (USER/PASS, AUTH PLAIN per RFC 5034) only
// over TLS. Each connection is a `Session`; the commands live in commands/, the wire format
// in proto/. Invariants: a connection is admitted only within the per-IP limit; close() stops
// accepting, lets a running command finish (a QUIT's UPDATE completes), tells idle sessions,
// and resolves once every socket is gone.
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer } from 'node:tls';
import type { Core } from '../core/core.ts';
import { portOf } from '../core/config.ts';
import { listen } from '../util/listen.ts';
import { ConcurrencyLimiter, FailureBlocker, type Clock } from '../util/ratelimit.ts';
import { DEFAULT_LIMITS, type Pop3Context, type Pop3Limits } from './context.ts';
import { err } from './proto/reply.ts';
import { Session } from './session.ts';

export interface Pop3Doors {
  ports: { pop3: number; pop3s: number };
  close(): Promise<void>;
}

export interface Pop3Options {
  limits?: Partial<Pop3Limits>;
  /** For the failed-login block (tests). */
  clock?: Clock;
}

/** Concurrent connections from one address (a school's staff may share one NAT address). */
const MAX_CONNECTIONS_PER_IP = 100;
/** Failed sign-ins from one address before it is refused for BLOCK_MS. */
const MAX_AUTH_FAILURES = 10;
const BLOCK_MS = 10 * 60_000;

export async function startPop3(
  core: Core,
  tls: { key: string | Buffer; cert: string | Buffer },
  opts: Pop3Options = {},
): Promise<Pop3Doors> {
  const ctx: Pop3Context = {
    core,
    log: core.log.child({ module: 'pop3' }),
    secureContext: createSecureContext({ key: tls.key, cert: tls.cert }),
    limits: { ...DEFAULT_LIMITS, ...opts.limits },
    connections: new ConcurrencyLimiter(MAX_CONNECTIONS_PER_IP),
    authFailures: new FailureBlocker(MAX_AUTH_FAILURES, BLOCK_MS, opts.clock),
    closing: false,
  };
  const sessions = new Set<Session>();
  const sockets = new Set<Socket>();

  const admit = (socket: Socket, secure: boolean): void => {
    const ip = socket.remoteAddress ?? '';
    if (ctx.closing || !ctx.connections.acquire(ip)) {
      const why = ctx.closing ? 'server shutting down' : 'too many connections from your address';
      socket.end(err(why, 'SYS/TEMP'));
      return;
    }
    const session = new Session(ctx, socket, secure);
    sessions.add(session);
    void session.closed.then(() => {
      sessions.delete(session);
      ctx.connections.release(ip);
    });
    session.start();
  };
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const plain = createNetServer((socket) => admit(socket, false));
  const secure = createTlsServer({ key: tls.key, cert: tls.cert }, (socket) => admit(socket, true));
  plain.on('connection', track);
  secure.on('connection', track);
  secure.on('tlsClientError', (e: Error) => ctx.log.debug({ err: e.message }, 'pop3s handshake'));

  const started: Server[] = [];
  const close = async (): Promise<void> => {
    ctx.closing = true;
    const stopped = started.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of sessions) s.shutdown();
    await Promise.all([...sessions].map((s) => s.closed));
    for (const socket of sockets) socket.destroy(); // handshakes still under way
    await Promise.all(stopped);
  };
  try {
    const address = core.config.listen.address;
    const ports = { pop3: 0, pop3s: 0 };
    ports.pop3 = await listen(plain, portOf(core.config, 'pop3'), address);
    started.push(plain);
    ports.pop3s = await listen(secure, portOf(core.config, 'pop3s'), address);
    started.push(secure);
    ctx.log.info({ ports }, 'POP3 doors open');
    return { ports, close };
  } catch (e) {
    await close();
    throw e;
  }
}
