// The delegation matrix over HTTPS: every admin API route × five actors (a global
// administrator, the unit administrator, helpdesk and auditor of one province, and a plain
// user) × a target inside that province and one outside it. Allowed calls succeed; every other
// call is 403 problem+json AND leaves a 'denied' row naming the actor in the audit log.
// Listings are the exception the policy makes: a role that may read somewhere gets 200 with
// only what lies within its reach. Every route of src/api/routes.ts must appear here.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ROUTES } from '../../src/api/routes.ts';
import type { Core } from '../../src/core/core.ts';
import { insertAccount } from '../../src/core/accounts.ts';
import { enqueue } from '../../src/core/outbound.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { grantRole } from '../../src/core/roles.ts';
import { startHttp, type HttpDoors } from '../../src/http/server.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { DOMAIN, seedTree } from '../admin/setup.ts';
import { call, type Reply } from './client.ts';

const PASSWORD = 'correct-horse-battery';
const VTE = '/ministry/provinces/vientiane';
const LPB = '/ministry/provinces/luangprabang';

type Who = 'global' | 'unit' | 'help' | 'audit' | 'plain';
const ACTORS: Record<Who, string> = {
  global: 'boss',
  unit: 'vte-admin',
  help: 'vte-help',
  audit: 'vte-audit',
  plain: 'vte-plain',
};
const WHO = Object.keys(ACTORS) as Who[];
type Side = 'in' | 'out';

interface Req {
  method: string;
  path: string;
  body?: unknown;
  csv?: string;
}

interface Case {
  /** The route's operationId (routes.ts). */
  id: string;
  /** Who may do it inside Vientiane; outside, only the global administrator (unless `anywhere`). */
  may: Who[];
  /** The route is not about a unit (queue, domains, me…): inside and outside are the same. */
  anywhere?: boolean;
  /** A listing: allowed roles get 200 with nothing from outside their reach. */
  listing?: (r: Reply) => string[];
  make: (side: Side) => Promise<Req>;
}

