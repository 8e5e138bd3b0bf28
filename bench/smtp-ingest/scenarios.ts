// The benchmark's scenarios, run the same way against any system that can say how many
// messages it has delivered: (a) many messages over reused connections, (a') the same with a
// new connection per message, (b) one message to many recipients. Times are measured from the
// first connection: "accepted" when the last 250 to DATA arrived, "delivered" when the
// system's count of stored messages reached what was accepted.
import { flood, SmtpConn, makeMessage } from './loadgen.ts';
import { sampleMemory, type MemoryPeak } from './procmem.ts';

export interface SystemUnderTest {
  name: string;
  port: number;
  /** Messages stored so far in the given mailboxes (local parts). */
  delivered(users: readonly string[]): number;
  /** Processes to measure, now. */
  pids(): number[];
}

export interface FloodFigures {
  messages: number;
  accepted: number;
  failed: number;
  firstError?: string;
  acceptSeconds: number;
  deliverSeconds: number | null;
  acceptedPerSecond: number;
  deliveredPerSecond: number | null;
  memory: MemoryPeak;
}

export interface FanoutFigures {
  recipients: number;
  accepted: number;
  acceptSeconds: number;
  deliverSeconds: number | null;
  memory: MemoryPeak;
}

const POLL_MS = 50;

/** Waits until `count()` reaches `target`; returns when (performance.now()), or null on timeout. */
async function until(
  count: () => number,
  target: number,
  timeoutMs: number,
): Promise<number | null> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (count() >= target) return performance.now();
    if (performance.now() > end) return null;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

export interface FloodParams {
  users: readonly string[];
  domain: string;
  from: string;
  messages: number;
  concurrency: number;
  size: number;
  newConnectionPerMessage: boolean;
  timeoutMs: number;
}

export async function runFlood(sut: SystemUnderTest, p: FloodParams): Promise<FloodFigures> {
  const before = sut.delivered(p.users);
  const mem = sampleMemory(() => sut.pids());
  const r = await flood({
    port: sut.port,
    from: p.from,
    recipients: p.users.map((u) => `${u}@${p.domain}`),
    messages: p.messages,
    concurrency: p.concurrency,
    size: p.size,
    newConnectionPerMessage: p.newConnectionPerMessage,
  });
  const done = await until(() => sut.delivered(p.users) - before, r.accepted, p.timeoutMs);
  const memory = mem.stop();
  const acceptSeconds = (r.doneAt - r.startedAt) / 1000;
  const deliverSeconds = done === null ? null : (done - r.startedAt) / 1000;
  return {
    messages: p.messages,
    accepted: r.accepted,
    failed: r.failed,
    ...(r.firstError ? { firstError: r.firstError } : {}),
    acceptSeconds,
    deliverSeconds,
    acceptedPerSecond: r.accepted / acceptSeconds,
    deliveredPerSecond: deliverSeconds === null ? null : r.accepted / deliverSeconds,
    memory,
  };
}

export interface FanoutParams {
  users: readonly string[];
  domain: string;
  from: string;
  size: number;
  timeoutMs: number;
}

/** One message to every user in `users`, in one transaction on one connection. */
export async function runFanout(sut: SystemUnderTest, p: FanoutParams): Promise<FanoutFigures> {
  const before = sut.delivered(p.users);
  const rcpts = p.users.map((u) => `${u}@${p.domain}`);
  const body = makeMessage(p.from, `staff@${p.domain}`, p.size, 0);
  const mem = sampleMemory(() => sut.pids());
  const t0 = performance.now();
  const conn = await SmtpConn.open(sut.port);
  await conn.hello();
  const accepted = await conn.send(p.from, rcpts, body);
  const t1 = performance.now();
  await conn.quit();
  const done = await until(() => sut.delivered(p.users) - before, accepted, p.timeoutMs);
  const memory = mem.stop();
  return {
    recipients: rcpts.length,
    accepted,
    acceptSeconds: (t1 - t0) / 1000,
    deliverSeconds: done === null ? null : (done - t0) / 1000,
    memory,
  };
}
