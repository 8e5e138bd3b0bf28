// The SMTP doors of Champa: the MX (RFC 5321, port 25: STARTTLS, PIPELINING, 8BITMIME,
// SMTPUTF8, SIZE, ENHANCEDSTATUSCODES, DSN; no AUTH), submission with STARTTLS (RFC 6409,
// port 587: AUTH only after TLS) and submission over implicit TLS (RFC 8314, port 465).
// Built on smtp-server; the handlers live in one file per step (connect, envelope, data,
// inbound, submit). Invariants: reverse DNS is never looked up; a message is acknowledged
// only after it is durable; close() stops accepting, lets transactions in DATA finish, and
// resolves once every connection is gone.
import type { AddressInfo } from 'node:net';
import type { Core } from '../core/core.ts';
import { portOf } from '../core/config.ts';
import { makeResolver, type DnsResolver } from '../mail/dns.ts';
import {
  ConcurrencyLimiter,
  FailureBlocker,
  WindowLimiter,
  type Clock,
} from '../util/ratelimit.ts';
import { onAuth, onClose, onConnect } from './connect.ts';
import type { DoorName, SmtpContext } from './context.ts';
import { onData } from './data.ts';
import { onMailFrom, onRcptTo } from './envelope.ts';
import { DoorServer, type DoorServerOptions } from './replies.ts';
import { noSpamFilter, type SpamFilter } from './spam.ts';

export type { SpamFilter, SpamVerdict, SpamInput } from './spam.ts';

export interface SmtpDoors {
  ports: { smtp: number; submission: number; submissions: number };
  /** Stops accepting, lets in-flight transactions finish, then closes. */
  close(): Promise<void>;
}

export interface SmtpOptions {
  /** DNS for SPF/DKIM/DMARC; default: `makeResolver(config.dns.servers)`. */
  resolver?: DnsResolver;
  spamFilter?: SpamFilter;
  /** For the rate limiters (tests). */
  clock?: Clock;
}

const BLOCK_MS = 10 * 60 * 1000;

function listen(server: DoorServer, port: number, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.server.once('error', onError);
    server.listen(port, address, () => {
      server.server.off('error', onError);
      resolve((server.server.address() as AddressInfo).port);
    });
  });
}

export async function startSmtp(
  core: Core,
  tls: { key: string | Buffer; cert: string | Buffer },
  opts: SmtpOptions = {},
): Promise<SmtpDoors> {
  const cfg = core.config;
  const doors = new Map<DoorName, DoorServer>();
  const ctx: SmtpContext = {
    core,
    log: core.log.child({ module: 'smtp' }),
    resolver: opts.resolver ?? makeResolver(cfg.dns.servers),
    spamFilter: opts.spamFilter ?? noSpamFilter,
    connections: new ConcurrencyLimiter(cfg.smtp.maxConnectionsPerIp),
    messages: new WindowLimiter(cfg.smtp.messagesPerIpPerMinute, 60_000, opts.clock),
    authFailures: new FailureBlocker(cfg.smtp.authFailuresBeforeBlock, BLOCK_MS, opts.clock),
    states: new WeakMap(),
    closing: false,
    onIdle(session) {
      for (const server of doors.values())
        for (const conn of server.connections)
          if (conn.session === session) conn.send(421, '4.3.2 Server shutting down');
    },
  };

  const common = (door: DoorName): DoorServerOptions => ({
    name: cfg.hostname,
    banner: 'Champa',
    key: tls.key,
    cert: tls.cert,
    logger: false,
    disableReverseLookup: true,
    size: cfg.smtp.maxMessageSize,
    rejectOversized: true,
    maxRecipients: cfg.smtp.maxRecipients,
    hideDSN: false,
    hideENHANCEDSTATUSCODES: false,
    hideREQUIRETLS: true,
    onConnect: onConnect(ctx, door),
    onClose: onClose(ctx),
    onMailFrom: onMailFrom(ctx),
    onRcptTo: onRcptTo(ctx),
    onData: onData(ctx),
  });
  const submission = { authMethods: ['PLAIN', 'LOGIN'], onAuth: onAuth(ctx) };
  doors.set(
    'mx',
    new DoorServer({ ...common('mx'), authOptional: true, disabledCommands: ['AUTH'] }),
  );
  doors.set(
    'submission',
    new DoorServer({ ...common('submission'), ...submission, authAfterTls: true }),
  );
  doors.set(
    'submissions',
    new DoorServer({ ...common('submissions'), ...submission, secure: true }),
  );
  for (const [door, server] of doors)
    server.on('error', (err: Error) => ctx.log.debug({ door, err: err.message }, 'smtp error'));

  const address = cfg.listen.address;
  const started: DoorServer[] = [];
  const closeAll = async (): Promise<void> => {
    ctx.closing = true;
    await Promise.all(
      started.map(
        (server) =>
          new Promise<void>((resolve) => {
            server.close(() => resolve());
            for (const conn of server.connections) {
              const s = ctx.states.get(conn.session);
              if (!s?.busy) conn.send(421, '4.3.2 Server shutting down');
            }
          }),
      ),
    );
  };
  try {
    const ports = { smtp: 0, submission: 0, submissions: 0 };
    for (const [door, key] of [
      ['mx', 'smtp'],
      ['submission', 'submission'],
      ['submissions', 'submissions'],
    ] as const) {
      const server = doors.get(door)!;
      ports[key] = await listen(server, portOf(cfg, key), address);
      started.push(server);
    }
    ctx.log.info({ ports }, 'SMTP doors open');
    return { ports, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
