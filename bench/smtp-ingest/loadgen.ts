// A small SMTP load generator over node:net, the same for every system under test. It speaks
// only what an MX client needs (RFC 5321): EHLO, MAIL, RCPT, DATA, QUIT, and uses PIPELINING
// (RFC 2920) when the server offers it: MAIL, every RCPT and DATA go out in one write, and the
// replies are read in order. A connection is reused for the next message (a new MAIL after the
// 250 of the previous DATA, RFC 5321 §3.3), or opened anew per message when asked.
// Every message is different (Message-ID, random text), so no store can de-duplicate them.
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';

export interface Reply {
  code: number;
  lines: string[];
}

/** One SMTP client connection with an in-order reply queue. */
export class SmtpConn {
  readonly #sock: Socket;
  #buf = '';
  #lines: string[] = [];
  readonly #replies: Reply[] = [];
  readonly #waiters: ((r: Reply | Error) => void)[] = [];
  #error: Error | null = null;
  pipelining = false;

  private constructor(sock: Socket) {
    this.#sock = sock;
    sock.setNoDelay(true);
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => this.#onData(chunk));
    const fail = (err: Error): void => {
      this.#error = err;
      for (const w of this.#waiters.splice(0)) w(err);
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed by the server')));
  }

  static open(port: number, host = '127.0.0.1'): Promise<SmtpConn> {
    return new Promise((resolve, reject) => {
      const s = connect(port, host);
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(new SmtpConn(s));
      });
      s.once('error', reject);
    });
  }

  #onData(chunk: string): void {
    this.#buf += chunk;
    let i: number;
    while ((i = this.#buf.indexOf('\r\n')) >= 0) {
      const line = this.#buf.slice(0, i);
      this.#buf = this.#buf.slice(i + 2);
      this.#lines.push(line);
      // "250-" continues a reply, "250 " (or a bare code) ends it.
      if (line.length < 4 || line[3] === ' ') {
        const r = { code: Number(line.slice(0, 3)), lines: this.#lines };
        this.#lines = [];
        const w = this.#waiters.shift();
        if (w) w(r);
        else this.#replies.push(r);
      }
    }
  }

  read(): Promise<Reply> {
    const r = this.#replies.shift();
    if (r) return Promise.resolve(r);
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) =>
      this.#waiters.push((x) => (x instanceof Error ? reject(x) : resolve(x))),
    );
  }

  async expect(codes: number[], what: string): Promise<Reply> {
    const r = await this.read();
    if (!codes.includes(r.code)) throw new Error(`${what}: ${r.lines.join(' | ')}`);
    return r;
  }

  write(data: string | Buffer): void {
    this.#sock.write(data);
  }

  /** Reads the greeting and says EHLO; notes whether PIPELINING is offered. */
  async hello(name = 'loadgen.bench.internal'): Promise<void> {
    await this.expect([220], 'greeting');
    this.write(`EHLO ${name}\r\n`);
    const r = await this.expect([250], 'EHLO');
    this.pipelining = r.lines.some((l) => /^250[- ]PIPELINING\b/i.test(l));
  }

  /**
   * Sends one message to its recipients. Resolves with the number of recipients the server
   * took (a refused RCPT is counted out, not thrown); throws if the message itself is refused.
   */
  async send(from: string, rcpts: readonly string[], body: Buffer): Promise<number> {
    const cmds = [`MAIL FROM:<${from}>\r\n`, ...rcpts.map((r) => `RCPT TO:<${r}>\r\n`), 'DATA\r\n'];
    let taken = 0;
    if (this.pipelining) {
      this.write(cmds.join(''));
      await this.expect([250], 'MAIL');
      for (let i = 0; i < rcpts.length; i++) if ((await this.read()).code === 250) taken++;
      const d = await this.read();
      if (d.code !== 354) throw new Error(`DATA refused: ${d.lines.join(' | ')} (${taken} rcpts)`);
    } else {
      for (const c of cmds) {
        this.write(c);
        const r = await this.read();
        if (c.startsWith('MAIL') && r.code !== 250) throw new Error(`MAIL: ${r.lines.join(' ')}`);
        if (c.startsWith('RCPT') && r.code === 250) taken++;
        if (c === 'DATA\r\n' && r.code !== 354) throw new Error(`DATA: ${r.lines.join(' ')}`);
      }
    }
    this.write(body);
    await this.expect([250], 'end of DATA');
    return taken;
  }

  close(): void {
    this.#sock.destroy();
  }

  async quit(): Promise<void> {
    this.write('QUIT\r\n');
    await this.read().catch(() => undefined);
    this.#sock.destroy();
  }
}

