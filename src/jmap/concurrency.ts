// How many API requests and uploads one account has in progress, bounded by the limits the
// session announces (RFC 8620 §2 maxConcurrentRequests, maxConcurrentUpload). Over a limit
// the request is refused as a whole with the `limit` request-level error (§3.6.1), naming
// the limit. Counts are per process: each node of a cluster holds its own.
// Invariant: every slot taken by `enter` is given back exactly once by the function it
// returns, which callers run in a `finally` (also when the client went away mid-request).
import { RequestError, REQUEST_ERROR } from './errors.ts';

export type ConcurrencyLimit = 'maxConcurrentRequests' | 'maxConcurrentUpload';

export class ConcurrencyGate {
  readonly name: ConcurrencyLimit;
  readonly limit: number;
  readonly #busy = new Map<number, number>();

  constructor(name: ConcurrencyLimit, limit: number) {
    this.name = name;
    this.limit = limit;
  }

  /**
   * Takes a slot for the account: returns the function that gives it back (a second call
   * does nothing), or null when the account already has `limit` in progress.
   */
  enter(accountId: number): (() => void) | null {
    const n = this.#busy.get(accountId) ?? 0;
    if (n >= this.limit) return null;
    this.#busy.set(accountId, n + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      const left = (this.#busy.get(accountId) ?? 1) - 1;
      if (left > 0) this.#busy.set(accountId, left);
      else this.#busy.delete(accountId);
    };
  }

  /** Slots the account holds now. */
  inUse(accountId: number): number {
    return this.#busy.get(accountId) ?? 0;
  }

  /** The request-level error for a refused request (§3.6.1: a `limit` naming the limit). */
  refusal(): RequestError {
    const what = this.name === 'maxConcurrentUpload' ? 'uploads' : 'API requests';
    return new RequestError(
      REQUEST_ERROR.limit,
      `at most ${this.limit} ${what} of one account at once; try again when one has finished`,
      { limit: this.name },
    );
  }
}
