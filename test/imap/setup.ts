// Shared set-up of the IMAP tests: a core with test.example and two users, the IMAP doors on
// ephemeral ports, an imapflow client factory, and a raw line client for exact wire checks.
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { ImapFlow } from 'imapflow';
import type { Account } from '../../src/store/schema.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser } from '../../src/core/accounts.ts';
import { startImap, type ImapDoors, type ImapOptions } from '../../src/imap/server.ts';
import { makeCore, type StoreKind } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';

export const PASSWORD = 'correct-horse-battery';

export interface ImapTestEnv {
  core: Core;
  doors: ImapDoors;
  alice: Account;
  bob: Account;
  client(opts?: { user?: string; secure?: boolean; qresync?: boolean }): Promise<ImapFlow>;
  close(): Promise<void>;
}

export async function imapEnv(kind: StoreKind, opts: ImapOptions = {}): Promise<ImapTestEnv> {
  const h = await makeCore(kind);
  await addDomain(h.core, 'test.example');
  const alice = await addUser(h.core, { email: 'alice@test.example', password: PASSWORD });
  const bob = await addUser(h.core, { email: 'bob@test.example', password: PASSWORD });
  const doors = await startImap(h.core, await testCert(), opts);
  const clients: ImapFlow[] = [];
  return {
    core: h.core,
    doors,
    alice,
    bob,
    async client(o = {}) {
      const secure = o.secure ?? true;
      const c = new ImapFlow({
        host: '127.0.0.1',
        port: secure ? doors.ports.imaps : doors.ports.imap,
        secure,
        doSTARTTLS: secure ? undefined : true,
        auth: { user: o.user ?? 'alice@test.example', pass: PASSWORD },
        tls: { rejectUnauthorized: false },
        logger: false,
        ...(o.qresync ? { qresync: true } : {}),
      });
      await c.connect();
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.logout().catch(() => c.close());
      await doors.close();
      await h.close();
    },
  };
}

/** A raw IMAP client over TLS: `send` writes bytes, `until` waits for a line matching re. */
export class RawImap {
  readonly socket: TLSSocket;
  buf = '';
  #waiters: (() => void)[] = [];
  constructor(socket: TLSSocket) {
    this.socket = socket;
    socket.on('data', (d: Buffer) => {
      this.buf += d.toString('utf8');
      for (const w of this.#waiters.splice(0)) w();
    });
  }
  static async open(port: number): Promise<RawImap> {
    const socket = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      socket.once('error', reject);
    });
    const r = new RawImap(socket);
    await r.until(/^\* OK/m);
    return r;
  }
  send(text: string | Buffer): void {
    this.socket.write(text);
  }
  /** Waits until the buffer matches, returns everything so far and clears it. */
  async until(re: RegExp, ms = 5000): Promise<string> {
    const deadline = Date.now() + ms;
    while (!re.test(this.buf)) {
      if (Date.now() > deadline)
        throw new Error(`timeout waiting for ${re}; got ${JSON.stringify(this.buf)}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 100);
      });
    }
    const out = this.buf;
    this.buf = '';
    return out;
  }
  /** Sends one tagged command and returns every line up to and including its tagged answer. */
  async cmd(tag: string, command: string, ms = 5000): Promise<string> {
    this.send(`${tag} ${command}\r\n`);
    return this.until(new RegExp(`^${tag} (OK|NO|BAD)[^\\r\\n]*\\r\\n`, 'm'), ms);
  }
  close(): void {
    this.socket.destroy();
  }
}
