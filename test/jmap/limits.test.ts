// maxConcurrentRequests and maxConcurrentUpload (RFC 8620 §2, §3.6.1) on both stores, with
// real overlapping requests over TLS: requests whose bodies are sent only in part are held
// open by the client; one more is refused with the `limit` problem details (HTTP 400) naming
// the limit; the held ones, finished, are answered, and a new one is accepted; a client that
// disconnects mid-request gives its slot back. A WebSocket Request counts with the HTTP ones;
// uploads have a count of their own.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { forEachStore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { call } from '../http/client.ts';
import { jmapEnv, PASSWORD, USING, type JmapEnv } from './setup.ts';

const BASIC = 'Basic ' + Buffer.from(`alice@test.example:${PASSWORD}`).toString('base64');

interface RawReply {
  status: number;
  headers: string;
  body: string;
}

/** An HTTP/1.1 request over its own TLS connection whose body is sent in two steps. */
class Held {
  /** Every connection opened, so that a failing test leaves none to hold the process open. */
  static readonly all = new Set<TLSSocket>();
  readonly socket: TLSSocket;
  readonly #rest: Buffer;
  readonly reply: Promise<RawReply>;
  /** The connection ended: the server answered (or refused) it, or it was destroyed. */
  closed = false;
  constructor(socket: TLSSocket, rest: Buffer) {
    this.socket = socket;
    this.#rest = rest;
    Held.all.add(socket);
    socket.once('close', () => {
      this.closed = true;
      Held.all.delete(socket);
    });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    this.reply = new Promise((resolve, reject) => {
      socket.on('error', reject);
      socket.on('close', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const at = text.indexOf('\r\n\r\n');
        resolve({
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0),
          headers: text.slice(0, at),
          body: text.slice(at + 4),
        });
      });
    });
  }

  /** Opens the connection and sends the head and the first `part` bytes of the body. */
  static async open(
    port: number,
    ca: string,
    path: string,
    body: Buffer,
    part: number,
    type = 'application/json',
  ): Promise<Held> {
    const socket = connect({ host: '127.0.0.1', port, ca, servername: 'mail.test' });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    const held = new Held(socket, body.subarray(part));
    socket.write(
      `POST ${path} HTTP/1.1\r\nHost: mail.test\r\nAuthorization: ${BASIC}\r\n` +
        `Content-Type: ${type}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`,
    );
    socket.write(body.subarray(0, part));
    return held;
  }

  /** Sends the rest of the body; resolves to the reply. */
  finish(): Promise<RawReply> {
    this.socket.write(this.#rest);
    return this.reply;
  }
}

const echo = (word: string): Buffer =>
  Buffer.from(JSON.stringify({ using: USING, methodCalls: [['Core/echo', { word }, 'e']] }));

