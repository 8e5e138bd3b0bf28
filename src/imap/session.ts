// One IMAP connection: the state machine of RFC 9051 §3 (not authenticated → authenticated →
// selected → logout), the command queue (commands run one at a time, in order), output, and
// the selected mailbox's view (message sequence numbers ↔ UIDs). Invariants: the view only
// shrinks when an EXPUNGE may be sent (never during FETCH, STORE or SEARCH by sequence number,
// RFC 9051 §7.5.1); no sync state of our own: what changed is read from the store by modseq.
import type { Socket } from 'node:net';
import {
  constants,
  createDeflateRaw,
  createInflateRaw,
  type DeflateRaw,
  type InflateRaw,
} from 'node:zlib';
import type { TLSSocket } from 'node:tls';
import type { Core } from '../core/core.ts';
import { plaintextSignInAllowed } from '../core/cleartext.ts';
import { Framer, type FramerLimits } from './proto/framer.ts';
import type { CommandError } from './proto/grammar.ts';
import { parseCommand, type Args } from './proto/grammar.ts';
import { mailboxById } from '../core/mailboxes.ts';
import {
  continuation,
  raw,
  statusLine,
  writeResponse,
  type Status,
  type Value,
} from './proto/writer.ts';
import { decodeMutf7, encodeMutf7 } from './proto/utf7.ts';
import type { MailboxView } from './view.ts';
import { UserError } from '../util/errors.ts';
import type { ImapContext } from './context.ts';
import type * as CommandTable from './commands/index.ts';

/** Queued commands past which the session stops reading its socket for a while. */
const PIPELINE_PAUSE = 100;
/** The command table, loaded once on first use (the commands import this module). */
let commands: Promise<typeof CommandTable> | null = null;
/** Queued output past which it is written at once. */
const OUT_FLUSH = 64 * 1024;

export type State = 'notauth' | 'auth' | 'selected' | 'logout';

export interface Selected {
  id: string;
  name: string;
  readOnly: boolean;
  uidValidity: number;
  view: MailboxView;
}

/** A line the session waits for instead of a command (AUTHENTICATE, IDLE's DONE). */
type LineWaiter = (line: Buffer | null) => void;

export class Session {
  readonly ctx: ImapContext;
  readonly core: Core;
  readonly ip: string;
  socket: Socket | TLSSocket;
  secure: boolean;
  /** The door accepts STARTTLS (port 143). */
  readonly starttls: boolean;
  state: State = 'notauth';
  account: { id: number; email: string } | null = null;
  selected: Selected | null = null;
  /** IMAP4rev2 enabled (RFC 9051 §6.3.1): UTF-8 names and strings, ESEARCH replies. */
  rev2 = false;
  /** UTF8=ACCEPT enabled (RFC 6855 §3): UTF-8 in quoted strings and mailbox names. */
  utf8Accept = false;
  #condstore = false;
  /** A CONDSTORE-enabling command ran with a mailbox selected: HIGHESTMODSEQ is owed. */
  #owesModseq = false;
  /** QRESYNC enabled (RFC 7162 §3.2.3): VANISHED instead of EXPUNGE; implies CONDSTORE. */
  qresync = false;
  /** Set while a command runs: whether it may report expunges (RFC 9051 §7.5.1). */
  mayExpunge = true;
  #framer: Framer;
  #queue: Buffer[] = [];
  #running = false;
  #waiter: LineWaiter | null = null;
  #closed = false;
  #timer: NodeJS.Timeout | null = null;
  #timerMs = 0;
  #onClose: (() => void)[] = [];
  /** COMPRESS=DEFLATE (RFC 4978): both directions through raw DEFLATE once active. */
  #deflate: DeflateRaw | null = null;
  #inflate: InflateRaw | null = null;
  #paused = false;
  #out: Buffer[] = [];
  #outBytes = 0;
  /** Responses queued as text after #out, encoded once (a FETCH of a thousand envelopes). */
  #outText = '';
  #flushQueued = false;

  constructor(ctx: ImapContext, socket: Socket | TLSSocket, secure: boolean, starttls: boolean) {
    this.ctx = ctx;
    this.core = ctx.core;
    this.socket = socket;
    this.secure = secure;
    this.starttls = starttls;
    this.ip = socket.remoteAddress ?? '';
    this.#framer = this.#newFramer();
    this.#attach(socket);
  }

  /** A password may be sent now: over TLS, or in clear from loopback when configured. */
  get mayLogin(): boolean {
    return this.secure || plaintextSignInAllowed(this.core, this.ip);
  }

  /** CONDSTORE enabled (RFC 7162 §3.1): by ENABLE or by the first command that uses it. */
  get condstore(): boolean {
    return this.#condstore;
  }
  /**
   * Turning CONDSTORE on with a mailbox selected owes the client that mailbox's HIGHESTMODSEQ
   * (RFC 7162 §3.1), sent in an untagged OK before the command's tagged answer.
   */
  set condstore(on: boolean) {
    if (on && !this.#condstore && this.selected) this.#owesModseq = true;
    this.#condstore = on;
  }

  /** UTF-8 on the wire: IMAP4rev2 or UTF8=ACCEPT enabled. */
  get utf8(): boolean {
    return this.rev2 || this.utf8Accept;
  }

  #limits(): FramerLimits {
    const c = this.ctx.limits;
    return {
      maxLine: c.maxLine,
      maxCommand: c.maxMessage + c.maxLine,
      literalLimit: (head) =>
        /^\S+ APPEND /i.test(head) && this.state !== 'notauth' ? c.maxMessage : c.maxLiteral,
    };
  }

