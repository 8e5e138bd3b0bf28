// The change bus: after a transaction that changed an account commits, core publishes one
// event; IMAP IDLE, JMAP push, DAV and ActiveSync Ping listen. In-process by default;
// a PostgreSQL LISTEN/NOTIFY bus for clusters implements the same interface.
import { EventEmitter } from 'node:events';

export interface ChangeEvent {
  accountId: number;
  modseq: number;
  /** Object types that changed, e.g. ['Email', 'Mailbox']. */
  types: string[];
}

export interface ChangeBus {
  publish(event: ChangeEvent): void;
  /** Returns a function that unsubscribes. */
  subscribe(accountId: number, fn: (event: ChangeEvent) => void): () => void;
  /** Wakes when any account changes (the outbound queue, metrics). */
  subscribeAll(fn: (event: ChangeEvent) => void): () => void;
}

export class LocalChangeBus implements ChangeBus {
  readonly #emitter = new EventEmitter();
  constructor() {
    this.#emitter.setMaxListeners(0);
  }
  publish(event: ChangeEvent): void {
    this.#emitter.emit(`a:${event.accountId}`, event);
    this.#emitter.emit('all', event);
  }
  subscribe(accountId: number, fn: (event: ChangeEvent) => void): () => void {
    const name = `a:${accountId}`;
    this.#emitter.on(name, fn);
    return () => this.#emitter.off(name, fn);
  }
  subscribeAll(fn: (event: ChangeEvent) => void): () => void {
    this.#emitter.on('all', fn);
    return () => this.#emitter.off('all', fn);
  }
}
