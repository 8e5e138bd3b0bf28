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

/** At most `limit` events per key in any sliding window of `windowMs`. */
export class WindowLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  readonly #events = new Map<string, number[]>();
  constructor(limit: number, windowMs: number, clock: Clock = Date.now) {
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#clock = clock;
  }
  #recent(key: string, now: number): number[] {
    const since = now - this.#windowMs;
    const list = (this.#events.get(key) ?? []).filter((t) => t > since);
    if (list.length === 0) this.#events.delete(key);
    else this.#events.set(key, list);
    return list;
  }
  #sweep(now: number): void {
    if (this.#events.size < SWEEP_AT) return;
    for (const key of [...this.#events.keys()]) this.#recent(key, now);
  }
  /** Records one event; false (and nothing recorded) when the key is at its limit. */
  take(key: string): boolean {
    const now = this.#clock();
    this.#sweep(now);
    const list = this.#recent(key, now);
    if (list.length >= this.#limit) return false;
    list.push(now);
    this.#events.set(key, list);
    return true;
  }
  /** Records one event whatever the count; returns how many the window now holds. */
  hit(key: string): number {
    const now = this.#clock();
    this.#sweep(now);
    const list = this.#recent(key, now);
    list.push(now);
    this.#events.set(key, list);
    return list.length;
  }
  count(key: string): number {
    return this.#recent(key, this.#clock()).length;
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
