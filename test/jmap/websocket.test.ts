// The JMAP WebSocket transport (RFC 8887) on both
// stores, with the `ws` client over TLS: the session names the socket; a Request is answered
// with its requestId, bad JSON with a RequestError; the "jmap" subprotocol and sign-in are
// required (Basic, or the web app's session cookie, not from another site's page);
// WebSocketPushEnable pushes a StateChange on delivery and tells a returning client with an
// old pushState at once. (Push subscriptions, RFC 8620 §7.2: pushsubscription.test.ts.)
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { ingest } from '../../src/core/deliver.ts';
import { createSession } from '../../src/core/sessions.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { call } from '../http/client.ts';
import { jmapEnv, PASSWORD, USING, type JmapEnv } from './setup.ts';

const BASIC = 'Basic ' + Buffer.from(`alice@test.example:${PASSWORD}`).toString('base64');

/** Messages of a socket, awaited one by one. */
function inbox(ws: WebSocket): () => Promise<Record<string, unknown>> {
  const queue: Record<string, unknown>[] = [];
  const waiting: ((m: Record<string, unknown>) => void)[] = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as Record<string, unknown>;
    const w = waiting.shift();
    if (w) w(m);
    else queue.push(m);
  });
  return () =>
    new Promise((resolve) => {
      const m = queue.shift();
      if (m) resolve(m);
      else waiting.push(resolve);
    });
}

forEachStore('JMAP WebSocket', (kind) => {
  let env: JmapEnv;
  let ca = '';
  const url = (): string => `wss://127.0.0.1:${env.doors.ports.https}/jmap/ws/`;
  const open = async (
    headers: Record<string, string>,
    protocols: string[] = ['jmap'],
  ): Promise<WebSocket | number> => {
    // ws hands TLS options through to tls.connect; servername checks the test certificate.
    const tlsOpts = { headers, ca, servername: 'mail.test' } as WebSocket.ClientOptions;
    const ws = new WebSocket(url(), protocols, tlsOpts);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.once('error', reject);
    });
  };
  before(async () => {
    env = await jmapEnv(kind);
    ca = (await testCert()).cert;
  });
  after(() => env.close());

  test('the session names the socket; Request → Response with requestId; bad JSON', async () => {
    const s = await call(env.doors.ports.https, '/jmap/session', {
      auth: { user: 'alice@test.example', pass: PASSWORD },
    });
    const cap = (
      s.json() as { capabilities: Record<string, { url: string; supportsPush: boolean }> }
    ).capabilities['urn:ietf:params:jmap:websocket']!;
    assert.equal(cap.url, 'wss://mail.test/jmap/ws/');
    assert.equal(cap.supportsPush, true);
    const ws = (await open({ authorization: BASIC })) as WebSocket;
    assert.equal(ws.protocol, 'jmap');
    const next = inbox(ws);
    ws.send(
      JSON.stringify({
        '@type': 'Request',
        id: 'r1',
        using: USING,
        methodCalls: [['Core/echo', { hello: 'ສະບາຍດີ' }, 'c']],
      }),
    );
    const r = await next();
    assert.equal(r['@type'], 'Response');
    assert.equal(r.requestId, 'r1');
    assert.deepEqual(r.methodResponses, [['Core/echo', { hello: 'ສະບາຍດີ' }, 'c']]);
    ws.send('{not json');
    const e = await next();
    assert.equal(e['@type'], 'RequestError');
    assert.equal(e.type, 'urn:ietf:params:jmap:error:notJSON');
    ws.send(JSON.stringify({ '@type': 'Request', id: 'r2', using: ['urn:x'], methodCalls: [] }));
    const e2 = await next();
    assert.equal(e2.requestId, 'r2');
    assert.equal(e2.type, 'urn:ietf:params:jmap:error:unknownCapability');
    ws.close();
  });

  test('the subprotocol and a sign-in are required; the session cookie works, not cross-site', async () => {
    assert.equal(await open({ authorization: BASIC }, ['other']), 400);
    assert.equal(await open({}), 401);
    assert.equal(
      await open({
        authorization: 'Basic ' + Buffer.from('alice@test.example:nope').toString('base64'),
      }),
      401,
    );
    const { token } = await createSession(env.core, env.alice.id);
    const cookie = `champa_session=${token}`;
    const ok = await open({
      cookie,
      origin: `https://127.0.0.1:${env.doors.ports.https}`,
      host: `127.0.0.1:${env.doors.ports.https}`,
    });
    assert.ok(ok instanceof WebSocket);
    ok.close();
    assert.equal(await open({ cookie, origin: 'https://evil.example' }), 403);
  });

  test('WebSocketPushEnable: a StateChange on delivery; an old pushState is told at once', async () => {
    const ws = (await open({ authorization: BASIC })) as WebSocket;
    const next = inbox(ws);
    ws.send(JSON.stringify({ '@type': 'WebSocketPushEnable', dataTypes: ['Email'] }));
    // A request after the enable is answered after it took effect (messages run in order).
    ws.send(JSON.stringify({ '@type': 'Request', id: 'x', using: USING, methodCalls: [] }));
    assert.equal((await next())['@type'], 'Response');
    await ingest(env.core, Buffer.from('Subject: push\r\n\r\nhi\r\n'), [
      { accountId: env.alice.id },
    ]);
    const sc = await next();
    assert.equal(sc['@type'], 'StateChange');
    const changed = (sc.changed as Record<string, Record<string, string>>)[env.accountId]!;
    assert.deepEqual(Object.keys(changed), ['Email']);
    assert.equal(sc.pushState, changed.Email);
    ws.close();

    const again = (await open({ authorization: BASIC })) as WebSocket;
    const next2 = inbox(again);
    again.send(JSON.stringify({ '@type': 'WebSocketPushEnable', dataTypes: null, pushState: '1' }));
    const missed = await next2();
    assert.equal(missed['@type'], 'StateChange');
    assert.equal(missed.pushState, changed.Email);
    again.close();
  });
});
