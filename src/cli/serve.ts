// `champa serve`: runs the server: opens the core, starts every door and the outbound queue
// worker and the periodic upkeep (tombstone pruning), logs one line per listener, then prints
// exactly one line `champa: ready` on stdout
// (scripts and tests wait for it). On SIGTERM or SIGINT it closes the doors (letting
// in-flight transactions finish), then the queue, then the core, and exits 0.
// The protocol modules are loaded here, on demand, so one-shot commands start fast.
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { dataPath, type LoadedConfig } from '../core/config.ts';
import { closeCore, openCore, type Core } from '../core/core.ts';
import { UserError } from '../util/errors.ts';
import { createLogger, type Logger } from '../util/log.ts';
import { flushIndex, indexHeadersMissing, reindexMissing } from '../core/indexer.ts';
import { pruneHistory } from '../core/changes.ts';
import { pruneSubmissions } from '../core/submission.ts';
import { configOf, print, withData } from './common.ts';

export const READY_LINE = 'champa: ready';

/** Longest wait for a clean shutdown before the process exits anyway. */
const SHUTDOWN_LIMIT_MS = 30_000;

export interface RunningServer {
  core: Core;
  /** The port each door listens on (the real ones, also when the config said 0). */
  ports: Record<string, number>;
  close(): Promise<void>;
}

async function readTls(config: LoadedConfig): Promise<{ key: string; cert: string }> {
  const read = async (what: string, p: string): Promise<string> => {
    const path = dataPath(config, p);
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      throw new UserError(
        'config',
        `cannot read the TLS ${what} ${path} (${(err as NodeJS.ErrnoException).code ?? String(err)}); set tls.${what} in the config`,
      );
    }
  };
  return { key: await read('key', config.tls.key), cert: await read('cert', config.tls.cert) };
}

function listenError(err: unknown, config: LoadedConfig): unknown {
  const e = err as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e.code === 'EACCES')
    return new UserError(
      'listen',
      `not allowed to listen on ${e.address ?? config.listen.address}:${e.port ?? '?'}: ports below 1024 need root or CAP_NET_BIND_SERVICE (or set listen.portBase)`,
    );
  if (e.code === 'EADDRINUSE')
    return new UserError(
      'listen',
      `${e.address ?? config.listen.address}:${e.port ?? '?'} is already in use (is another mail server or Champa running?)`,
    );
  return err;
}

const MAINTENANCE_FIRST_MS = 60_000;
const MAINTENANCE_EVERY_MS = 6 * 3600_000;

/**
 * Periodic upkeep beside the doors, a minute after start and then every six hours: sent JMAP
 * submissions older than `jmap.submissionDays` are removed (core/submission.ts), and the
 * change log and tombstones older than `changes.tombstoneDays` pruned (core/changes.ts).
 */
function startMaintenance(core: Core, log: Logger): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const DAY = 86_400_000;
  const step = async (what: string, job: () => Promise<number>): Promise<void> => {
    try {
      const n = await job();
      if (n > 0) log.info({ rows: n }, `${what} pruned`);
    } catch (err) {
      log.error({ err }, `pruning ${what} failed`);
    }
  };
  const run = (): void => {
    if (running) return;
    const now = Date.now();
    running = step('old JMAP submissions', () =>
      pruneSubmissions(core, now - core.config.jmap.submissionDays * DAY),
    )
      .then(() =>
        step('old change history', () =>
          pruneHistory(core.db, now - core.config.changes.tombstoneDays * DAY),
        ),
      )
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(run, MAINTENANCE_FIRST_MS);
  const every = setInterval(run, MAINTENANCE_EVERY_MS);
  first.unref();
  every.unref();
  return {
    async stop() {
      clearTimeout(first);
      clearInterval(every);
      await running;
    },
  };
}

