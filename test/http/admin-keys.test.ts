// API keys for scripts, over HTTPS: an administrator makes one (shown once, stored hashed),
// curl uses it as a Bearer token with that administrator's roles (and their limits), it works
// on the admin API only, it cannot make more keys, and it stops working when revoked, when it
// expires, when the account is disabled, or (for what the role gave) when the role is revoked.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Core } from '../../src/core/core.ts';
import { insertAccount, setDisabled } from '../../src/core/accounts.ts';
import { listAudit } from '../../src/core/audit.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { grantRole, revokeRole } from '../../src/core/roles.ts';
import { startHttp, type HttpDoors } from '../../src/http/server.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { DOMAIN, seedTree } from '../admin/setup.ts';
import { call, type Reply } from './client.ts';

const run = promisify(execFile);
const PASSWORD = 'correct-horse-battery';
const VTE = '/ministry/provinces/vientiane';
const LPB = '/ministry/provinces/luangprabang';

forEachStore('admin API keys', (kind) => {
  let core: Core;
  let doors: HttpDoors;
  let close: () => Promise<void>;
  let dir: string;
  let now = Date.now();

  const basic = (local: string) => ({ user: `${local}@${DOMAIN}`, pass: PASSWORD });
  const bearer = (key: string, path: string, method = 'GET', body?: unknown): Promise<Reply> =>
    call(doors.ports.https, path, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const makeKey = async (local: string, body: unknown): Promise<{ id: string; key: string }> => {
    const r = await call(doors.ports.https, '/api/admin/apikeys', {
      method: 'POST',
      auth: basic(local),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 201, r.body.toString());
    return r.json() as { id: string; key: string };
  };

  /** curl, as a script would call the API, trusting the test certificate. */
  async function curl(key: string, path: string): Promise<{ status: number; body: string }> {
    const { stdout } = await run('curl', [
      '-sS',
      '--cacert',
      join(dir, 'cert.pem'),
      '--resolve',
      `mail.test:${doors.ports.https}:127.0.0.1`,
      '-H',
      `Authorization: Bearer ${key}`,
      '-w',
      '\n%{http_code}',
      `https://mail.test:${doors.ports.https}${path}`,
    ]);
    const i = stdout.lastIndexOf('\n');
    return { status: Number(stdout.slice(i + 1)), body: stdout.slice(0, i) };
  }

  before(async () => {
    const h = await makeCore(kind);
    core = h.core;
    dir = h.env.dir;
    await seedTree(core);
    const hash = await hashPassword(PASSWORD);
    await core.db.transaction().execute(async (trx) => {
      await insertAccount(trx, { email: `boss@${DOMAIN}`, unitPath: '/', isAdmin: true }, hash);
      await insertAccount(trx, { email: `vte-admin@${DOMAIN}`, unitPath: VTE }, hash);
      await insertAccount(trx, { email: `teacher@${DOMAIN}`, unitPath: `${VTE}/xaythany` }, hash);
      await insertAccount(trx, { email: `far@${DOMAIN}`, unitPath: LPB }, hash);
    });
    await grantRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VTE, 'test');
    const tls = await testCert();
    await writeFile(join(dir, 'cert.pem'), tls.cert);
    doors = await startHttp(core, tls, { clock: () => now });
    close = async () => {
      await doors.close();
      await h.close();
    };
  });
  after(() => close());

  test('a key is shown once, stored hashed, listed without the secret, used by curl', async () => {
    const k = await makeKey('boss', { label: 'nightly export' });
    assert.match(k.key, /^champa_\d+_[A-Za-z0-9_-]{43}$/);
    const rows = await core.db.selectFrom('api_keys').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.ok(!JSON.stringify(rows).includes(k.key.split('_').pop()!), 'the secret is not stored');
    const list = await call(doors.ports.https, '/api/admin/apikeys', { auth: basic('boss') });
    assert.deepEqual(
      (list.json() as { id: string; label: string; key?: string }[]).map((x) => [
        x.id,
        x.label,
        x.key,
      ]),
      [[k.id, 'nightly export', undefined]],
    );
    const users = await curl(k.key, '/api/admin/users?q=teacher');
    assert.equal(users.status, 200, users.body);
    assert.deepEqual(
      (JSON.parse(users.body) as { items: { email: string }[] }).items.map((x) => x.email),
      [`teacher@${DOMAIN}`],
    );
    const csv = await curl(k.key, `/api/admin/export/users?unit=${encodeURIComponent(VTE)}`);
    assert.equal(csv.status, 200);
    assert.match(csv.body, /^email,name,unit,quota,aliases\r\n/);
    assert.ok(!csv.body.includes(`far@${DOMAIN}`), "the key sees only its owner's reach");
    const audit = await listAudit(core, { action: 'apikey.create' });
    assert.equal(audit[0]?.actor, `boss@${DOMAIN}`);
    assert.equal(audit[0]?.outcome, 'ok');
  });

  test("a key acts with its owner's roles and limits; only on the admin API; it makes no keys", async () => {
    const k = await makeKey('vte-admin', { label: 'province script' });
    const inside = await bearer(k.key, '/api/admin/users', 'POST', {
      email: `new@${DOMAIN}`,
      name: 'ໃໝ່',
      unit: VTE,
    });
    assert.equal(inside.status, 201, inside.body.toString());
    const outside = await bearer(k.key, '/api/admin/users', 'POST', {
      email: `new2@${DOMAIN}`,
      name: 'ໃໝ່',
      unit: LPB,
    });
    assert.equal(outside.status, 403);
    const denied = await listAudit(core, { action: 'account.create', outcome: 'denied' });
    assert.equal(denied[0]?.actor, `vte-admin@${DOMAIN}`);
    assert.equal(denied[0]?.unitPath, LPB);

    assert.equal((await bearer(k.key, '/jmap/session')).status, 403, 'not a JMAP credential');
    const more = await bearer(k.key, '/api/admin/apikeys', 'POST', { label: 'another' });
    assert.equal(more.status, 403);
    assert.equal((await listAudit(core, { action: 'apikey.create', outcome: 'denied' })).length, 1);

    // The role goes: what it gave goes with it, at once.
    await revokeRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VTE);
    assert.equal((await bearer(k.key, '/api/admin/users')).status, 403);
    await grantRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VTE, 'test');
    assert.equal((await bearer(k.key, '/api/admin/users')).status, 200);
  });

  test('revoked, expired, disabled, mistyped: 401 with a Bearer challenge', async () => {
    const k = await makeKey('vte-admin', { label: 'short', expiresAt: now + 3_600_000 });
    assert.equal((await bearer(k.key, '/api/admin/me')).status, 200);
    now += 2 * 3_600_000;
    const expired = await bearer(k.key, '/api/admin/me');
    assert.equal(expired.status, 401);
    assert.match(String(expired.headers['www-authenticate']), /^Bearer /);
    now = Date.now();

    const k2 = await makeKey('vte-admin', { label: 'to revoke' });
    assert.equal((await bearer(k2.key, '/api/admin/me')).status, 200);
    const gone = await call(doors.ports.https, `/api/admin/apikeys/${k2.id}`, {
      method: 'DELETE',
      auth: basic('vte-admin'),
    });
    assert.equal(gone.status, 204);
    assert.equal((await bearer(k2.key, '/api/admin/me')).status, 401);
    const notMine = await call(doors.ports.https, `/api/admin/apikeys/${k.id}`, {
      method: 'DELETE',
      auth: basic('boss'),
    });
    assert.equal(notMine.status, 404, "one cannot revoke another's key by id");

    const k3 = await makeKey('vte-admin', { label: 'until disabled' });
    await setDisabled(core, `vte-admin@${DOMAIN}`, true);
    assert.equal((await bearer(k3.key, '/api/admin/me')).status, 401);
    await setDisabled(core, `vte-admin@${DOMAIN}`, false);
    assert.equal((await bearer(k3.key, '/api/admin/me')).status, 200);

    const wrong = k3.key.slice(0, -4) + 'AAAA';
    assert.equal((await bearer(wrong, '/api/admin/me')).status, 401);
    assert.equal((await bearer('not-a-key', '/api/admin/me')).status, 401);
    const past = await call(doors.ports.https, '/api/admin/apikeys', {
      method: 'POST',
      auth: basic('boss'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'x', expiresAt: 1000 }),
    });
    assert.equal(past.status, 400);
  });

  test('an account without a role may not make a key (403, audited)', async () => {
    const r = await call(doors.ports.https, '/api/admin/apikeys', {
      method: 'POST',
      auth: basic('teacher'),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'mine' }),
    });
    assert.equal(r.status, 403);
    const rows = await listAudit(core, { action: 'apikey.create', outcome: 'denied' });
    assert.ok(rows.some((x) => x.actor === `teacher@${DOMAIN}`));
  });
});
