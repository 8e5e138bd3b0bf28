// Group commit: work items that arrive while a transaction is being committed wait and are
// then committed together, so N concurrent deliveries cost one fsync instead of N. Under no
// load an item runs alone at once; nothing waits on a timer.
// Invariant: an item's promise resolves only after the transaction holding it committed. If a
// batch fails, each of its items is retried alone, so one bad item never fails the others.

export class GroupCommit<I, O> {
  readonly #runBatch: (items: I[]) => Promise<O[]>;
  readonly #max: number;
  #pending: { item: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #running = false;

  /** `runBatch` must commit all items in one transaction and return one result per item. */
  constructor(runBatch: (items: I[]) => Promise<O[]>, maxBatch = 64) {
    this.#runBatch = runBatch;
    this.#max = maxBatch;
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (!this.#running) void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    this.#running = true;
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, this.#max);
        try {
          const out = await this.#runBatch(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(out[i]!));
        } catch (err) {
          if (batch.length === 1) batch[0]!.reject(err);
          else
            for (const b of batch) {
              try {
                const [o] = await this.#runBatch([b.item]);
                b.resolve(o!);
              } catch (e) {
                b.reject(e);
              }
            }
        }
      }
    } finally {
      this.#running = false;
    }
  }
}