/** Starts the doors and the queue worker on an opened core. */
export async function startServer(config: LoadedConfig, log: Logger): Promise<RunningServer> {
  const tls = await readTls(config);
  const { startSmtp } = await import('../smtp/server.ts');
  const { startPop3 } = await import('../pop3/server.ts');
  const { startQueue } = await import('../queue/worker.ts');
  const { startImap } = await import('../imap/server.ts');
  const { startHttp } = await import('../http/server.ts');
  const core = await openCore(config, { log });
  let smtp: Awaited<ReturnType<typeof startSmtp>> | undefined;
  let imap: Awaited<ReturnType<typeof startImap>> | undefined;
  let pop3: Awaited<ReturnType<typeof startPop3>> | undefined;
  let http: Awaited<ReturnType<typeof startHttp>> | undefined;
  try {
    smtp = await startSmtp(core, tls);
    imap = await startImap(core, tls);
    pop3 = await startPop3(core, tls);
    http = await startHttp(core, tls, {
      listening: { ...smtp.ports, ...imap.ports, ...pop3.ports },
    });
    const queue = startQueue(core);
    // Mail whose index rows were pending when the process last stopped, or stored before the
    // index existed, becomes searchable again (core/indexer.ts).
    const stopIndexing = new AbortController();
    const reindexing = reindexMissing(core, Infinity, stopIndexing.signal)
      .then((n) => n > 0 && log.info({ emails: n }, 'full-text index completed'))
      // Rows from before header fields were indexed (migration 0014) get them now.
      .then(() => indexHeadersMissing(core, Infinity, stopIndexing.signal))
      .then(
        (n) => n > 0 && log.info({ emails: n }, 'header fields indexed'),
        (err: unknown) => log.error({ err }, 'full-text re-index failed'),
      );
    const maintenance = startMaintenance(core, log);
    const ports: Record<string, number> = {
      ...smtp.ports,
      ...imap.ports,
      ...pop3.ports,
      ...http.ports,
    };
    for (const [door, port] of Object.entries(ports))
      log.info({ door, address: config.listen.address, port }, `${door} listening`);
    const doors = [smtp, imap, pop3, http];
    return {
      core,
      ports,
      async close() {
        await Promise.all(doors.map((d) => d.close()));
        await maintenance.stop();
        stopIndexing.abort();
        await reindexing;
        await flushIndex(core);
        await queue.close();
        await closeCore(core);
      },
    };
  } catch (err) {
    await smtp?.close().catch(() => undefined);
    await imap?.close().catch(() => undefined);
    await pop3?.close().catch(() => undefined);
    await http?.close().catch(() => undefined);
    await closeCore(core).catch(() => undefined);
    throw listenError(err, config);
  }
}

/** Runs until SIGTERM or SIGINT; resolves after a clean shutdown. */
export async function serve(dataDir: string | undefined): Promise<void> {
  const config = configOf({ data: dataDir });
  const log = createLogger(config.log.level);
  // Signals are caught from the very start: one that arrives while the doors open (or just
  // after the ready line) still leads to a clean shutdown, never to a kill by default action.
  let pending: string | null = null;
  let onSignal: (signal: string) => void = (signal) => (pending = signal);
  const handler = (signal: string): void => onSignal(signal);
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  const server = await startServer(config, log);
  // The listener lines first: whoever waits for the ready line may read the ports from them.
  await new Promise<void>((resolve) => log.flush(() => resolve()));
  print(READY_LINE);
  await new Promise<void>((resolve) => {
    onSignal = (signal: string): void => {
      onSignal = () => undefined;
      log.info({ signal }, 'shutting down');
      setTimeout(() => {
        log.error('shutdown took too long; exiting');
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS).unref();
      server.close().then(resolve, (err: unknown) => {
        log.error({ err }, 'error while shutting down');
        process.exitCode = 1;
        resolve();
      });
    };
    if (pending) onSignal(pending);
  });
  process.off('SIGTERM', handler);
  process.off('SIGINT', handler);
  log.info('stopped');
  await new Promise<void>((resolve) => log.flush(() => resolve()));
}

export function register(program: Command): void {
  withData(
    program.command('serve').description('run the server (every door and the queue)'),
  ).action(async (opts: { data?: string }) => {
    await serve(opts.data);
    // Whatever a library left open (a keep-alive timer, a pool) must not hold the process.
    process.exit(process.exitCode ?? 0);
  });
}