/**
 * A message of exactly `size` bytes, dot-stuffed and ended with CRLF.CRLF, ready to follow
 * DATA. Lines of 76 random base64 characters; none starts with a dot.
 */
export function makeMessage(from: string, to: string, size: number, n: number): Buffer {
  const id = `${Date.now().toString(36)}.${n}.${randomBytes(6).toString('hex')}`;
  const head =
    `From: Load Generator <${from}>\r\n` +
    `To: <${to}>\r\n` +
    `Subject: Benchmark message ${n}\r\n` +
    `Date: ${new Date().toUTCString().replace('GMT', '+0000')}\r\n` +
    `Message-ID: <${id}@loadgen.bench.internal>\r\n` +
    'MIME-Version: 1.0\r\n' +
    'Content-Type: text/plain; charset=us-ascii\r\n' +
    '\r\n';
  let body = '';
  const need = size - head.length;
  while (body.length < need) {
    const line = randomBytes(57).toString('base64').replace(/^\./, 'x');
    body += line + '\r\n';
  }
  body = body.slice(0, Math.max(0, need - 2)) + '\r\n';
  return Buffer.from(head + body + '.\r\n', 'latin1');
}

export interface FloodOptions {
  port: number;
  from: string;
  /** Recipients to draw from at random, one per message. */
  recipients: readonly string[];
  messages: number;
  concurrency: number;
  size: number;
  /** Open a new connection for every message instead of reusing one. */
  newConnectionPerMessage: boolean;
}

export interface FloodResult {
  accepted: number;
  failed: number;
  firstError?: string;
  startedAt: number;
  /** When the last 250 to DATA arrived (performance.now()). */
  doneAt: number;
}

/** Sends `messages` messages over `concurrency` parallel connections. */
export async function flood(o: FloodOptions): Promise<FloodResult> {
  // Messages are built before the clock starts, so the generator's own work is not timed.
  const bodies: { to: string; body: Buffer }[] = [];
  for (let i = 0; i < o.messages; i++) {
    const to = o.recipients[Math.floor(Math.random() * o.recipients.length)]!;
    bodies.push({ to, body: makeMessage(o.from, to, o.size, i) });
  }
  let next = 0;
  let accepted = 0;
  let failed = 0;
  let firstError: string | undefined;
  const note = (err: unknown): void => {
    failed++;
    firstError ??= err instanceof Error ? err.message : String(err);
  };
  const startedAt = performance.now();
  const worker = async (): Promise<void> => {
    let conn: SmtpConn | null = null;
    while (next < bodies.length) {
      const m = bodies[next++]!;
      try {
        if (!conn) {
          conn = await SmtpConn.open(o.port);
          await conn.hello();
        }
        if ((await conn.send(o.from, [m.to], m.body)) === 1) accepted++;
        else note(new Error(`recipient ${m.to} refused`));
        if (o.newConnectionPerMessage) {
          await conn.quit();
          conn = null;
        }
      } catch (err) {
        note(err);
        conn?.close();
        conn = null;
      }
    }
    if (conn) await conn.quit();
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  return { accepted, failed, firstError, startedAt, doneAt: performance.now() };
}