forEachStore('admin API role matrix', (kind) => {
  let core: Core;
  let doors: HttpDoors;
  let close: () => Promise<void>;
  let hash: string;
  let n = 0;
  let queueId = 0;

  const unitOf = (side: Side): string => (side === 'in' ? VTE : LPB);
  /** A fresh account in a fresh unit (so a removal or move never spoils another call). */
  const fresh = async (side: Side): Promise<string> => {
    const unitPath = await freshUnit(side);
    const email = `p${++n}-${side}@${DOMAIN}`;
    await core.db
      .transaction()
      .execute((trx) => insertAccount(trx, { email, name: `Person ${n}`, unitPath }, hash));
    return email;
  };
  const freshUnit = async (side: Side): Promise<string> => {
    const path = `${unitOf(side)}/u${++n}`;
    await core.db
      .insertInto('units')
      .values({ path, name: '', parent_path: unitOf(side), created_at: 0 })
      .execute();
    return path;
  };
  const enc = encodeURIComponent;
  const unitsOf = (r: Reply): string[] =>
    (r.json() as { items: { unit: string | null }[] }).items.map((x) => x.unit ?? '(none)');

  const CASES: Case[] = [
    {
      id: 'me',
      may: WHO,
      anywhere: true,
      make: async () => ({ method: 'GET', path: '/api/admin/me' }),
    },
    {
      id: 'dashboard',
      may: ['global', 'unit', 'help', 'audit'],
      anywhere: true,
      make: async () => ({ method: 'GET', path: '/api/admin/dashboard' }),
    },
    {
      id: 'listUnits',
      may: ['global', 'unit', 'audit'],
      anywhere: true,
      listing: (r) => (r.json() as { items: { path: string }[] }).items.map((u) => u.path),
      make: async () => ({ method: 'GET', path: '/api/admin/units' }),
    },
    {
      id: 'createUnit',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'POST',
        path: '/api/admin/units',
        body: { path: `${unitOf(s)}/new${++n}` },
      }),
    },
    {
      id: 'moveUnit',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'POST',
        path: '/api/admin/units/move',
        body: { path: await freshUnit(s), parent: s === 'in' ? `${VTE}/xaythany` : LPB },
      }),
    },
    {
      id: 'removeUnit',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'DELETE',
        path: `/api/admin/units?path=${enc(await freshUnit(s))}`,
      }),
    },
    {
      id: 'importUnits',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'POST',
        path: '/api/admin/units/import',
        csv: `path,name\n${unitOf(s)}/imp${++n},ໂຮງຮຽນ\n`,
      }),
    },
    {
      id: 'listUsers',
      may: ['global', 'unit', 'help', 'audit'],
      anywhere: true,
      listing: unitsOf,
      make: async () => ({ method: 'GET', path: '/api/admin/users?limit=1000' }),
    },
    {
      id: 'createUser',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'POST',
        path: '/api/admin/users',
        body: { email: `new${++n}@${DOMAIN}`, name: 'ນ້ອຍ', unit: unitOf(s) },
      }),
    },
    {
      id: 'getUser',
      may: ['global', 'unit', 'help', 'audit'],
      make: async (s) => ({ method: 'GET', path: `/api/admin/users/${enc(await fresh(s))}` }),
    },
    {
      id: 'updateUser',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'PATCH',
        path: `/api/admin/users/${enc(await fresh(s))}`,
        body: { name: 'ຄຳຫລ້າ', quota: 1048576, disabled: true },
      }),
    },
    {
      id: 'removeUser',
      may: ['global', 'unit'],
      make: async (s) => ({ method: 'DELETE', path: `/api/admin/users/${enc(await fresh(s))}` }),
    },
    {
      id: 'moveUser',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'POST',
        path: `/api/admin/users/${enc(await fresh(s))}/move`,
        body: { unit: unitOf(s) },
      }),
    },
    {
      id: 'resetPassword',
      may: ['global', 'unit', 'help'],
      make: async (s) => ({
        method: 'POST',
        path: `/api/admin/users/${enc(await fresh(s))}/password`,
        body: {},
      }),
    },
    {
      id: 'signInState',
      may: ['global', 'unit', 'help', 'audit'],
      make: async (s) => ({
        method: 'GET',
        path: `/api/admin/users/${enc(await fresh(s))}/signin`,
      }),
    },
    {
      id: 'unlockUser',
      may: ['global', 'unit', 'help'],
      make: async (s) => ({
        method: 'POST',
        path: `/api/admin/users/${enc(await fresh(s))}/unlock`,
      }),
    },
    {
      id: 'resetTotp',
      may: ['global', 'unit', 'help'],
      make: async (s) => ({
        method: 'DELETE',
        path: `/api/admin/users/${enc(await fresh(s))}/totp`,
      }),
    },
    {
      id: 'sendWelcome',
      may: ['global', 'unit', 'help'],
      make: async (s) => ({
        method: 'POST',
        path: `/api/admin/users/${enc(await fresh(s))}/welcome`,
        body: { sendTo: 'someone@home.example' },
      }),
    },
    {
      id: 'listAliases',
      may: ['global', 'unit', 'help', 'audit'],
      make: async (s) => ({
        method: 'GET',
        path: `/api/admin/users/${enc(await fresh(s))}/aliases`,
      }),
    },
    {
      id: 'addAlias',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'POST',
        path: `/api/admin/users/${enc(await fresh(s))}/aliases`,
        body: { address: `alias${++n}@${DOMAIN}` },
      }),
    },
    {
      id: 'removeAlias',
      may: ['global', 'unit'],
      make: async (s) => {
        const email = await fresh(s);
        const address = `gone${++n}@${DOMAIN}`;
        const id = (
          await core.db
            .selectFrom('accounts')
            .select('id')
            .where('email', '=', email)
            .executeTakeFirstOrThrow()
        ).id;
        await core.db
          .insertInto('aliases')
          .values({ address, account_id: Number(id), created_at: 0 })
          .execute();
        return { method: 'DELETE', path: `/api/admin/users/${enc(email)}/aliases/${enc(address)}` };
      },
    },
    {
      id: 'exportUsers',
      may: ['global', 'unit', 'help', 'audit'],
      make: async (s) => ({
        method: 'GET',
        path: `/api/admin/export/users?unit=${enc(unitOf(s))}`,
      }),
    },
    {
      id: 'listGrants',
      may: ['global', 'unit', 'audit'],
      anywhere: true,
      listing: unitsOf,
      make: async () => ({ method: 'GET', path: '/api/admin/roles' }),
    },
    {
      id: 'grantRole',
      may: ['global', 'unit'],
      make: async (s) => ({
        method: 'POST',
        path: '/api/admin/roles',
        body: { email: await fresh(s), role: 'helpdesk', unit: unitOf(s) },
      }),
    },
    {
      id: 'revokeRole',
      may: ['global', 'unit'],
      make: async (s) => {
        const email = await fresh(s);
        await grantRole(core, email, 'auditor', unitOf(s), 'test');
        return {
          method: 'POST',
          path: '/api/admin/roles/revoke',
          body: { email, role: 'auditor', unit: unitOf(s) },
        };
      },
    },
    {
      id: 'previewImport',
      may: ['global', 'unit'],
      anywhere: true,
      make: async () => ({
        method: 'POST',
        path: '/api/admin/imports',
        csv: `email,name,unit\nimp${++n}@${DOMAIN},ສົມພອນ,${VTE}\n`,
      }),
    },
    {
      id: 'listQueue',
      may: ['global'],
      anywhere: true,
      make: async () => ({ method: 'GET', path: '/api/admin/queue' }),
    },
    {
      id: 'retryQueueAll',
      may: ['global'],
      anywhere: true,
      make: async () => ({ method: 'POST', path: '/api/admin/queue/retry' }),
    },
    {
      id: 'retryQueued',
      may: ['global'],
      anywhere: true,
      make: async () => ({ method: 'POST', path: `/api/admin/queue/${queueId}/retry` }),
    },
    {
      id: 'deleteQueued',
      may: ['global'],
      anywhere: true,
      make: async () => ({ method: 'DELETE', path: `/api/admin/queue/${await queued()}` }),
    },
    {
      id: 'trace',
      may: ['global', 'audit'],
      anywhere: true,
      make: async () => ({ method: 'GET', path: '/api/admin/trace' }),
    },
    {
      id: 'audit',
      may: ['global', 'audit'],
      anywhere: true,
      listing: unitsOf,
      make: async () => ({ method: 'GET', path: '/api/admin/audit?limit=1000' }),
    },
    {
      id: 'listDomains',
      may: ['global', 'unit', 'help', 'audit'],
      anywhere: true,
      make: async () => ({ method: 'GET', path: '/api/admin/domains' }),
    },
    {
      id: 'domainDns',
      may: ['global'],
      anywhere: true,
      make: async () => ({ method: 'GET', path: `/api/admin/domains/${DOMAIN}/dns` }),
    },
    {
      id: 'listApiKeys',
      may: ['global', 'unit', 'help', 'audit'],
      anywhere: true,
      make: async () => ({ method: 'GET', path: '/api/admin/apikeys' }),
    },
    {
      id: 'createApiKey',
      may: ['global', 'unit', 'help', 'audit'],
      anywhere: true,
      make: async () => ({
        method: 'POST',
        path: '/api/admin/apikeys',
        body: { label: `k${++n}` },
      }),
    },
  ];
  /** Routes covered elsewhere: an actor's own imports and keys, and the public welcome pair. */
  const ELSEWHERE = new Set([
    'getImport',
    'getImportProgress',
    'applyImport',
    'importResult',
    'forgetImport',
    'revokeApiKey',
    'welcomeInfo',
    'welcomeRedeem',
  ]);

  async function queued(): Promise<number> {
    return enqueue(core, {
      sender: `boss@${DOMAIN}`,
      recipients: [{ address: 'someone@far.example' }],
      raw: Buffer.from('Subject: hi\r\n\r\nhello\r\n'),
    });
  }

  const send = (who: Who, r: Req): Promise<Reply> =>
    call(doors.ports.https, r.path, {
      method: r.method,
      auth: { user: `${ACTORS[who]}@${DOMAIN}`, pass: PASSWORD },
      ...(r.csv !== undefined
        ? { headers: { 'content-type': 'text/csv' }, body: r.csv }
        : r.body !== undefined
          ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(r.body) }
          : {}),
    });

  const denials = async (who: Who): Promise<number> =>
    Number(
      (
        await core.db
          .selectFrom('audit_log')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('actor', '=', `${ACTORS[who]}@${DOMAIN}`)
          .where('outcome', '=', 'denied')
          .executeTakeFirstOrThrow()
      ).n,
    );

  before(async () => {
    const h = await makeCore(kind);
    core = h.core;
    await seedTree(core);
    hash = await hashPassword(PASSWORD);
    await core.db.transaction().execute(async (trx) => {
      for (const who of WHO)
        await insertAccount(
          trx,
          {
            email: `${ACTORS[who]}@${DOMAIN}`,
            unitPath: who === 'global' ? '/' : VTE,
            isAdmin: who === 'global',
          },
          hash,
        );
      await insertAccount(trx, { email: `far@${DOMAIN}`, unitPath: LPB }, hash);
    });
    await grantRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VTE, 'test');
    await grantRole(core, `vte-help@${DOMAIN}`, 'helpdesk', VTE, 'test');
    await grantRole(core, `vte-audit@${DOMAIN}`, 'auditor', VTE, 'test');
    await grantRole(core, `far@${DOMAIN}`, 'helpdesk', LPB, 'test');
    queueId = await queued();
    doors = await startHttp(core, await testCert());
    close = async () => {
      await doors.close();
      await h.close();
    };
  });
  after(() => close());

  test('every route of the API is in the matrix', () => {
    const covered = new Set([...CASES.map((c) => c.id), ...ELSEWHERE]);
    assert.deepEqual(
      ROUTES.map((r) => r.id).filter((id) => !covered.has(id)),
      [],
    );
  });

  for (const c of CASES)
    test(`${c.id}: allowed where the role reaches, else 403 and an audit row`, async () => {
      for (const who of WHO)
        for (const side of c.anywhere ? (['in'] as const) : (['in', 'out'] as const)) {
          const allowed = c.may.includes(who) && (side === 'in' || who === 'global');
          const before = await denials(who);
          const req = await c.make(side);
          const r = await send(who, req);
          const what = `${who} ${req.method} ${req.path} (${side}): ${r.status} ${r.body.toString().slice(0, 300)}`;
          if (allowed) {
            assert.ok(r.status >= 200 && r.status < 300, what);
            if (c.listing && who !== 'global')
              for (const item of c.listing(r))
                assert.ok(
                  item === VTE || item.startsWith(`${VTE}/`),
                  `${what}: ${item} lies outside the reach`,
                );
          } else {
            assert.equal(r.status, 403, what);
            assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
            assert.equal(await denials(who), before + 1, `${what}: one denied audit row`);
          }
        }
    });
});
