// The admin API over real HTTPS with Basic credentials: the OpenAPI document, units and users
// created by a global administrator, a unit administrator confined to its subtree (refusals
// audited), a helpdesk that may reset passwords but not create accounts, field-naming 400s
// and 401 without credentials.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from '../../src/core/core.ts';
import { getAccount, insertAccount } from '../../src/core/accounts.ts';
import { listAudit } from '../../src/core/audit.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { grantRole } from '../../src/core/roles.ts';
import { startHttp, type HttpDoors } from '../../src/http/server.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { DOMAIN, seedTree } from '../admin/setup.ts';
import { call, type Reply } from './client.ts';

const PASSWORD = 'correct-horse-battery';
const VIENTIANE = '/ministry/provinces/vientiane';

forEachStore('admin API', (kind) => {
  let core: Core;
  let doors: HttpDoors;
  let close: () => Promise<void>;

  const as = (local: string) => ({ user: `${local}@${DOMAIN}`, pass: PASSWORD });
  const get = (local: string | null, path: string): Promise<Reply> =>
    call(doors.ports.https, path, local ? { auth: as(local) } : {});
  const post = (local: string, path: string, body: unknown): Promise<Reply> =>
    call(doors.ports.https, path, {
      method: 'POST',
      auth: as(local),
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  before(async () => {
    const h = await makeCore(kind);
    core = h.core;
    await seedTree(core);
    // One Argon2id hash for every account: these tests are about roles, not hashing.
    const hash = await hashPassword(PASSWORD);
    const people: [string, string, boolean][] = [
      ['boss', '/', true],
      ['vte-admin', VIENTIANE, false],
      ['vte-help', VIENTIANE, false],
      ['teacher', `${VIENTIANE}/xaythany`, false],
      ['lpb-teacher', '/ministry/provinces/luangprabang', false],
    ];
    await core.db.transaction().execute(async (trx) => {
      for (const [local, unitPath, isAdmin] of people)
        await insertAccount(trx, { email: `${local}@${DOMAIN}`, unitPath, isAdmin }, hash);
    });
    await grantRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VIENTIANE, 'test');
    await grantRole(core, `vte-help@${DOMAIN}`, 'helpdesk', VIENTIANE, 'test');
    doors = await startHttp(core, await testCert());
    close = async () => {
      await doors.close();
      await h.close();
    };
  });
  after(() => close());

  test('openapi.json is an OpenAPI 3.1 document with the paths and schemas', async () => {
    const r = await get(null, '/api/admin/openapi.json');
    assert.equal(r.status, 200);
    const doc = r.json() as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    assert.match(doc.openapi, /^3\.1\./);
    for (const p of ['/api/admin/units', '/api/admin/users', '/api/admin/audit'])
      assert.ok(doc.paths[p]?.get, `GET ${p} documented`);
    assert.ok(doc.paths['/api/admin/users/{email}/password']?.post);
    for (const s of ['Unit', 'NewUnit', 'User', 'NewUser', 'AuditEntry', 'Error'])
      assert.ok(doc.components.schemas[s], `schema ${s}`);
    assert.deepEqual(Object.keys(doc.components.schemas.User!.properties ?? {}).sort(), [
      'disabled',
      'email',
      'name',
      'quota',
      'unit',
    ]);
  });

  test('no credentials: 401 with a Basic challenge', async () => {
    const r = await get(null, '/api/admin/users');
    assert.equal(r.status, 401);
    assert.match(String(r.headers['www-authenticate']), /^Basic /);
  });

  test('a global administrator creates a unit and a user in it', async () => {
    const u = await post('boss', '/api/admin/units', {
      path: '/ministry/provinces/savannakhet',
      name: 'ແຂວງສະຫວັນນະເຂດ',
    });
    assert.equal(u.status, 201, u.body.toString());
    assert.deepEqual(u.json(), { path: '/ministry/provinces/savannakhet', name: 'ແຂວງສະຫວັນນະເຂດ' });
    const units = (await get('boss', '/api/admin/units')).json() as { items: { path: string }[] };
    assert.ok(units.items.some((x) => x.path === '/ministry/provinces/savannakhet'));

    const r = await post('boss', '/api/admin/users', {
      email: `khamla@${DOMAIN}`,
      name: 'Khamla',
      unit: '/ministry/provinces/savannakhet',
      quota: 1048576,
    });
    assert.equal(r.status, 201, r.body.toString());
    const created = r.json() as { email: string; unit: string; quota: number; password?: string };
    assert.equal(created.email, `khamla@${DOMAIN}`);
    assert.equal(created.unit, '/ministry/provinces/savannakhet');
    assert.equal(created.quota, 1048576);
    assert.ok(created.password && created.password.length >= 12, 'a generated password');
    const a = await getAccount(core, `khamla@${DOMAIN}`);
    assert.equal(a?.must_change_password, 1);

    const dup = await post('boss', '/api/admin/units', { path: '/ministry/provinces/savannakhet' });
    assert.equal(dup.status, 409);
  });

  test('a unit administrator creates inside its subtree and is refused outside', async () => {
    const ok = await post('vte-admin', '/api/admin/users', {
      email: `noy@${DOMAIN}`,
      name: 'Noy',
      unit: `${VIENTIANE}/sikhottabong`,
      password: 'a-long-enough-passphrase',
    });
    assert.equal(ok.status, 201, ok.body.toString());
    assert.equal((ok.json() as { password?: string }).password, undefined);

    const no = await post('vte-admin', '/api/admin/users', {
      email: `outsider@${DOMAIN}`,
      name: 'Outsider',
      unit: '/ministry/provinces/luangprabang',
      password: 'a-long-enough-passphrase',
    });
    assert.equal(no.status, 403);
    assert.match(String(no.headers['content-type']), /^application\/problem\+json/);
    assert.equal(await getAccount(core, `outsider@${DOMAIN}`), undefined);
    const denied = await listAudit(core, { action: 'account.create', outcome: 'denied' });
    assert.ok(denied.some((row) => row.actor === `vte-admin@${DOMAIN}`));
    const okRows = await listAudit(core, { action: 'account.create', outcome: 'ok' });
    assert.ok(okRows.some((row) => row.target === `noy@${DOMAIN}`));

    // Listings are cut to the reach: Vientiane's accounts, not Luang Prabang's.
    const list = (await get('vte-admin', '/api/admin/users')).json() as {
      items: { email: string }[];
    };
    const emails = list.items.map((x) => x.email);
    assert.ok(emails.includes(`teacher@${DOMAIN}`));
    assert.ok(!emails.includes(`lpb-teacher@${DOMAIN}`));
    const sub = (await get('vte-admin', `/api/admin/users?unit=${VIENTIANE}/xaythany`)).json();
    assert.deepEqual(
      (sub as { items: { email: string }[] }).items.map((x) => x.email),
      [`teacher@${DOMAIN}`],
    );
  });

  test('helpdesk resets a password in reach, and cannot create accounts', async () => {
    const r = await post('vte-help', `/api/admin/users/teacher@${DOMAIN}/password`, {
      password: 'a-brand-new-passphrase',
      temporary: true,
    });
    assert.equal(r.status, 200, r.body.toString());
    assert.equal((r.json() as { email: string }).email, `teacher@${DOMAIN}`);
    assert.equal((await getAccount(core, `teacher@${DOMAIN}`))?.must_change_password, 1);

    const far = await post('vte-help', `/api/admin/users/lpb-teacher@${DOMAIN}/password`, {
      password: 'a-brand-new-passphrase',
    });
    assert.equal(far.status, 403);

    const c = await post('vte-help', '/api/admin/users', {
      email: `new@${DOMAIN}`,
      name: 'New',
      unit: VIENTIANE,
      password: 'a-long-enough-passphrase',
    });
    assert.equal(c.status, 403);
    assert.equal(await getAccount(core, `new@${DOMAIN}`), undefined);
  });

  test('a bad body is 400 naming the field', async () => {
    const r = await post('boss', '/api/admin/users', {
      email: `bad@${DOMAIN}`,
      name: 'Bad',
      unit: VIENTIANE,
      quota: -5,
    });
    assert.equal(r.status, 400);
    const p = r.json() as { errors: { field: string; message: string }[] };
    assert.deepEqual(
      p.errors.map((e) => e.field),
      ['quota'],
    );
    const missing = await post('boss', '/api/admin/units', { name: 'no path' });
    assert.equal(missing.status, 400);
    assert.ok(
      (missing.json() as { errors: { field: string }[] }).errors.some((e) => e.field === 'path'),
    );
  });

  test('the audit log: filtered by action and time, refused to helpdesk', async () => {
    const r = await get('boss', '/api/admin/audit?action=account.create&since=0');
    assert.equal(r.status, 200);
    const rows = (r.json() as { items: { action: string; outcome: string; unit: string | null }[] })
      .items;
    assert.ok(rows.length >= 2);
    assert.ok(rows.every((row) => row.action === 'account.create'));
    assert.ok(rows.some((row) => row.outcome === 'denied'));
    const future = await get('boss', `/api/admin/audit?since=${Date.now() + 3_600_000}`);
    assert.deepEqual((future.json() as { items: unknown[] }).items, []);
    assert.equal((await get('vte-help', '/api/admin/audit')).status, 403);
    assert.equal((await get('boss', '/api/admin/audit?since=yesterday')).status, 400);
  });
});
