// JMAP upload (RFC 8620 §6.1) and EventSource push (§7.3) over HTTPS on both stores: bytes
// uploaded come back byte for byte from download, another account gets 404 for them, a body
// over maxSizeUpload is refused with 413; a stream opened with node's https receives a
// `state` event naming Email and Mailbox when a message is delivered through ingest(), and a
// closeafter=state stream ends after it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { ingest } from '../../src/core/deliver.ts';
import { CORE_LIMITS } from '../../src/jmap/limits.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { call } from '../http/client.ts';
import { jmapEnv, PASSWORD, type JmapEnv } from './setup.ts';

const alice = { user: 'alice@test.example', pass: PASSWORD };
const bob = { user: 'bob@test.example', pass: PASSWORD };

function basic(a: { user: string; pass: string }): string {
  return 'Basic ' + Buffer.from(`${a.user}:${a.pass}`).toString('base64');
}

/** Opens a request with node's https and resolves with the response head. */
async function open(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  const { cert } = await testCert();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: headers['content-length'] ? 'POST' : 'GET',
        headers: { host: 'mail.test', authorization: basic(alice), ...headers },
        ca: cert,
        servername: 'mail.test',
        agent: false,
      },
      (res) => resolve({ req, res }),
    );
    req.on('error', reject);
    if (!headers['content-length']) req.end();
    else req.flushHeaders();
  });
}

/** Reads server-sent events until one named `name` arrives; returns its parsed data. */
function nextEvent(res: IncomingMessage, name: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const lines = block.split('\n');
        const event = lines.find((l) => l.startsWith('event: '))?.slice(7);
        const data = lines.find((l) => l.startsWith('data: '))?.slice(6);
        if (event === name && data !== undefined) {
          res.off('data', onData);
          resolve(JSON.parse(data));
          return;
        }
      }
    };
    res.on('data', onData);
    res.once('end', () => reject(new Error(`stream ended before a ${name} event`)));
  });
}

function message(id: string): Buffer {
  return Buffer.from(
    [
      'From: somphone@moes.example',
      'To: alice@test.example',
      'Subject: ກອງປະຊຸມ',
      `Message-ID: <${id}@moes.example>`,
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'ສະບາຍດີ',
      '',
    ].join('\r\n'),
    'utf8',
  );
}

forEachStore('JMAP upload and push', (kind) => {
  let env: JmapEnv;
  before(async () => {
    env = await jmapEnv(kind);
  });
  after(() => env.close());

  test('an upload comes back byte for byte from download, to its owner only', async () => {
    const bytes = Buffer.concat([Buffer.from('ເອກະສານ PDF\r\n', 'utf8'), Buffer.from([0, 255, 1])]);
    const port = env.doors.ports.https;
    const up = await call(port, `/jmap/upload/${env.accountId}/`, {
      method: 'POST',
      auth: alice,
      headers: { 'content-type': 'application/pdf' },
      body: bytes,
    });
    assert.equal(up.status, 201, up.body.toString());
    const r = up.json() as { accountId: string; blobId: string; type: string; size: number };
    assert.equal(r.accountId, env.accountId);
    assert.equal(r.type, 'application/pdf');
    assert.equal(r.size, bytes.length);
    const path = `/jmap/download/${env.accountId}/${r.blobId}/report.pdf?type=application/pdf`;
    const down = await call(port, path, { auth: alice });
    assert.equal(down.status, 200);
    assert.deepEqual(down.body, bytes);
    const bobsId = `A${(await env.core.db.selectFrom('accounts').select('id').where('email', '=', bob.user).executeTakeFirstOrThrow()).id}`;
    const asBob = await call(port, `/jmap/download/${bobsId}/${r.blobId}/report.pdf`, {
      auth: bob,
    });
    assert.equal(asBob.status, 404);
    const intoOthers = await call(port, `/jmap/upload/${env.accountId}/`, {
      method: 'POST',
      auth: bob,
      body: bytes,
    });
    assert.equal(intoOthers.status, 404);
  });

  test('an upload over maxSizeUpload is refused with 413', async () => {
    const { req, res } = await open(env.doors.ports.https, `/jmap/upload/${env.accountId}/`, {
      'content-length': String(CORE_LIMITS.maxSizeUpload + 1),
      'content-type': 'application/octet-stream',
    });
    assert.equal(res.statusCode, 413);
    res.resume();
    req.destroy();
  });

  test('EventSource sends a state change naming Email and Mailbox on delivery', async () => {
    const { req, res } = await open(
      env.doors.ports.https,
      '/jmap/eventsource/?types=*&closeafter=no&ping=0',
      { accept: 'text/event-stream', 'accept-encoding': 'gzip, br' },
    );
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^text\/event-stream/);
    assert.equal(res.headers['content-encoding'], undefined);
    const event = nextEvent(res, 'state');
    await ingest(env.core, message('push-1'), [{ accountId: env.alice.id }]);
    const change = (await event) as {
      '@type': string;
      changed: Record<string, Record<string, string>>;
    };
    assert.equal(change['@type'], 'StateChange');
    const states = change.changed[env.accountId];
    assert.ok(states?.Email && states.Mailbox, JSON.stringify(change));
    const [get] = await env.api([['Email/get', { accountId: env.accountId, ids: [] }, '0']]);
    assert.equal(states.Email, (get![1] as { state: string }).state);
    req.destroy();
  });

  test('closeafter=state ends the stream after the first state event', async () => {
    const { res } = await open(
      env.doors.ports.https,
      '/jmap/eventsource/?types=Email&closeafter=state&ping=0',
      {},
    );
    assert.equal(res.statusCode, 200);
    const event = nextEvent(res, 'state');
    const ended = new Promise<void>((resolve) => res.once('end', resolve));
    await ingest(env.core, message('push-2'), [{ accountId: env.alice.id }]);
    const change = (await event) as { changed: Record<string, Record<string, string>> };
    assert.deepEqual(Object.keys(change.changed[env.accountId] ?? {}), ['Email']);
    res.resume();
    await ended;
  });
});
