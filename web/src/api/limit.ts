// At most `max` tasks at once; the others wait their turn in order. The JMAP client runs its
// API requests and uploads through these, within the session's maxConcurrentRequests and
// maxConcurrentUpload (RFC 8620 §2), so the server never has to refuse one tab's own work.
export class Limiter {
  readonly max: number;
  #running = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max) || 1);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= this.max) await new Promise<void>((go) => this.#waiting.push(go));
    else this.#running++;
    try {
      return await task();
    } finally {
      // Hand the slot straight to the next in line, or give it back.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
