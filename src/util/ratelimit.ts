// Small in-memory limiters keyed by a string (usually a client IP address), shared by every
// door: concurrent connections, events per time window, and a block after repeated failures.
// Invariants: memory stays bounded (entries expire and are swept as the maps grow), and the
// clock is injectable so tests never wait on wall-clock time. One process only: a cluster
// node limits what it sees itself.

export type Clock = () => number;

const SWEEP_AT = 10_000;

/** Counts concurrent holders per key: `acquire` before serving, `release` once done. */
export class ConcurrencyLimiter {
  readonly #max: number;
  readonly #held = new Map<string, number>();
  constructor(max: number) {
    this.#max = max;
  }
  /** Takes a slot; false (and nothing taken) when the key already holds `max`. */
  acquire(key: string): boolean {
    const n = this.#held.get(key) ?? 0;
    if (n >= this.#max) return false;
    this.#held.set(key, n + 1);
    return true;
  }
  release(key: string): void {
    const n = (this.#held.get(key) ?? 0) - 1;
    if (n <= 0) this.#held.delete(key);
    else this.#held.set(key, n);
  }
  count(key: string): number {
    return this.#held.get(key) ?? 0;
  }
}

/**
 * A key's events in time order: a queue with a head index, so dropping expired events and
 * adding one are O(1) amortised (the array is compacted once the dead head outgrows the live
 * part). Times come from the clock in call order; should it step back, the newer events
 * simply expire a little later, never earlier.
 */
interface Events {
  times: number[];
  head: number;
}

/** At most `limit` events per key in any sliding window of `windowMs`. */
export class WindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  readonly #events = new Map<string, Events>();
  constructor(limit: number, windowMs: number, clock: Clock = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#clock = clock;
  }
  /** Drops the key's events at or before `now - windowMs`; the entry goes when none is left. */
  #recent(key: string, now: number): Events | undefined {
    const ev = this.#events.get(key);
    if (!ev) return undefined;
    const since = now - this.#windowMs;
    const { times } = ev;
    while (ev.head < times.length && times[ev.head]! <= since) ev.head++;
    if (ev.head === times.length) {
      this.#events.delete(key);
      return undefined;
    }
    if (ev.head > 32 && ev.head * 2 > times.length) {
      times.splice(0, ev.head);
      ev.head = 0;
    }
    return ev;
  }
  // The next sweep waits until the map has doubled from what the last one left, so sweeping
  // stays O(1) amortised even when more than SWEEP_AT keys are live at once.
  #sweepAt = SWEEP_AT;
  #sweep(now: number): void {
    if (this.#events.size < this.#sweepAt) return;
    for (const key of [...this.#events.keys()]) this.#recent(key, now);
    this.#sweepAt = Math.max(SWEEP_AT, 2 * this.#events.size);
  }
  #push(key: string, ev: Events | undefined, now: number): number {
    if (!ev) {
      this.#events.set(key, { times: [now], head: 0 });
      return 1;
    }
    ev.times.push(now);
    return ev.times.length - ev.head;
  }
  /** Records one event; false (and nothing recorded) when the key is at its limit. */
  take(key: string): boolean {
    const now = this.#clock();
    this.#sweep(now);
    const ev = this.#recent(key, now);
    if ((ev ? ev.times.length - ev.head : 0) >= this.#limit) return false;
    this.#push(key, ev, now);
    return true;
  }
  /** Records one event whatever the count; returns how many the window now holds. */
  hit(key: string): number {
    const now = this.#clock();
    this.#sweep(now);
    return this.#push(key, this.#recent(key, now), now);
  }
  count(key: string): number {
    const ev = this.#recent(key, this.#clock());
    return ev ? ev.times.length - ev.head : 0;
  }
  reset(key: string): void {
    this.#events.delete(key);
  }
}

/**
 * Blocks a key for `blockMs` once it has failed `maxFailures` times within `blockMs`
 * (failed logins: after N wrong passwords from one address, refuse it for a while).
 */
export class FailureBlocker {
  readonly #failures: WindowLimiter;
  readonly #max: number;
  readonly #blockMs: number;
  readonly #clock: Clock;
  readonly #until = new Map<string, number>();
  constructor(maxFailures: number, blockMs: number, clock: Clock = Date.now) {
    this.#max = maxFailures;
    this.#blockMs = blockMs;
    this.#clock = clock;
    this.#failures = new WindowLimiter(Number.MAX_SAFE_INTEGER, blockMs, clock);
  }
  /** Records a failure; returns true when this one starts a block. */
  fail(key: string): boolean {
    if (this.#failures.hit(key) < this.#max) return false;
    const now = this.#clock();
    if (this.#until.size >= SWEEP_AT)
      for (const [k, t] of [...this.#until]) if (t <= now) this.#until.delete(k);
    this.#until.set(key, now + this.#blockMs);
    this.#failures.reset(key);
    return true;
  }
  blocked(key: string): boolean {
    const t = this.#until.get(key);
    if (t === undefined) return false;
    if (t > this.#clock()) return true;
    this.#until.delete(key);
    return false;
  }
  /** A success forgets earlier failures (a block already running stays). */
  succeed(key: string): void {
    this.#failures.reset(key);
  }
}
