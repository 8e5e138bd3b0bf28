// A minimal IMAP client over node:tls for the IMAP benchmark, the same for every server: one
// command at a time per connection, tagged completion (RFC 9051 §2.2.2), server literals
// `{n}` read by octet count (§4.3), non-synchronizing literals `{n+}` for APPEND (RFC 7888),
// and continuation requests for IDLE (RFC 2177). Not a general client: no parsing beyond
// lines, no pipelining of dependent commands.
import { connect, type TLSSocket } from 'node:tls';

export interface Done {
  /** OK, NO or BAD. */
  status: string;
  text: string;
  /** Untagged responses, literals inlined. */
  untagged: string[];
}

interface Pending {
  tag: string;
  untagged: string[];
  resolve(d: Done): void;
  reject(e: Error): void;
}

export class ImapConn {
  readonly #sock: TLSSocket;
  #buf = '';
  /** Octets still to read into the current line as a literal. */
  #literal = 0;
  #line = '';
  #pending: Pending | null = null;
  #continuation: ((line: string) => void) | null = null;
  #greeting: ((line: string) => void) | null = null;
  #n = 0;
  #error: Error | null = null;

  private constructor(sock: TLSSocket) {
    this.#sock = sock;
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => this.#onData(chunk));
    const fail = (err: Error): void => {
      this.#error ??= err;
      this.#pending?.reject(err);
      this.#pending = null;
    };
    sock.on('error', fail);
    sock.on('close', () => fail(new Error('connection closed by the server')));
  }

  /** Connects with implicit TLS and waits for the greeting. */
  static open(port: number, localAddress?: string): Promise<ImapConn> {
    return new Promise((resolve, reject) => {
      const sock = connect({
        port,
        host: '127.0.0.1',
        ...(localAddress ? { localAddress } : {}),
        rejectUnauthorized: false,
      });
      const c = new ImapConn(sock);
      sock.once('error', reject);
      c.#greeting = (line) => {
        sock.off('error', reject);
        if (line.startsWith('* OK')) resolve(c);
        else reject(new Error(`greeting: ${line}`));
      };
    });
  }

  #onData(chunk: string): void {
    this.#buf += chunk;
    for (;;) {
      if (this.#literal > 0) {
        if (this.#buf.length < this.#literal) return;
        this.#line += this.#buf.slice(0, this.#literal);
        this.#buf = this.#buf.slice(this.#literal);
        this.#literal = 0;
      }
      const i = this.#buf.indexOf('\r\n');
      if (i < 0) return;
      const part = this.#buf.slice(0, i);
      this.#buf = this.#buf.slice(i + 2);
      const lit = /\{(\d+)\}$/.exec(part);
      this.#line += part;
      if (lit) {
        this.#literal = Number(lit[1]);
        if (this.#literal > 0) continue;
      }
      const line = this.#line;
      this.#line = '';
      this.#onLine(line);
    }
  }

  #onLine(line: string): void {
    if (this.#greeting) {
      const g = this.#greeting;
      this.#greeting = null;
      g(line);
      return;
    }
    if (line.startsWith('+')) {
      const c = this.#continuation;
      this.#continuation = null;
      c?.(line);
      return;
    }
    const p = this.#pending;
    if (!p) return;
    if (line.startsWith(`${p.tag} `)) {
      this.#pending = null;
      const rest = line.slice(p.tag.length + 1);
      const sp = rest.indexOf(' ');
      p.resolve({
        status: sp < 0 ? rest : rest.slice(0, sp),
        text: sp < 0 ? '' : rest.slice(sp + 1),
        untagged: p.untagged,
      });
    } else p.untagged.push(line);
  }

  /** Sends one command (and any non-synchronizing literal in `then`) and waits for its end. */
  run(command: string, then?: string): Promise<Done> {
    if (this.#error) return Promise.reject(this.#error);
    if (this.#pending) throw new Error('one command at a time');
    const tag = `b${++this.#n}`;
    return new Promise((resolve, reject) => {
      this.#pending = { tag, untagged: [], resolve, reject };
      this.#sock.write(`${tag} ${command}\r\n${then ?? ''}`, 'latin1');
    });
  }

  /** Like run(), but throws unless the server answered OK. */
  async ok(command: string, then?: string): Promise<Done> {
    const d = await this.run(command, then);
    if (d.status !== 'OK') throw new Error(`${command.slice(0, 40)}: ${d.status} ${d.text}`);
    return d;
  }

  login(user: string, password: string): Promise<Done> {
    const q = (s: string): string => `"${s.replace(/[\\"]/g, '\\$&')}"`;
    return this.ok(`LOGIN ${q(user)} ${q(password)}`);
  }

  /** APPEND with a non-synchronizing literal (LITERAL+, RFC 7888). */
  append(mailbox: string, message: Buffer): Promise<Done> {
    return this.ok(
      `APPEND ${mailbox} (\\Seen) {${message.byteLength}+}`,
      message.toString('latin1') + '\r\n',
    );
  }

  /** Enters IDLE and resolves once the server sent its continuation request. */
  idle(): Promise<void> {
    if (this.#error) return Promise.reject(this.#error);
    const tag = `b${++this.#n}`;
    return new Promise((resolve, reject) => {
      this.#pending = { tag, untagged: [], resolve: () => undefined, reject };
      this.#continuation = () => resolve();
      this.#sock.write(`${tag} IDLE\r\n`);
    });
  }

  async logout(): Promise<void> {
    await this.run('LOGOUT').catch(() => undefined);
    this.#sock.destroy();
  }

  destroy(): void {
    this.#pending = null;
    this.#sock.destroy();
  }
}
