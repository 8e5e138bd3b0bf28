// The admin API's refusals as codes, over real HTTPS: every problem answered (403 outside a
// unit administrator's reach, 400 naming fields, 404, 409, a CSV in another encoding, a
// bulk import's refused rows) carries a stable `code` from the one list (util/problems.ts)
// and the `params` a translation needs, beside the English `detail` API users read; and the
// OpenAPI document lists every code with its params.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Core } from '../../src/core/core.ts';
import { insertAccount } from '../../src/core/accounts.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { grantRole } from '../../src/core/roles.ts';
import { startHttp, type HttpDoors } from '../../src/http/server.ts';
import { PROBLEM_CODES, PROBLEMS, type ProblemCode } from '../../src/util/problems.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { DOMAIN, seedTree } from '../admin/setup.ts';
import { call, type Reply } from './client.ts';

const PASSWORD = 'correct-horse-battery';
const VTE = '/ministry/provinces/vientiane';
const LPB = '/ministry/provinces/luangprabang';

interface Coded {
  code: string;
  params: Record<string, string | number>;
  message: string;
}
interface ProblemBody {
  status: number;
  detail: string;
  code: string;
  params: Record<string, string | number>;
  errors?: (Coded & { field: string })[];
}

/** A problem body whose code is one of the list, and whose English the list would write. */
function coded(r: Reply, status: number): ProblemBody {
  assert.equal(r.status, status, r.body.toString());
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  const p = r.json() as ProblemBody;
  assert.ok((PROBLEM_CODES as string[]).includes(p.code), `unknown code ${p.code}`);
  assert.equal(typeof p.params, 'object');
  for (const e of p.errors ?? []) {
    assert.ok((PROBLEM_CODES as string[]).includes(e.code), `unknown code ${e.code}`);
    const en = PROBLEMS[e.code as ProblemCode].en as (x: typeof e.params) => string;
    assert.equal(e.message, en(e.params), `${e.code}: the English follows from the params`);
  }
  return p;
}

