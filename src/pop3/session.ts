// One POP3 connection: reads lines (bounded), runs commands one at a time in the order they
// came (PIPELINING, RFC 2449 §6.6), writes replies with back-pressure, upgrades to TLS on
// STLS, and enforces the idle timeout and the bad-command limit. The commands themselves live
// in commands/, one file each.
// Invariants: at most one command runs at a time; after STLS nothing received before the
// handshake is read (RFC 2595 §4, no command injection); on idle timeout the connection
// closes silently without entering UPDATE (RFC 1939 §3).
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { plaintextSignInAllowed } from '../core/cleartext.ts';
import { errorMessage } from '../util/errors.ts';
import type { Pop3Context } from './context.ts';
import type { Maildrop } from './maildrop.ts';
import { parseCommand } from './proto/command.ts';
import { LineSplitter, type Line } from './proto/lines.ts';
import { err, ok, type RespCode } from './proto/reply.ts';
import { COMMANDS } from './commands/index.ts';

export type State = 'AUTHORIZATION' | 'TRANSACTION' | 'UPDATE';

/** How long a closing connection may linger for the peer before it is cut. */
const LINGER_MS = 2000;

export class Session {
  readonly ctx: Pop3Context;
  readonly ip: string;
  state: State = 'AUTHORIZATION';
  secure: boolean;
  /** The name given by USER, waiting for PASS. */
  user: string | null = null;
  /** The signed-in account's address. */
  account: string | null = null;
  maildrop: Maildrop | null = null;
  /** Resolves once the socket has closed. */
  readonly closed: Promise<void>;

  #socket: Socket;
  readonly #splitter: LineSplitter;
  readonly #queue: Line[] = [];
  #waiter: ((line: Line | null) => void) | null = null;
  #running = false;
  #ending = false;
  #isClosed = false;
  #bad = 0;
  #onClosed!: () => void;

  constructor(ctx: Pop3Context, socket: Socket, secure: boolean) {
    this.ctx = ctx;
    this.ip = socket.remoteAddress ?? '';
    this.secure = secure;
    this.#socket = socket;
    this.#splitter = new LineSplitter(ctx.limits.saslBytes);
    this.closed = new Promise((resolve) => (this.#onClosed = resolve));
    this.#attach(socket);
  }

  /** A password may be sent now: over TLS, or in clear from loopback when configured. */
  get mayLogin(): boolean {
    return this.secure || plaintextSignInAllowed(this.ctx.core, this.ip);
  }

  /** Sends the greeting (RFC 1939 §4; no APOP timestamp, we offer no APOP). */
  start(): void {
    void this.write(ok('Champa POP3 server ready'));
  }

  #attach(socket: Socket): void {
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (e: Error) => this.ctx.log.debug({ ip: this.ip, err: e.message }, 'pop3'));
    socket.once('close', () => this.#closedNow());
    socket.setTimeout(this.ctx.limits.idleMs);
    socket.on('timeout', () => {
      this.ctx.log.info({ ip: this.ip, user: this.account }, 'pop3 idle timeout');
      socket.destroy();
    });
  }

  #closedNow(): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#queue.length = 0;
    this.#waiter?.(null);
    this.#waiter = null;
    this.#onClosed();
  }

  #onData(chunk: Buffer): void {
    if (this.#ending) return;
    for (const line of this.#splitter.push(chunk)) {
      const w = this.#waiter;
      if (w) {
        this.#waiter = null;
        w(line);
      } else this.#queue.push(line);
    }
    if (this.#queue.length >= this.ctx.limits.pipelineDepth) this.#socket.pause();
    void this.#pump();
  }

  async #pump(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      for (;;) {
        if (this.#isClosed || this.#ending) break;
        const line = this.#queue.shift();
        if (!line) break;
        await this.#run(line);
      }
    } finally {
      this.#running = false;
    }
    if (this.#ending) this.end();
    else if (!this.#isClosed) this.#socket.resume();
  }

  async #run(line: Line): Promise<void> {
    if (line.tooLong || line.bytes > this.ctx.limits.commandBytes) return this.bad('line too long');
    const cmd = parseCommand(line.text);
    if (!cmd) return this.bad('unknown command');
    const handler = COMMANDS.get(cmd.verb);
    if (!handler) return this.bad(`unknown command ${cmd.verb}`);
    if (!handler.states.includes(this.state))
      return this.write(err(`${cmd.verb} is not allowed in the ${this.state} state`));
    try {
      await handler.run(this, cmd.rest);
    } catch (e) {
      this.ctx.log.error({ ip: this.ip, verb: cmd.verb, err: errorMessage(e) }, 'pop3 error');
      await this.write(err('internal error; try again later', 'SYS/TEMP'));
    }
  }

  /** Writes a reply; resolves once the socket can take more (back-pressure). */
  write(data: string | Buffer): Promise<void> {
    if (this.#isClosed) return Promise.resolve();
    if (this.#socket.write(data)) return Promise.resolve();
    const socket = this.#socket;
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  ok(text = ''): Promise<void> {
    return this.write(ok(text));
  }

  err(text: string, code?: RespCode): Promise<void> {
    return this.write(err(text, code));
  }

  /** An unknown or malformed command: -ERR, and the connection ends after too many. */
  async bad(text: string): Promise<void> {
    this.#bad++;
    if (this.#bad < this.ctx.limits.badCommands) return this.err(text);
    await this.err(`${text}; too many bad commands, closing`);
    this.end();
  }

  /** The next raw line (a SASL response), or null once the connection is gone. */
  nextLine(): Promise<Line | null> {
    const queued = this.#queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.#isClosed) return Promise.resolve(null);
    this.#socket.resume();
    return new Promise((resolve) => (this.#waiter = resolve));
  }

  /** STLS after its +OK: drops whatever the client sent early and runs the TLS handshake. */
  async startTls(): Promise<void> {
    const raw = this.#socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('timeout');
    raw.removeAllListeners('close');
    raw.setTimeout(0);
    raw.on('close', () => this.#closedNow());
    this.#queue.length = 0;
    this.#splitter.reset();
    const secure = new TLSSocket(raw, { isServer: true, secureContext: this.ctx.secureContext });
    this.#socket = secure;
    this.#attach(secure);
    await new Promise<void>((resolve) => {
      secure.once('secure', () => {
        this.secure = true;
        resolve();
      });
      secure.once('error', () => {
        secure.destroy();
        resolve();
      });
      secure.once('close', () => resolve());
    });
  }

  /** Closes after the reply already written; cut if the peer lingers. */
  end(): void {
    if (this.#running) {
      this.#ending = true;
      return;
    }
    if (this.#isClosed) return;
    const socket = this.#socket;
    socket.end();
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  }

  /** Server shutdown: an idle session is told and closed; a busy one closes after its command. */
  shutdown(): void {
    if (this.#running) {
      this.#ending = true;
      this.#waiter?.(null); // a SASL exchange waiting for its response gives up
      this.#waiter = null;
      return;
    }
    void this.err('server shutting down', 'SYS/TEMP');
    this.end();
  }
}
