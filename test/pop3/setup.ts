// Shared set-up of the POP3 tests: a core with the domain test.example and two users, the
// POP3 doors on ephemeral ports, delivery through the one ingest path, and a small raw POP3
// client (plain, STLS or implicit TLS) that returns multi-line bodies byte for byte.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Core } from '../../src/core/core.ts';
import type { Account } from '../../src/store/schema.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser } from '../../src/core/accounts.ts';
import { ingest } from '../../src/core/deliver.ts';
import { startPop3, type Pop3Doors, type Pop3Options } from '../../src/pop3/server.ts';
import { makeCore, type StoreKind } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';

export const PASSWORD = 'correct-horse-battery';
export const ALICE = 'alice@test.example';

export interface Pop3TestEnv {
  core: Core;
  doors: Pop3Doors;
  alice: Account;
  bob: Account;
  /** Delivers a message to an account's INBOX; returns its email id. */
  deliver(account: Account, raw: string | Buffer): Promise<string>;
  close(): Promise<void>;
}

export async function pop3Env(kind: StoreKind, opts: Pop3Options = {}): Promise<Pop3TestEnv> {
  const h = await makeCore(kind);
  await addDomain(h.core, 'test.example');
  const alice = await addUser(h.core, { email: ALICE, password: PASSWORD });
  const bob = await addUser(h.core, { email: 'bob@test.example', password: PASSWORD });
  const doors = await startPop3(h.core, await testCert(), opts);
  return {
    core: h.core,
    doors,
    alice,
    bob,
    async deliver(account, raw) {
      const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
      const [r] = await ingest(h.core, bytes, [{ accountId: Number(account.id) }]);
      if (!r?.ok || !r.emailId) throw new Error(`delivery failed: ${r?.error}`);
      return r.emailId;
    },
    async close() {
      await doors.close();
      await h.close();
    },
  };
}

/** A test message with CRLF line ends. */
export function message(subject: string, body: string, from = 'carol@example.org'): Buffer {
  const head = [
    `From: ${from}`,
    `To: ${ALICE}`,
    `Subject: ${subject}`,
    'Date: Mon, 06 Jan 2025 09:00:00 +0700',
    `Message-ID: <${Math.random().toString(36).slice(2)}@example.org>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\n${body.replace(/\r?\n/g, '\r\n')}\r\n`);
}

export interface Multi {
  status: string;
  /** The body as the server meant it: un-stuffed, CRLF line ends. */
  body: Buffer;
  lines: string[];
}

/** A raw POP3 client: one command at a time, or several written at once (pipelining). */
export class Pop3Client {
  #socket: Socket;
  #buf = Buffer.alloc(0);
  #wake: (() => void) | null = null;
  #closed = false;
  closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.closed = this.#listen(socket);
  }

  #listen(socket: Socket): Promise<void> {
    socket.on('data', (d: Buffer) => {
      this.#buf = Buffer.concat([this.#buf, d]);
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    return new Promise((resolve) =>
      socket.once('close', () => {
        this.#closed = true;
        this.#wake?.();
        resolve();
      }),
    );
  }

  static async open(
    port: number,
    opts: { tls?: boolean; localAddress?: string } = {},
  ): Promise<{ c: Pop3Client; greeting: string }> {
    const to = { port, host: '127.0.0.1', localAddress: opts.localAddress };
    const socket = opts.tls ? tlsConnect({ ...to, rejectUnauthorized: false }) : netConnect(to);
    const c = new Pop3Client(socket);
    return { c, greeting: await c.line() };
  }

  /** Opens, signs in (STLS first on the plain port) and returns the client. */
  static async login(
    port: number,
    opts: { tls?: boolean; user?: string; password?: string } = {},
  ): Promise<Pop3Client> {
    const { c } = await Pop3Client.open(port, opts);
    if (!opts.tls) await c.stls();
    await c.cmd(`USER ${opts.user ?? ALICE}`);
    const r = await c.cmd(`PASS ${opts.password ?? PASSWORD}`);
    if (!r.startsWith('+OK')) throw new Error(`login failed: ${r}`);
    return c;
  }

  async #more(): Promise<boolean> {
    if (this.#closed) return false;
    await new Promise<void>((resolve) => (this.#wake = resolve));
    this.#wake = null;
    return true;
  }

  /** The next line without its CRLF ('' once the server has closed). */
  async line(): Promise<string> {
    return (await this.#rawLine())?.toString('utf8') ?? '';
  }

  async #rawLine(): Promise<Buffer | null> {
    for (;;) {
      const i = this.#buf.indexOf('\r\n');
      if (i >= 0) {
        const l = this.#buf.subarray(0, i);
        this.#buf = this.#buf.subarray(i + 2);
        return l;
      }
      if (!(await this.#more())) return null;
    }
  }

  send(data: string | Buffer): void {
    this.#socket.write(data);
  }

  cmd(line: string): Promise<string> {
    this.send(`${line}\r\n`);
    return this.line();
  }

  /** Reads a status line and, if +OK, the multi-line body after it. */
  async readMulti(): Promise<Multi> {
    const status = await this.line();
    const parts: Buffer[] = [];
    if (status.startsWith('+OK'))
      for (;;) {
        const l = await this.#rawLine();
        if (l === null) throw new Error('connection closed inside a multi-line response');
        if (l.length === 1 && l[0] === 0x2e) break;
        parts.push(l[0] === 0x2e ? l.subarray(1) : l, Buffer.from('\r\n'));
      }
    const body = Buffer.concat(parts);
    const text = body.toString('utf8');
    return { status, body, lines: text === '' ? [] : text.replace(/\r\n$/, '').split('\r\n') };
  }

  multi(line: string): Promise<Multi> {
    this.send(`${line}\r\n`);
    return this.readMulti();
  }

  /** STLS, then TLS on the same connection; `injected` is sent in clear right after STLS. */
  async stls(injected = ''): Promise<string> {
    this.send(`STLS\r\n${injected}`);
    const r = await this.line();
    if (!r.startsWith('+OK')) return r;
    this.#socket.removeAllListeners('data');
    this.#socket.removeAllListeners('close');
    const secure = tlsConnect({ socket: this.#socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.closed = this.#listen(secure);
    return r;
  }

  async quit(): Promise<string> {
    const r = await this.cmd('QUIT');
    await this.closed;
    return r;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** "AUTH PLAIN" initial response (RFC 4616). */
export function plain(user: string, pass: string, authz = ''): string {
  return Buffer.from(`${authz}\0${user}\0${pass}`).toString('base64');
}
