// JMAP Core (RFC 8620) over HTTPS: session discovery, request-level errors, method errors,
// result references, Core/echo.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../helpers/stores.ts';
import { call } from '../http/client.ts';
import { jmapEnv, PASSWORD, USING, type JmapEnv } from './setup.ts';

forEachStore('JMAP core', (kind) => {
  let env: JmapEnv;
  before(async () => {
    env = await jmapEnv(kind);
  });
  after(() => env.close());

  test('session discovery: /.well-known/jmap → session with capabilities and the account', async () => {
    const wk = await call(env.doors.ports.https, '/.well-known/jmap');
    assert.equal(wk.status, 307);
    assert.equal(wk.headers.location, '/jmap/session');
    const r = await call(env.doors.ports.https, String(wk.headers.location), {
      auth: { user: 'alice@test.example', pass: PASSWORD },
    });
    assert.equal(r.status, 200);
    const s = r.json() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(s.capabilities['urn:ietf:params:jmap:core'].maxCallsInRequest, 32);
    assert.ok(s.capabilities['urn:ietf:params:jmap:mail']);
    assert.equal(s.primaryAccounts['urn:ietf:params:jmap:mail'], env.accountId);
    assert.equal(s.accounts[env.accountId].name, 'alice@test.example');
    assert.equal(s.username, 'alice@test.example');
    assert.equal(s.apiUrl, `https://mail.test/jmap/api`);
    assert.match(s.downloadUrl, /\{accountId\}.*\{blobId\}.*\{name\}.*\{type\}/);
    assert.match(s.uploadUrl, /\{accountId\}/);
    assert.match(s.eventSourceUrl, /\{types\}.*\{closeafter\}.*\{ping\}/);
    assert.equal(typeof s.state, 'string');
  });

  test('request-level errors: unknownCapability, notJSON, notRequest', async () => {
    const cap = await env.post({ using: ['urn:example:nope'], methodCalls: [] });
    assert.equal(cap.status, 400);
    assert.match(String(cap.headers['content-type']), /application\/problem\+json/);
    assert.equal(
      (cap.json() as { type: string }).type,
      'urn:ietf:params:jmap:error:unknownCapability',
    );
    const nj = await env.post('{"using": [');
    assert.equal(nj.status, 400);
    assert.equal((nj.json() as { type: string }).type, 'urn:ietf:params:jmap:error:notJSON');
    const nr = await env.post({ using: USING, methodCalls: [['Core/echo', {}]] });
    assert.equal((nr.json() as { type: string }).type, 'urn:ietf:params:jmap:error:notRequest');
    const many = await env.post({
      using: USING,
      methodCalls: Array.from({ length: 33 }, (_, i) => ['Core/echo', {}, `c${i}`]),
    });
    assert.deepEqual(
      [(many.json() as { type: string }).type, (many.json() as { limit: string }).limit],
      ['urn:ietf:params:jmap:error:limit', 'maxCallsInRequest'],
    );
  });

  test('method errors answer one call and the others go on', async () => {
    const r = await env.api([
      ['Foo/bar', {}, 'a'],
      ['Core/echo', { hello: 'ສະບາຍດີ' }, 'b'],
      ['Mailbox/get', { accountId: 'A999999' }, 'c'],
      ['Mailbox/get', { accountId: env.accountId, ids: 'x' }, 'd'],
      ['Identity/get', { accountId: env.accountId }, 'e'], // submission not in using
    ]);
    assert.deepEqual(r[0], ['error', { type: 'unknownMethod' }, 'a']);
    assert.deepEqual(r[1], ['Core/echo', { hello: 'ສະບາຍດີ' }, 'b']);
    assert.equal(r[2]![0], 'error');
    assert.equal(r[2]![1].type, 'accountNotFound');
    assert.equal(r[3]![1].type, 'invalidArguments');
    assert.deepEqual(r[4], ['error', { type: 'unknownMethod' }, 'e']);
  });

  test('result references: Mailbox/get ids from a previous call, with errors for bad ones', async () => {
    const r = await env.api([
      ['Mailbox/get', { accountId: env.accountId, properties: ['role'] }, '0'],
      [
        'Mailbox/get',
        {
          accountId: env.accountId,
          '#ids': { resultOf: '0', name: 'Mailbox/get', path: '/list/*/id' },
          properties: ['name'],
        },
        '1',
      ],
      [
        'Mailbox/get',
        { accountId: env.accountId, '#ids': { resultOf: '0', name: 'Email/query', path: '/ids' } },
        '2',
      ],
      [
        'Mailbox/get',
        { accountId: env.accountId, '#ids': { resultOf: '0', name: 'Mailbox/get', path: '/nope' } },
        '3',
      ],
    ]);
    const first = r[0]![1].list as { id: string }[];
    const second = r[1]![1].list as { id: string; name: string }[];
    assert.equal(second.length, 6);
    assert.deepEqual(
      second.map((m) => m.id),
      first.map((m) => m.id),
    );
    assert.ok(second.some((m) => m.name === 'INBOX'));
    assert.equal(r[2]![1].type, 'invalidResultReference');
    assert.equal(r[3]![1].type, 'invalidResultReference');
  });
});