forEachStore('admin API problems as codes', (kind) => {
  let core: Core;
  let doors: HttpDoors;
  let close: () => Promise<void>;

  const as = (local: string) => ({ user: `${local}@${DOMAIN}`, pass: PASSWORD });
  const send = (local: string, method: string, path: string, body?: unknown): Promise<Reply> =>
    call(doors.ports.https, path, {
      method,
      auth: as(local),
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  const upload = (local: string, csv: string | Buffer): Promise<Reply> =>
    call(doors.ports.https, '/api/admin/imports', {
      method: 'POST',
      auth: as(local),
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });

  before(async () => {
    const h = await makeCore(kind);
    core = h.core;
    await seedTree(core);
    const hash = await hashPassword(PASSWORD);
    await core.db.transaction().execute(async (trx) => {
      await insertAccount(trx, { email: `boss@${DOMAIN}`, unitPath: '/', isAdmin: true }, hash);
      await insertAccount(trx, { email: `vte-admin@${DOMAIN}`, unitPath: VTE }, hash);
      await insertAccount(trx, { email: `lpb-teacher@${DOMAIN}`, unitPath: LPB }, hash);
    });
    await grantRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VTE, 'test');
    doors = await startHttp(core, await testCert());
    close = async () => {
      await doors.close();
      await h.close();
    };
  });
  after(() => close());

  test('a refusal outside the reach names the unit and the reach', async () => {
    const r = await send('vte-admin', 'POST', '/api/admin/users', {
      email: `far@${DOMAIN}`,
      name: 'Far',
      unit: LPB,
    });
    const p = coded(r, 403);
    assert.equal(p.code, 'unitOutsideUnits');
    assert.deepEqual(p.params, { unit: LPB, reach: VTE });
    assert.equal(p.detail, `forbidden: ${LPB} is outside your units (${VTE})`);
    const move = coded(
      await send('vte-admin', 'POST', '/api/admin/units/move', {
        path: `${VTE}/xaythany`,
        parent: LPB,
      }),
      403,
    );
    assert.equal(move.code, 'unitsOutsideUnits');
    assert.equal(move.params.units, `${VTE}/xaythany and ${LPB}`);
    const queue = coded(await send('vte-admin', 'GET', '/api/admin/queue'), 403);
    assert.deepEqual([queue.code, queue.params], ['notAllowed', { action: 'queue.manage' }]);
  });

  test('invalid fields each carry a code and params', async () => {
    const r = await send('boss', 'POST', '/api/admin/users', {
      email: 'not-an-address',
      name: 'x'.repeat(201),
      unit: VTE,
      quota: -5,
      colour: 'red',
    });
    const p = coded(r, 400);
    assert.equal(p.code, 'invalidFields');
    const by = new Map(p.errors!.map((e) => [e.field, e]));
    assert.equal(by.get('email')?.code, 'fieldNotAddress');
    assert.deepEqual(
      [by.get('name')?.code, by.get('name')?.params],
      ['fieldTooLong', { max: 200 }],
    );
    assert.deepEqual(
      [by.get('quota')?.code, by.get('quota')?.params],
      ['fieldTooSmall', { min: 0 }],
    );
    assert.deepEqual(
      [by.get('(body)')?.code, by.get('(body)')?.params],
      ['fieldUnknown', { keys: 'colour' }],
    );
    const missing = coded(await send('boss', 'POST', '/api/admin/units', { name: 'no path' }), 400);
    assert.deepEqual(
      missing.errors!.map((e) => [e.field, e.code]),
      [['path', 'fieldRequired']],
    );
    const nothing = coded(
      await send('boss', 'PATCH', `/api/admin/users/lpb-teacher@${DOMAIN}`, {}),
      400,
    );
    assert.equal(nothing.errors![0]?.code, 'updateNothing');
    const since = coded(await send('boss', 'GET', '/api/admin/audit?since=yesterday'), 400);
    assert.deepEqual(
      since.errors!.map((e) => [e.field, e.code]),
      [['since', 'fieldNotTime']],
    );
    const weak = coded(
      await send('boss', 'POST', `/api/admin/users/lpb-teacher@${DOMAIN}/password`, {
        password: 'short',
      }),
      400,
    );
    assert.deepEqual([weak.code, weak.params], ['passwordTooShort', { min: 10 }]);
    assert.deepEqual(
      weak.errors!.map((e) => [e.field, e.code]),
      [['password', 'passwordTooShort']],
    );
  });

  test('core refusals: a bad unit path, a missing account, a unit that exists, a unit in use', async () => {
    const bad = coded(await send('boss', 'POST', '/api/admin/units', { path: '/ແຂວງ' }), 400);
    assert.deepEqual([bad.code, bad.params], ['unitPathInvalid', { path: '/ແຂວງ' }]);
    const none = coded(await send('boss', 'GET', `/api/admin/users/nobody@${DOMAIN}`), 404);
    assert.deepEqual([none.code, none.params], ['accountNotFound', { email: `nobody@${DOMAIN}` }]);
    const exists = coded(await send('boss', 'POST', '/api/admin/units', { path: LPB }), 409);
    assert.deepEqual([exists.code, exists.params], ['unitExists', { unit: LPB }]);
    const inUse = coded(
      await send('boss', 'DELETE', `/api/admin/units?path=${encodeURIComponent(LPB)}`),
      409,
    );
    assert.deepEqual([inUse.code, inUse.params], ['unitHasAccounts', { unit: LPB, n: 1 }]);
    assert.equal(inUse.detail, `unit ${LPB} still has 1 account(s); move them first`);
    const self = coded(await send('boss', 'DELETE', `/api/admin/users/boss@${DOMAIN}`), 400);
    assert.equal(self.code, 'cannotRemoveSelf');
    const route = coded(await send('boss', 'GET', '/api/admin/nothing-here'), 404);
    assert.deepEqual(
      [route.code, route.params],
      ['routeNotFound', { method: 'GET', path: '/api/admin/nothing-here' }],
    );
    const noImport = coded(await send('boss', 'GET', '/api/admin/imports/abc/progress'), 404);
    assert.deepEqual([noImport.code, noImport.params], ['importNotFound', { id: 'abc' }]);
  });

  test('a CSV in another encoding, a bad header, and refused rows come as codes', async () => {
    const latin1 = Buffer.from(`email,name,unit\nrene@${DOMAIN},Ren\xe9,${VTE}\n`, 'latin1');
    const enc = coded(await upload('vte-admin', latin1), 400);
    assert.deepEqual([enc.code, enc.params], ['fileNotUtf8', { what: 'the file', line: 2 }]);
    const header = coded(
      await upload('vte-admin', `email,unit,colour\na@${DOMAIN},${VTE},red\n`),
      400,
    );
    assert.deepEqual(
      [header.code, header.params],
      ['csvColumnsWrong', { line: 1, missing: 'name', unknown: 'colour' }],
    );

    const csv = [
      'email,name,unit,quota,password',
      `ok@${DOMAIN},ສົມພອນ,${VTE},1G,`,
      `far@${DOMAIN},ບຸນມີ,${LPB},,`,
      `ok@${DOMAIN},ຊ້ຳ,${VTE},,`,
      `weak@${DOMAIN},ອ່ອນ,${VTE},lots,12345`,
      `lpb-teacher@${DOMAIN},ມີແລ້ວ,${VTE},,`,
      `x@nowhere.example,,/ແຂວງ,,`,
    ].join('\n');
    const r = await upload('vte-admin', csv);
    assert.equal(r.status, 201, r.body.toString());
    const job = r.json() as {
      rows: { line: number; status: string; errors: string[]; problems: Coded[] }[];
    };
    const rows = new Map(job.rows.map((x) => [x.line, x]));
    const codes = (line: number) => rows.get(line)!.problems.map((p) => [p.code, p.params]);
    assert.deepEqual(codes(2), []);
    assert.deepEqual(codes(3), [['unitOutsideReach', { unit: LPB }]]);
    assert.deepEqual(codes(4), [['duplicateAddress', { address: `ok@${DOMAIN}`, line: 2 }]]);
    assert.deepEqual(codes(5), [
      ['quotaInvalid', { quota: 'lots' }],
      ['passwordTooShort', { min: 10 }],
    ]);
    assert.deepEqual(codes(6), [
      ['addressInUseByAccount', { address: `lpb-teacher@${DOMAIN}`, unit: LPB }],
    ]);
    assert.deepEqual(codes(7), [
      ['domainNotServed', { domain: 'nowhere.example' }],
      ['nameEmpty', {}],
      ['unitPathInvalid', { path: '/ແຂວງ' }],
    ]);
    // The English stays beside the codes, one sentence per problem, as the CLI prints them.
    for (const row of job.rows) {
      assert.deepEqual(
        row.errors,
        row.problems.map((p) => p.message),
      );
      assert.equal(row.status, row.problems.length ? 'error' : 'create');
    }
    assert.equal(
      rows.get(5)!.errors[1],
      'weak password: password must be at least 10 characters long',
    );
  });

  test('the OpenAPI document lists every code with its params', async () => {
    const doc = (await call(doors.ports.https, '/api/admin/openapi.json')).json() as {
      components: {
        schemas: Record<string, { enum?: string[]; 'x-params'?: Record<string, string[]> }>;
      };
    };
    const codes = doc.components.schemas.ProblemCode!;
    assert.deepEqual(codes.enum, PROBLEM_CODES);
    assert.deepEqual(codes['x-params']?.unitOutsideReach, ['unit']);
    assert.deepEqual(Object.keys(codes['x-params'] ?? {}), PROBLEM_CODES);
  });
});
