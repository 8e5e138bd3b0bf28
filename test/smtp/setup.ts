// Shared set-up of the SMTP tests: a core with the domain test.example and two users, the
// three doors started on ephemeral ports, a way to read what landed in a mailbox, and a tiny
// raw SMTP client for exchanges no real client would make (garbage, AUTH before TLS…).
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Account } from '../../src/store/schema.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser } from '../../src/core/accounts.ts';
import { readMessage } from '../../src/core/deliver.ts';
import { startSmtp, type SmtpDoors, type SmtpOptions } from '../../src/smtp/server.ts';
import { makeCore, type StoreKind } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { startDns } from '../helpers/dns.ts';

export const PASSWORD = 'correct-horse-battery';

export interface SmtpTestEnv {
  core: Core;
  doors: SmtpDoors;
  alice: Account;
  bob: Account;
  close(): Promise<void>;
}

export async function smtpEnv(
  kind: StoreKind,
  overrides: Record<string, unknown> = {},
  opts: SmtpOptions = {},
): Promise<SmtpTestEnv> {
  // DNS never leaves the machine: a fake server answers unless the test brings its own.
  const dns = overrides.dns ? null : await startDns();
  const h = await makeCore(
    kind,
    dns ? { ...overrides, dns: { servers: [dns.server] } } : overrides,
  );
  await addDomain(h.core, 'test.example');
  const alice = await addUser(h.core, { email: 'alice@test.example', password: PASSWORD });
  const bob = await addUser(h.core, { email: 'bob@test.example', password: PASSWORD });
  const doors = await startSmtp(h.core, await testCert(), opts);
  return {
    core: h.core,
    doors,
    alice,
    bob,
    async close() {
      await doors.close();
      await h.close();
      await dns?.close();
    },
  };
}

/** The stored bytes of every message in an account's mailbox of this role, oldest first. */
export async function mailbox(core: Core, accountId: number, role = 'inbox'): Promise<Buffer[]> {
  const rows = await core.db
    .selectFrom('email_mailboxes')
    .innerJoin('mailboxes', (j) =>
      j
        .onRef('mailboxes.account_id', '=', 'email_mailboxes.account_id')
        .onRef('mailboxes.id', '=', 'email_mailboxes.mailbox_id'),
    )
    .select(['email_mailboxes.email_id', 'email_mailboxes.uid'])
    .where('email_mailboxes.account_id', '=', accountId)
    .where('mailboxes.role', '=', role)
    .orderBy('email_mailboxes.uid')
    .execute();
  return Promise.all(rows.map((r) => readMessage(core, accountId, r.email_id)));
}

/** The header block of a stored message, as text. */
export function headersOf(raw: Buffer): string {
  const i = raw.indexOf('\r\n\r\n');
  return raw.subarray(0, i < 0 ? raw.length : i).toString('utf8');
}

/** A line-by-line SMTP client: `cmd` sends one line and returns the whole reply. */
export class Talk {
  #socket: Socket;
  #buf = '';
  #waiters: ((reply: string) => void)[] = [];
  #replies: string[] = [];
  closed: Promise<void>;

  private constructor(socket: Socket) {
    this.#socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    this.#listen();
  }

  #listen(): void {
    this.#socket.setEncoding('utf8');
    this.#socket.on('data', (d: string) => {
      this.#buf += d;
      for (;;) {
        const m = /^((?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\n)/.exec(this.#buf);
        if (!m) break;
        this.#buf = this.#buf.slice(m[1]!.length);
        const reply = m[1]!.replace(/\r?\n$/, '').replace(/\r/g, '');
        const w = this.#waiters.shift();
        if (w) w(reply);
        else this.#replies.push(reply);
      }
    });
    this.#socket.on('error', () => undefined);
  }

  static async open(
    port: number,
    opts: { tls?: boolean } = {},
  ): Promise<{ talk: Talk; greeting: string }> {
    const socket = opts.tls
      ? tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : netConnect({ port, host: '127.0.0.1' });
    const talk = new Talk(socket);
    const greeting = await talk.reply();
    return { talk, greeting };
  }

  /** The next reply (or '' once the server closed the connection). */
  reply(): Promise<string> {
    const r = this.#replies.shift();
    if (r !== undefined) return Promise.resolve(r);
    return Promise.race([
      new Promise<string>((resolve) => this.#waiters.push(resolve)),
      this.closed.then(() => ''),
    ]);
  }

  send(text: string): void {
    this.#socket.write(text);
  }

  cmd(line: string): Promise<string> {
    this.#socket.write(`${line}\r\n`);
    return this.reply();
  }

  /** STARTTLS, then TLS over the same connection. */
  async starttls(): Promise<string> {
    const r = await this.cmd('STARTTLS');
    if (!r.startsWith('220')) return r;
    this.#socket.removeAllListeners('data');
    const secure = tlsConnect({ socket: this.#socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.#socket = secure;
    this.closed = new Promise((resolve) => secure.once('close', () => resolve()));
    this.#listen();
    return r;
  }

  close(): void {
    this.#socket.destroy();
  }
}

/** "AUTH PLAIN" initial response for a user (RFC 4616). */
export function plain(user: string, pass: string): string {
  return Buffer.from(`\0${user}\0${pass}`).toString('base64');
}
