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
import { ROUTES } from '../../src/api/routes.ts';
import { recordFailure } from '../../src/core/lockout.ts';
import { beginTotp, confirmTotp, totpEnabled } from '../../src/core/totp.ts';
import { base32Decode, totp } from '../../src/mail/totp.ts';
import { ingest } from '../../src/core/deliver.ts';
import { startDns, type FakeDns } from '../helpers/dns.ts';

const PASSWORD = 'correct-horse-battery';
const VIENTIANE = '/ministry/provinces/vientiane';

forEachStore('admin API', (kind) => {
  let core: Core;
  let doors: HttpDoors;
  let close: () => Promise<void>;
  let dns: FakeDns;

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
    dns = await startDns({ 'moe.test': { MX: [{ exchange: 'mail.test', priority: 10 }] } });
    const h = await makeCore(kind, { dns: { servers: [dns.server] } });
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
      await dns.close();
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

  test('the OpenAPI document lists every route, and every schema it names exists', async () => {
    const doc = (await get(null, '/api/admin/openapi.json')).json() as {
      paths: Record<string, Record<string, { operationId: string; responses: object }>>;
      components: { schemas: Record<string, unknown> };
    };
    for (const r of ROUTES) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      assert.equal(op?.operationId, r.id, `${r.method} ${r.path} documented`);
    }
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of new Set(refs))
      assert.ok(doc.components.schemas[ref.split('/').pop()!], `${ref} resolves`);
    // A route not in the document is not served.
    assert.equal((await get('boss', '/api/admin/nothing-here')).status, 404);
    const wrong = await call(doors.ports.https, '/api/admin/units', {
      method: 'PUT',
      auth: as('boss'),
    });
    assert.equal(wrong.status, 405);
    assert.match(String(wrong.headers.allow), /GET/);
  });

  test("a domain's DNS records, checked against the live DNS", async () => {
    const plain = (await get('boss', `/api/admin/domains/${DOMAIN}/dns`)).json() as {
      checked: boolean;
      records: { type: string; value: string }[];
    };
    assert.equal(plain.checked, false);
    assert.ok(plain.records.some((r) => r.type === 'MX' && r.value === '10 mail.test.'));
    const live = (await get('boss', `/api/admin/domains/${DOMAIN}/dns?check=true`)).json() as {
      checked: boolean;
      records: { type: string; name: string; status: string }[];
    };
    assert.equal(live.checked, true);
    assert.equal(live.records.find((r) => r.type === 'MX')?.status, 'ok');
    assert.equal(live.records.find((r) => r.name.includes('_domainkey'))?.status, 'missing');
    assert.equal((await get('boss', '/api/admin/domains/nowhere.example/dns')).status, 404);
    const domains = (await get('vte-admin', '/api/admin/domains')).json() as { name: string }[];
    assert.deepEqual(
      domains.map((d) => d.name),
      [DOMAIN],
    );
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
  test('an account: details, edit, aliases, move (mail stays), unlock, two-step reset, remove', async () => {
    const send = (method: string, path: string, body?: unknown): Promise<Reply> =>
      call(doors.ports.https, path, {
        method,
        auth: as('vte-admin'),
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });
    const email = `ajarn@${DOMAIN}`;
    await core.db
      .transaction()
      .execute((trx) =>
        insertAccount(trx, { email, unitPath: `${VIENTIANE}/xaythany` }, '$argon2id$none'),
      );
    const u = `/api/admin/users/${encodeURIComponent(email)}`;
    const a = (await getAccount(core, email))!;
    await ingest(core, Buffer.from('Subject: ສະບາຍດີ\r\n\r\nhello\r\n'), [{ accountId: a.id }]);

    const patched = await send('PATCH', u, { name: 'ຄູ ສົມພອນ', quota: 2 ** 30, disabled: true });
    assert.equal(patched.status, 200, patched.body.toString());
    assert.deepEqual(patched.json(), {
      email,
      name: 'ຄູ ສົມພອນ',
      unit: `${VIENTIANE}/xaythany`,
      quota: 2 ** 30,
      disabled: true,
    });
    const empty = await send('PATCH', u, {});
    assert.equal(empty.status, 400);
    assert.equal((await send('PATCH', u, { disabled: false })).status, 200);

    assert.equal((await send('POST', `${u}/aliases`, { address: `khru@${DOMAIN}` })).status, 201);
    assert.equal((await send('POST', `${u}/aliases`, { address: `khru@${DOMAIN}` })).status, 409);
    const moved = await send('POST', `${u}/move`, { unit: `${VIENTIANE}/sikhottabong` });
    assert.equal((moved.json() as { unit: string }).unit, `${VIENTIANE}/sikhottabong`);
    const detail = (await send('GET', u)).json() as {
      aliases: string[];
      usedBytes: number;
      unit: string;
      signIn: { locked: boolean; totp: boolean };
    };
    assert.deepEqual(detail.aliases, [`khru@${DOMAIN}`]);
    assert.ok(detail.usedBytes > 0, 'the mail moved with the account');
    const mail = await core.db
      .selectFrom('emails')
      .select('subject')
      .where('account_id', '=', a.id)
      .execute();
    assert.deepEqual(
      mail.map((m) => m.subject),
      ['ສະບາຍດີ'],
    );
    assert.equal(
      (await send('DELETE', `${u}/aliases/${encodeURIComponent(`khru@${DOMAIN}`)}`)).status,
      204,
    );
    assert.equal((await send('GET', `${u}/aliases`)).body.toString(), '[]');

    // Locked out after failed sign-ins; helpdesk unlocks.
    for (let i = 0; i < core.config.security.lockoutThreshold; i++)
      await recordFailure(core, a.id, Date.now());
    assert.equal(((await send('GET', `${u}/signin`)).json() as { locked: boolean }).locked, true);
    const unlocked = await call(doors.ports.https, `${u}/unlock`, {
      method: 'POST',
      auth: as('vte-help'),
    });
    assert.equal(unlocked.status, 200);
    assert.equal((unlocked.json() as { locked: boolean }).locked, false);

    // Two-step sign-in on; the helpdesk turns it off for a lost phone.
    const { secret } = await beginTotp(core, a.id);
    await confirmTotp(core, a.id, totp(base32Decode(secret)!, Date.now()));
    assert.equal(((await send('GET', `${u}/signin`)).json() as { totp: boolean }).totp, true);
    const off = await call(doors.ports.https, `${u}/totp`, {
      method: 'DELETE',
      auth: as('vte-help'),
    });
    assert.equal((off.json() as { totp: boolean }).totp, false);
    assert.equal(await totpEnabled(core, a.id), false);

    // A generated reset is returned once and must be changed.
    const reset = await send('POST', `${u}/password`, {});
    assert.ok((reset.json() as { password?: string }).password);
    assert.equal((await getAccount(core, email))?.must_change_password, 1);

    // The audit log holds each change, filterable by actor, unit and outcome, a page at a time.
    const q = new URLSearchParams({
      actor: `vte-admin@${DOMAIN}`,
      unit: VIENTIANE,
      outcome: 'ok',
      limit: '2',
    });
    const page = (await get('boss', `/api/admin/audit?${q}`)).json() as {
      items: { action: string }[];
      total: number;
      limit: number;
    };
    assert.equal(page.items.length, 2);
    assert.ok(page.total >= 8, `total ${page.total}`);
    const next = (await get('boss', `/api/admin/audit?${q}&offset=2`)).json() as {
      items: { action: string }[];
    };
    assert.notDeepEqual(next.items, page.items);

    assert.equal((await send('DELETE', u)).status, 204);
    assert.equal(await getAccount(core, email), undefined);
    assert.equal((await get('boss', u)).status, 404);
    assert.equal(
      (await send('DELETE', `/api/admin/users/${encodeURIComponent(`vte-admin@${DOMAIN}`)}`))
        .status,
      400,
    );
  });

  test('a unit administrator delegates within the subtree only', async () => {
    const grant = (body: unknown): Promise<Reply> => post('vte-admin', '/api/admin/roles', body);
    const ok = await grant({
      email: `teacher@${DOMAIN}`,
      role: 'helpdesk',
      unit: `${VIENTIANE}/xaythany`,
    });
    assert.equal(ok.status, 201, ok.body.toString());
    assert.equal((ok.json() as { grantedBy: string }).grantedBy, `vte-admin@${DOMAIN}`);
    for (const body of [
      { email: `teacher@${DOMAIN}`, role: 'global_admin', unit: '/' },
      { email: `teacher@${DOMAIN}`, role: 'auditor', unit: '/ministry/provinces/luangprabang' },
      { email: `lpb-teacher@${DOMAIN}`, role: 'helpdesk', unit: VIENTIANE },
    ])
      assert.equal((await grant(body)).status, 403, JSON.stringify(body));
    const roles = (await get('vte-admin', '/api/admin/roles')).json() as {
      items: { email: string; role: string; unit: string }[];
      total: number;
    };
    assert.ok(roles.items.every((g) => g.unit.startsWith(VIENTIANE)));
    assert.ok(roles.items.some((g) => g.email === `teacher@${DOMAIN}` && g.role === 'helpdesk'));
    const revoked = await post('vte-admin', '/api/admin/roles/revoke', {
      email: `teacher@${DOMAIN}`,
      role: 'helpdesk',
      unit: `${VIENTIANE}/xaythany`,
    });
    assert.equal(revoked.status, 204);
    const after = (await get('vte-admin', '/api/admin/roles')).json() as {
      items: { email: string }[];
    };
    assert.ok(!after.items.some((g) => g.email === `teacher@${DOMAIN}`));
    // An account without roles: /me answers, with no reach anywhere.
    const me = (await get('lpb-teacher', '/api/admin/me')).json() as {
      roles: unknown[];
      reach: Record<string, unknown>;
    };
    assert.deepEqual(me.roles, []);
    assert.deepEqual(me.reach['account.read'], []);
  });
});