  #newFramer(): Framer {
    return new Framer(
      {
        command: (buf) => this.#enqueue(buf),
        continueLiteral: () => this.send(continuation('Ready for literal data')),
        reject: (tag, code, text, fatal) => {
          this.send(statusLine(tag, 'BAD', code, text));
          if (fatal) this.close();
        },
      },
      this.#limits(),
    );
  }

  #onData = (chunk: Buffer): void => {
    if (this.#inflate) this.#inflate.write(chunk);
    else this.#framer.push(chunk);
  };

  get compressed(): boolean {
    return this.#inflate !== null;
  }

  /**
   * Starts DEFLATE both ways (RFC 4978 §3), right after the clear-text OK (written out first).
   * Output is flushed with Z_SYNC_FLUSH once per burst of responses (see send), so the client
   * always gets whole responses, IDLE pushes included.
   */
  compress(): void {
    this.flush();
    const deflate = createDeflateRaw({ windowBits: 15, memLevel: 8 });
    const inflate = createInflateRaw();
    deflate.on('data', (c: Buffer) => {
      if (!this.socket.destroyed) this.socket.write(c);
    });
    deflate.on('error', () => this.close());
    inflate.on('data', (c: Buffer) => this.#framer.push(c));
    inflate.on('error', () => this.close());
    this.#deflate = deflate;
    this.#inflate = inflate;
  }

  #attach(socket: Socket | TLSSocket): void {
    socket.on('data', this.#onData);
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
    this.touch();
  }

  /** Restarts the inactivity timer (RFC 9051 §5.4: at least 30 minutes once authenticated). */
  touch(): void {
    const ms =
      this.state === 'notauth' ? this.ctx.limits.preAuthTimeoutMs : this.ctx.limits.idleTimeoutMs;
    // Restarting the same timer is cheaper than a new one on every command.
    if (this.#timer && this.#timerMs === ms) {
      this.#timer.refresh();
      return;
    }
    if (this.#timer) clearTimeout(this.#timer);
    this.#timerMs = ms;
    this.#timer = setTimeout(() => {
      this.send(statusLine('*', 'BYE', null, 'Autologout; idle for too long'));
      this.close();
    }, ms);
    this.#timer.unref();
  }

  /** Swaps the transport after STARTTLS; anything the client pipelined in clear is dropped. */
  upgrade(tlsSocket: TLSSocket): void {
    this.socket.off('data', this.#onData);
    this.#queue = [];
    this.socket = tlsSocket;
    this.secure = true;
    this.#framer = this.#newFramer();
    this.#attach(tlsSocket);
  }

  /** Stops reading clear text at once (before the STARTTLS OK goes out). */
  detach(): void {
    this.socket.off('data', this.#onData);
    this.#queue = [];
  }

  onClose(fn: () => void): void {
    this.#onClose.push(fn);
  }

  /**
   * Queues output. Responses are gathered and written together: when the command finishes,
   * when OUT_FLUSH bytes are waiting, or when the event loop turns (IDLE pushes, greetings).
   * One write per burst instead of one per line: fewer TLS records and system calls.
   */
  send(buf: Buffer): void {
    if (this.#closed || this.socket.destroyed) return;
    this.#textToOut();
    this.#out.push(buf);
    this.#outBytes += buf.length;
    this.#queued();
  }

  /** Queues a response given as text (sent as UTF-8), after everything queued before it. */
  sendText(text: string): void {
    if (this.#closed || this.socket.destroyed) return;
    this.#outText += text;
    this.#queued();
  }

  #queued(): void {
    if (this.#outBytes + this.#outText.length >= OUT_FLUSH) this.flush();
    else if (!this.#flushQueued) {
      this.#flushQueued = true;
      setImmediate(this.#flushLater);
    }
  }

  #textToOut(): void {
    if (!this.#outText) return;
    const b = Buffer.from(this.#outText, 'utf8');
    this.#outText = '';
    this.#out.push(b);
    this.#outBytes += b.length;
  }

  #flushLater = (): void => {
    this.#flushQueued = false;
    this.flush();
  };

  /** Writes queued output now (before STARTTLS or COMPRESS change the transport, on close). */
  flush(): void {
    this.#textToOut();
    if (this.#out.length === 0) return;
    const data = this.#out.length === 1 ? this.#out[0]! : Buffer.concat(this.#out, this.#outBytes);
    this.#out = [];
    this.#outBytes = 0;
    if (this.socket.destroyed) return;
    const d = this.#deflate;
    if (!d) {
      this.socket.write(data);
      return;
    }
    // Z_SYNC_FLUSH after every burst: the client always gets whole responses (RFC 4978 §4).
    d.write(data);
    d.flush(constants.Z_SYNC_FLUSH);
  }
  untagged(items: Value[]): void {
    const r = writeResponse([{ raw: '*' }, ...items], { utf8: this.utf8 });
    if (typeof r === 'string') this.sendText(r);
    else this.send(r);
  }
  /** Sends pending mailbox updates, then `tag status [code] text`. */
  async finish(tag: string, status: Status, code: string | null, text: string): Promise<void> {
    if (this.#owesModseq) {
      this.#owesModseq = false;
      const sel = this.selected;
      const mb = sel && (await mailboxById(this.core.db, sel.view.accountId, sel.id));
      if (mb) this.untagged([raw('OK'), raw(`[HIGHESTMODSEQ ${Number(mb.modseq)}]`), 'Highest']);
    }
    if (this.selected && status !== 'BAD') await this.selected.view.sync(this, this.mayExpunge);
    this.send(statusLine(tag, status, code, text));
    this.flush();
  }

  /** The next client line, taken instead of a command (AUTHENTICATE, IDLE); null on close. */
  nextLine(): Promise<Buffer | null> {
    if (this.#closed) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  /** Mailbox names on the wire: UTF-8 for IMAP4rev2 and UTF8=ACCEPT, modified UTF-7 otherwise. */
  decodeName(wire: string): string {
    return this.utf8 ? wire : decodeMutf7(wire);
  }
  encodeName(name: string): string {
    return this.utf8 ? name : encodeMutf7(name);
  }

  #enqueue(buf: Buffer): void {
    this.touch();
    if (this.#waiter) {
      const w = this.#waiter;
      this.#waiter = null;
      w(buf);
      return;
    }
    this.#queue.push(buf);
    // Clients pipeline freely (mbsync sends a thousand FETCHes at once): past a bound, stop
    // reading the socket until the queue drains, instead of buffering without limit.
    if (this.#queue.length > PIPELINE_PAUSE && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
    void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const buf = this.#queue.shift()!;
        await this.#run(buf);
        if (this.#paused && this.#queue.length < PIPELINE_PAUSE / 2) {
          this.#paused = false;
          this.socket.resume();
        }
      }
    } finally {
      this.#running = false;
    }
  }

  async #run(buf: Buffer): Promise<void> {
    let tag: string;
    let args: Args;
    try {
      const cmd = parseCommand(buf);
      tag = cmd.tag;
      args = cmd.args;
    } catch (err) {
      const e = err as CommandError;
      this.send(statusLine(e.tag ?? '*', 'BAD', e.code ?? null, e.message));
      this.#badCount();
      return;
    }
    const { handlers } = await (commands ??= import('./commands/index.ts'));
    const h = handlers[args.name];
    if (!h.states.includes(this.state as 'notauth')) {
      const why =
        this.state === 'notauth'
          ? 'Log in first'
          : this.state === 'auth'
            ? 'Select a mailbox first'
            : 'Not allowed now';
      this.send(statusLine(tag, 'BAD', null, `${args.name}: ${why}`));
      return;
    }
    const uid = 'uid' in args && args.uid;
    this.mayExpunge = uid || !['FETCH', 'STORE', 'SEARCH', 'SORT', 'THREAD'].includes(args.name);
    try {
      await (h.run as (s: Session, a: Args, tag: string) => Promise<void>)(this, args, tag);
    } catch (err) {
      if (err instanceof UserError) await this.finish(tag, 'NO', codeFor(err.code), err.message);
      else {
        this.ctx.log.error({ err, command: args.name }, 'imap command failed');
        this.send(statusLine(tag, 'NO', 'SERVERBUG', 'Internal error'));
      }
    } finally {
      this.mayExpunge = true;
    }
  }

  #bad = 0;
  /** Too many unparsable commands in a row: a client that does not speak IMAP. */
  #badCount(): void {
    if (++this.#bad > 20) {
      this.send(statusLine('*', 'BYE', null, 'Too many invalid commands'));
      this.close();
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.state = 'logout';
    if (this.#timer) clearTimeout(this.#timer);
    this.flush();
    this.#waiter?.(null);
    this.#waiter = null;
    for (const fn of this.#onClose.splice(0)) fn();
    const d = this.#deflate;
    this.#deflate = null;
    this.#inflate?.destroy();
    const sock = this.socket;
    if (d) {
      // The last words (BYE) leave compressed, then the stream's end, then the socket's.
      d.once('end', () => {
        sock.end();
        sock.destroySoon?.();
      });
      d.end();
    } else {
      sock.end();
      sock.destroySoon?.();
    }
    setTimeout(() => this.socket.destroy(), 2000).unref();
  }
  get closed(): boolean {
    return this.#closed;
  }
}

/** Response codes for domain errors (RFC 5530). */
function codeFor(code: string): string | null {
  switch (code) {
    case 'not_found':
      return 'NONEXISTENT';
    case 'exists':
      return 'ALREADYEXISTS';
    case 'over_quota':
      return 'OVERQUOTA';
    case 'has_children':
      return 'HASCHILDREN';
    case 'invalid':
      return 'CANNOT';
    default:
      return null;
  }
}