forEachStore('JMAP concurrency limits', (kind) => {
  let env: JmapEnv;
  let ca = '';
  let limits: { maxConcurrentRequests: number; maxConcurrentUpload: number };
  before(async () => {
    env = await jmapEnv(kind);
    ca = (await testCert()).cert;
    const s = await call(env.doors.ports.https, '/jmap/session', {
      auth: { user: 'alice@test.example', pass: PASSWORD },
    });
    limits = (s.json() as { capabilities: Record<string, typeof limits> }).capabilities[
      'urn:ietf:params:jmap:core'
    ]!;
  });
  afterEach(() => {
    for (const socket of Held.all) socket.destroy();
  });
  after(() => env.close());
  const port = (): number => env.doors.ports.https;
  const uploadPath = (): string => `/jmap/upload/${env.accountId}/`;

  /**
   * Sends complete requests until one is refused. The held ones are taken in by the server one
   * by one, each after its sign-in: until then an extra request may get through, and may even
   * take the last slot so that a held one is refused instead; such a held one is opened again
   * (by `reopen`, at its place in `held`), so that `held.length` requests are held at once.
   */
  async function refusedOne(
    path: string,
    body: Buffer,
    held: Held[],
    reopen: (i: number) => Promise<Held>,
  ): Promise<RawReply> {
    // A deadline, not a measure: a busy machine may take a while to sign the held ones in.
    for (const until = Date.now() + 30_000; Date.now() < until;) {
      for (const [i, h] of held.entries()) if (h.closed) held[i] = await reopen(i);
      const r = await (await Held.open(port(), ca, path, body, body.length)).reply;
      if (r.status !== 200 && r.status !== 201) return r;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('no request was refused');
  }

  /** Sends a complete request until it is accepted (a slot given back on a disconnect). */
  async function acceptedOne(path: string, body: Buffer): Promise<RawReply> {
    let last: RawReply | null = null;
    for (let i = 0; i < 200; i++) {
      last = await (await Held.open(port(), ca, path, body, body.length)).reply;
      if (last.status === 200 || last.status === 201) return last;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`never accepted: ${JSON.stringify(last)}`);
  }

  test('API requests: the one over maxConcurrentRequests is refused, then all answered', async () => {
    assert.ok(limits.maxConcurrentRequests >= 4, 'RFC 8620 §2 suggests at least 4');
    const hold = (i: number): Promise<Held> =>
      Held.open(port(), ca, '/jmap/api', echo(`held ${i}`), 10);
    const held: Held[] = [];
    for (let i = 0; i < limits.maxConcurrentRequests; i++) held.push(await hold(i));
    const refused = await refusedOne('/jmap/api', echo('one more'), held, hold);
    assert.equal(refused.status, 400, refused.headers);
    assert.match(refused.headers, /content-type: application\/problem\+json/i);
    const problem = JSON.parse(refused.body) as Record<string, unknown>;
    assert.equal(problem.type, 'urn:ietf:params:jmap:error:limit');
    assert.equal(problem.limit, 'maxConcurrentRequests');
    assert.equal(problem.status, 400);

    // Over the WebSocket, a Request is counted with the HTTP ones (RFC 8887 §4.3.4).
    const ws = new WebSocket(`wss://127.0.0.1:${port()}/jmap/ws/`, ['jmap'], {
      headers: { authorization: BASIC },
      ca,
      servername: 'mail.test',
    } as WebSocket.ClientOptions);
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const answer = new Promise<Record<string, unknown>>((resolve) =>
      ws.once('message', (d) => resolve(JSON.parse(String(d)) as Record<string, unknown>)),
    );
    ws.send(
      JSON.stringify({
        '@type': 'Request',
        id: 'busy',
        using: USING,
        methodCalls: [['Core/echo', {}, 'e']],
      }),
    );
    const wsReply = await answer;
    assert.equal(wsReply['@type'], 'RequestError');
    assert.equal(wsReply.requestId, 'busy');
    assert.equal(wsReply.type, 'urn:ietf:params:jmap:error:limit');
    assert.equal(wsReply.limit, 'maxConcurrentRequests');

    // Uploads are counted apart: one still goes through.
    const up = await (
      await Held.open(port(), ca, uploadPath(), Buffer.from('while busy'), 10, 'text/plain')
    ).reply;
    assert.equal(up.status, 201, up.body);

    // The held requests, finished, are answered in full; then a new one is accepted.
    const replies = await Promise.all(held.map((h) => h.finish()));
    replies.forEach((r, i) => {
      assert.equal(r.status, 200, r.body);
      const res = JSON.parse(r.body) as { methodResponses: [string, { word: string }, string][] };
      assert.deepEqual(res.methodResponses[0]![1], { word: `held ${i}` });
    });
    const again = await (await Held.open(port(), ca, '/jmap/api', echo('again'), 1e6)).reply;
    assert.equal(again.status, 200, again.body);
    ws.close();
  });

  test('uploads: the one over maxConcurrentUpload is refused; held ones finish', async () => {
    const bytes = (i: number): Buffer => Buffer.from(`attachment number ${i} `.repeat(200));
    const hold = (i: number): Promise<Held> =>
      Held.open(port(), ca, uploadPath(), bytes(i), 100, 'text/plain');
    const held: Held[] = [];
    for (let i = 0; i < limits.maxConcurrentUpload; i++) held.push(await hold(i));
    const refused = await refusedOne(uploadPath(), Buffer.from('one more'), held, hold);
    assert.equal(refused.status, 400, refused.headers);
    const problem = JSON.parse(refused.body) as Record<string, unknown>;
    assert.equal(problem.type, 'urn:ietf:params:jmap:error:limit');
    assert.equal(problem.limit, 'maxConcurrentUpload');
    // API requests are counted apart.
    const api = await (await Held.open(port(), ca, '/jmap/api', echo('busy'), 1e6)).reply;
    assert.equal(api.status, 200, api.body);

    const replies = await Promise.all(held.map((h) => h.finish()));
    replies.forEach((r, i) => {
      assert.equal(r.status, 201, r.body);
      assert.equal((JSON.parse(r.body) as { size: number }).size, bytes(i).length);
    });
    const again = await (
      await Held.open(port(), ca, uploadPath(), Buffer.from('after'), 1e6, 'text/plain')
    ).reply;
    assert.equal(again.status, 201, again.body);
  });

  test('a client that disconnects mid-request gives its slot back', async () => {
    for (const [path, limit, type] of [
      ['/jmap/api', limits.maxConcurrentRequests, 'application/json'],
      [uploadPath(), limits.maxConcurrentUpload, 'text/plain'],
    ] as const) {
      const body = path === '/jmap/api' ? echo('gone') : Buffer.from('x'.repeat(5000));
      const hold = (): Promise<Held> => Held.open(port(), ca, path, body, 5, type);
      const held: Held[] = [];
      for (let i = 0; i < limit; i++) held.push(await hold());
      const refused = await refusedOne(path, body, held, hold);
      assert.equal(refused.status, 400);
      for (const h of held) h.socket.destroy();
      const back = await acceptedOne(path, body);
      assert.ok(back.status === 200 || back.status === 201, back.body);
      // Every slot came back, not only one: as many held requests fit again, and one more
      // complete one (the server may take a moment to see each connection gone: until then
      // one of these may be refused, and the round is tried again).
      for (const until = Date.now() + 30_000; ;) {
        const again: Held[] = [];
        for (let i = 0; i < limit - 1; i++) again.push(await hold());
        const last = await acceptedOne(path, body);
        assert.ok(last.status === 200 || last.status === 201);
        if (again.some((h) => h.closed)) {
          assert.ok(Date.now() < until, 'the slots of the connections gone never came back');
          for (const h of again) h.socket.destroy();
          await new Promise((resolve) => setTimeout(resolve, 50));
          continue;
        }
        for (const r of await Promise.all(again.map((h) => h.finish())))
          assert.ok(r.status === 200 || r.status === 201, r.body);
        break;
      }
    }
  });
});
