// The IMAP benchmark's scenarios, run the same way against any server on an implicit-TLS
// port: logins per second, FETCH ENVELOPE FLAGS latency, text SEARCH latency, APPEND rate,
// and the memory that idle (IDLE) sessions hold. Every figure comes from the client side
// except memory, read from /proc for the server's processes.
import { ImapConn } from './client.ts';
import { memoryOf } from '../smtp-ingest/procmem.ts';

export interface Target {
  name: string;
  port: number;
  pids(): number[];
}

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
};

/** Runs `n` jobs with `concurrency` workers; returns seconds taken and failures. */
async function pool(
  n: number,
  concurrency: number,
  job: (i: number, worker: number) => Promise<void>,
): Promise<{ seconds: number; failed: number; firstError?: string }> {
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async (_, worker) => {
      while (next < n) {
        const i = next++;
        try {
          await job(i, worker);
        } catch (e) {
          failed++;
          firstError ??= (e as Error).message;
        }
      }
    }),
  );
  return {
    seconds: (performance.now() - t0) / 1000,
    failed,
    ...(firstError ? { firstError } : {}),
  };
}

export interface RateFigures {
  count: number;
  concurrency: number;
  perSecond: number;
  failed: number;
  firstError?: string;
}

/**
 * `n` sessions of connect + TLS + LOGIN + LOGOUT by `concurrency` clients; with `users`
 * empty, the same without LOGIN (the cost of TLS and the greeting alone).
 */
export async function logins(
  t: Target,
  users: readonly string[],
  password: string,
  n: number,
  concurrency: number,
): Promise<RateFigures> {
  const r = await pool(n, concurrency, async (i) => {
    const c = await ImapConn.open(t.port);
    try {
      if (users.length > 0) await c.login(users[i % users.length]!, password);
    } finally {
      await c.logout();
    }
  });
  return { count: n, concurrency, perSecond: (n - r.failed) / r.seconds, ...r };
}

export interface LatencyFigures {
  command: string;
  rounds: number;
  medianMs: number;
  minMs: number;
  maxMs: number;
  /** Untagged lines of the first answer (FETCH lines, or the number of SEARCH hits). */
  results: number;
}

/** Times one command `rounds` times on one selected session (after one unmeasured run). */
export async function latency(
  t: Target,
  user: string,
  password: string,
  command: string,
  rounds: number,
  count: (untagged: string[]) => number,
): Promise<LatencyFigures> {
  const c = await ImapConn.open(t.port);
  try {
    await c.login(user, password);
    await c.ok('SELECT INBOX');
    const first = await c.ok(command);
    const ms: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      await c.ok(command);
      ms.push(performance.now() - t0);
    }
    return {
      command,
      rounds,
      medianMs: median(ms),
      minMs: Math.min(...ms),
      maxMs: Math.max(...ms),
      results: count(first.untagged),
    };
  } finally {
    await c.logout();
  }
}

/** `n` APPENDs of `message(i)` by `concurrency` logged-in sessions, one at a time each. */
export async function appends(
  t: Target,
  user: string,
  password: string,
  n: number,
  concurrency: number,
  message: (i: number) => Buffer,
): Promise<RateFigures> {
  const conns = await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const c = await ImapConn.open(t.port);
      await c.login(user, password);
      return c;
    }),
  );
  try {
    const r = await pool(n, concurrency, (i, w) => conns[w]!.append('INBOX', message(i)).then());
    return { count: n, concurrency, perSecond: (n - r.failed) / r.seconds, ...r };
  } finally {
    await Promise.all(conns.map((c) => c.logout()));
  }
}

export interface IdleFigures {
  sessions: number;
  opened: number;
  firstError?: string;
  before: { rssKiB: number; pssKiB: number; processes: number };
  after: { rssKiB: number; pssKiB: number; processes: number };
  rssKiBPerSession: number;
  pssKiBPerSession: number;
  setupSeconds: number;
}

function memoryNow(pids: number[]): { rssKiB: number; pssKiB: number; processes: number } {
  let rssKiB = 0;
  let pssKiB = 0;
  for (const p of pids) {
    const m = memoryOf(p);
    rssKiB += m.rss;
    pssKiB += m.pss;
  }
  return { rssKiB, pssKiB, processes: pids.length };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Opens `sessions` sessions (LOGIN, SELECT INBOX, IDLE) from 127.0.0.2… source addresses,
 * `perAddress` each (under the server's per-address connection limit), and reports the
 * server's memory before and after, settled for `settleMs`. Closes them all at the end.
 */
export async function idleMemory(
  t: Target,
  users: readonly string[],
  password: string,
  sessions: number,
  perAddress: number,
  settleMs: number,
): Promise<IdleFigures> {
  await sleep(settleMs);
  const before = memoryNow(t.pids());
  const conns: ImapConn[] = [];
  const addr = (i: number): string => {
    const n = 2 + Math.floor(i / perAddress);
    return `127.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  };
  try {
    const r = await pool(sessions, 50, async (i) => {
      const c = await ImapConn.open(t.port, addr(i));
      conns.push(c);
      await c.login(users[i % users.length]!, password);
      await c.ok('SELECT INBOX');
      await c.idle();
    });
    await sleep(settleMs);
    const after = memoryNow(t.pids());
    const opened = sessions - r.failed;
    return {
      sessions,
      opened,
      ...(r.firstError ? { firstError: r.firstError } : {}),
      before,
      after,
      rssKiBPerSession: opened ? (after.rssKiB - before.rssKiB) / opened : 0,
      pssKiBPerSession: opened ? (after.pssKiB - before.pssKiB) / opened : 0,
      setupSeconds: r.seconds,
    };
  } finally {
    for (const c of conns) c.destroy();
    await sleep(1000);
  }
}
