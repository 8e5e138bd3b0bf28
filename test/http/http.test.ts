// The HTTP doors over real sockets: plain HTTP redirects to HTTPS, security headers on every
// response, JSON compressed when the client accepts, sign-in required, bounded bodies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../helpers/stores.ts';
import { jmapEnv, PASSWORD, type JmapEnv } from '../jmap/setup.ts';
import { call } from './client.ts';

const auth = { user: 'alice@test.example', pass: PASSWORD };

forEachStore('HTTP door', (kind) => {
  let env: JmapEnv;
  before(async () => {
    env = await jmapEnv(kind);
  });
  after(() => env.close());

  test('plain HTTP redirects to HTTPS, except ACME challenges', async () => {
    const r = await call(env.doors.ports.http, '/jmap/session?x=1', { plain: true });
    assert.equal(r.status, 308);
    assert.equal(r.headers.location, `https://mail.test:${env.doors.ports.https}/jmap/session?x=1`);
    const acme = await call(env.doors.ports.http, '/.well-known/acme-challenge/abc', {
      plain: true,
    });
    assert.equal(acme.status, 404);
    assert.equal(r.headers['strict-transport-security'], undefined);
  });

  test('security headers on every HTTPS response, errors included', async () => {
    for (const path of ['/jmap/session', '/api/nothing-here', '/.well-known/jmap']) {
      const r = await call(env.doors.ports.https, path, { auth });
      assert.equal(r.headers['content-security-policy'], "default-src 'self'", path);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.match(String(r.headers['strict-transport-security']), /max-age=\d+/);
    }
    const missing = await call(env.doors.ports.https, '/api/nothing-here');
    assert.equal(missing.status, 404);
    assert.match(String(missing.headers['content-type']), /application\/problem\+json/);
  });

  test('JSON is compressed with gzip or brotli when the client accepts', async () => {
    const plain = await call(env.doors.ports.https, '/jmap/session', { auth });
    assert.equal(plain.headers['content-encoding'], undefined);
    const gz = await call(env.doors.ports.https, '/jmap/session', {
      auth,
      headers: { 'accept-encoding': 'gzip' },
    });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.ok(gz.wireBytes < plain.wireBytes, `${gz.wireBytes} < ${plain.wireBytes}`);
    assert.deepEqual(gz.json(), plain.json());
    const br = await call(env.doors.ports.https, '/jmap/session', {
      auth,
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    });
    assert.equal(br.headers['content-encoding'], 'br');
    assert.deepEqual(br.json(), plain.json());
  });

  test('without or with wrong credentials: 401 with a Basic challenge', async () => {
    const none = await call(env.doors.ports.https, '/jmap/session');
    assert.equal(none.status, 401);
    assert.match(String(none.headers['www-authenticate']), /^Basic realm=/);
    const wrong = await call(env.doors.ports.https, '/jmap/session', {
      auth: { user: 'alice@test.example', pass: 'nope' },
    });
    assert.equal(wrong.status, 401);
    const api = await call(env.doors.ports.https, '/jmap/api', { method: 'POST', body: '{}' });
    assert.equal(api.status, 401);
  });

  test('a request body over the limit is refused with 413', async () => {
    const r = await env.post('x'.repeat(10_000_001));
    assert.equal(r.status, 413);
    const p = r.json() as { type: string; limit: string };
    assert.equal(p.type, 'urn:ietf:params:jmap:error:limit');
    assert.equal(p.limit, 'maxSizeRequest');
  });
});
