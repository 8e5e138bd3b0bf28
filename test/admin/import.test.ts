// The bulk importer on hostile input: wrong encoding, missing columns, quoted fields with
// commas and line breaks, 10,000 rows with bad ones among them (checked, nothing written), a
// real import in which the good rows land, the bad are reported by line and a row that fails
// half-way leaves nothing behind, and a re-run that reports "already imported".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import type { Core } from '../../src/core/core.ts';
import { authenticate, getAccount } from '../../src/core/accounts.ts';
import { CLI_ACTOR, listAudit } from '../../src/core/audit.ts';
import { grantRole } from '../../src/core/roles.ts';
import { verifySignIn } from '../../src/core/signin.ts';
import { listUnits } from '../../src/core/units.ts';
import { applyImport, planImport, summarize } from '../../src/core/userimport.ts';
import { DOMAIN, quickAccount, seedTree } from './setup.ts';

const VTE = '/ministry/provinces/vientiane';
const PW = 'correct horse battery';
const LAO = ['ສົມພອນ', 'ບຸນມີ', 'ຄຳຫລ້າ', 'ນ້ອຍ', 'ແສງເດືອນ', 'ພອນສະຫວັນ'];

const countAccounts = async (core: Core): Promise<number> =>
  Number(
    (
      await core.db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

forEachStore('user import', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  before(async () => {
    ({ core, close } = await makeCore(kind));
    await seedTree(core);
    await quickAccount(core, 'taken', VTE);
  });
  after(() => close());

  test('Latin-1 bytes are refused before anything is read', async () => {
    const bytes = Buffer.from(`email,name,unit\nrene@${DOMAIN},Ren\xe9,${VTE}\n`, 'latin1');
    await assert.rejects(
      planImport(core, CLI_ACTOR, bytes, { unknownUnits: 'refuse' }),
      /not UTF-8 text \(line 2/,
    );
  });

  test('missing or unknown columns are named', async () => {
    await assert.rejects(
      planImport(core, CLI_ACTOR, Buffer.from(`email,unit\na@${DOMAIN},/\n`), {
        unknownUnits: 'refuse',
      }),
      /line 1: .*missing: name/,
    );
    await assert.rejects(
      planImport(core, CLI_ACTOR, Buffer.from(`emial,name,unit\n`), { unknownUnits: 'refuse' }),
      /missing: email; unknown: emial/,
    );
    await assert.rejects(
      planImport(core, CLI_ACTOR, Buffer.from(''), { unknownUnits: 'refuse' }),
      /empty/,
    );
  });

  test('quoted names with commas and line breaks; later rows keep their line numbers', async () => {
    const csv = [
      'EMAIL,Name,Unit,Aliases',
      `"one@${DOMAIN}","ພົມມະຈັນ, ສົມໃຈ",${VTE},"a1@${DOMAIN}; a2@${DOMAIN}"`,
      `two@${DOMAIN},"two\nlines ""quoted""",${VTE},`,
      `bad-address,x,${VTE},`,
    ].join('\r\n');
    const plan = await planImport(core, CLI_ACTOR, Buffer.from(`\ufeff${csv}`), {
      unknownUnits: 'refuse',
    });
    assert.deepEqual(
      plan.results.map((r) => [r.line, r.status]),
      [
        [2, 'create'],
        [3, 'create'],
        [5, 'error'],
      ],
    );
    assert.equal(plan.toCreate[0]!.name, 'ພົມມະຈັນ, ສົມໃຈ');
    assert.deepEqual(plan.toCreate[0]!.aliases, [`a1@${DOMAIN}`, `a2@${DOMAIN}`]);
    assert.equal(plan.toCreate[1]!.name, 'two\nlines "quoted"');
  });

  test('10,000 rows with bad ones: each problem reported on its line, nothing written', async () => {
    const bad = new Map<number, [string, RegExp]>([
      [17, [`no-at-sign,ນ້ອຍ,${VTE},,`, /bad email address/]],
      [250, [`dup5@${DOMAIN},ນ້ອຍ,${VTE},,`, /duplicate address dup5@moe\.test \(also on line 7\)/]],
      [1001, [`u1001@${DOMAIN},ນ້ອຍ,/ministry/nowhere,,`, /unknown unit \/ministry\/nowhere/]],
      [2002, [`u2002@${DOMAIN},ນ້ອຍ,${VTE},lots,`, /quota "lots" is not a size/]],
      [3003, [`u3003@${DOMAIN},ນ້ອຍ,${VTE},,short`, /weak password/]],
      [4004, [`u4004@elsewhere.test,ນ້ອຍ,${VTE},,`, /domain elsewhere\.test is not served here/]],
      [5005, [`taken@${DOMAIN},ນ້ອຍ,${VTE}/xaythany,,`, /already in use \(an account in unit/]],
      [6006, [`u6006@${DOMAIN},,${VTE},,`, /name is empty/]],
      [7007, [`u7007@${DOMAIN},ນ້ອຍ,/Bad Unit,,`, /not a unit path/]],
    ]);
    const lines = ['email,name,unit,quota,password'];
    for (let line = 2; line <= 10_001; line++) {
      const b = bad.get(line);
      const local = line === 7 ? 'dup5' : `u${line}`;
      lines.push(b ? b[0] : `${local}@${DOMAIN},${LAO[line % LAO.length]} ${line},${VTE},500M,`);
    }
    const accounts = await countAccounts(core);
    const units = (await listUnits(core)).length;
    const plan = await planImport(core, CLI_ACTOR, Buffer.from(lines.join('\n')), {
      unknownUnits: 'refuse',
    });
    assert.equal(plan.results.length, 10_000);
    const errors = plan.results.filter((r) => r.status === 'error');
    assert.deepEqual(
      errors.map((r) => r.line),
      [...bad.keys()],
    );
    for (const r of errors)
      assert.match(r.errors.join('; '), bad.get(r.line)![1], `line ${r.line}`);
    assert.equal(summarize(plan.results).create, 10_000 - bad.size);
    assert.equal(await countAccounts(core), accounts);
    assert.equal((await listUnits(core)).length, units);
  });

  test('a provincial administrator cannot import into another province', async () => {
    const admin = await quickAccount(core, 'vte-admin', VTE);
    await grantRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VTE, 'test');
    const csv = `email,name,unit\nin@${DOMAIN},ໃນ,${VTE}/xaythany\nout@${DOMAIN},ນອກ,/ministry/provinces/luangprabang\n`;
    const actor = { kind: 'account' as const, accountId: admin, ip: '192.0.2.1' };
    const plan = await planImport(core, actor, Buffer.from(csv), { unknownUnits: 'create' });
    assert.deepEqual(
      plan.results.map((r) => [r.line, r.status, r.errors.join()]),
      [
        [2, 'create', ''],
        [3, 'error', 'unit /ministry/provinces/luangprabang is outside your reach'],
      ],
    );
    const denied = await listAudit(core, { actor: `vte-admin@${DOMAIN}`, outcome: 'denied' });
    assert.equal(denied[0]?.action, 'account.create');
  });

  test('the good rows land with aliases and units; a row failing half-way leaves nothing', async () => {
    const rows = ['email,name,unit,quota,password,aliases'];
    for (let i = 0; i < 20; i++)
      rows.push(
        `r${i}@${DOMAIN},${LAO[i % LAO.length]} ${i},${VTE}/school-${i % 3},1G,${PW},alias${i}@${DOMAIN}`,
      );
    rows.push(`gen@${DOMAIN},ສຸກສະຫວັນ,${VTE},,,`); // line 22: password generated
    rows.push(`r0@${DOMAIN},again,${VTE},,${PW},`); // line 23: duplicate in the file
    rows.push(`weak@${DOMAIN},ອ່ອນ,${VTE},,12345,`); // line 24: weak password
    const csv = Buffer.from(rows.join('\n'));
    const plan = await planImport(core, CLI_ACTOR, csv, { unknownUnits: 'create' });
    assert.deepEqual(plan.newUnits, [`${VTE}/school-0`, `${VTE}/school-1`, `${VTE}/school-2`]);
    // Between the check and the import, someone takes r7's alias: r7 fails after its account
    // row was written, and must be rolled back whole.
    const other = await quickAccount(core, 'other', VTE);
    await core.db
      .insertInto('aliases')
      .values({ address: `alias7@${DOMAIN}`, account_id: other, created_at: 0 })
      .execute();
    const generated: { email: string; password: string }[] = [];
    let progress = 0;
    await applyImport(core, CLI_ACTOR, plan, {
      batchSize: 8,
      onProgress: (d) => (progress = d),
      onPasswords: async (r) => void generated.push(...r),
    });
    assert.equal(progress, 21);
    const byLine = new Map(plan.results.map((r) => [r.line, r]));
    assert.equal(byLine.get(9)!.status, 'error'); // r7
    assert.match(byLine.get(9)!.errors.join(), /not created/);
    assert.equal(await getAccount(core, `r7@${DOMAIN}`), undefined);
    const orphan = await core.db
      .selectFrom('mailboxes')
      .select('account_id')
      .where('account_id', 'not in', core.db.selectFrom('accounts').select('id'))
      .execute();
    assert.deepEqual(orphan, []);
    assert.deepEqual(
      [22, 23, 24].map((l) => byLine.get(l)!.status),
      ['created', 'error', 'error'],
    );
    const s = summarize(plan.results);
    assert.deepEqual([s.created, s.error], [20, 3]);
    const r3 = await getAccount(core, `r3@${DOMAIN}`);
    assert.equal(r3?.unit_path, `${VTE}/school-0`);
    assert.equal(r3?.name, `${LAO[3]} 3`);
    assert.equal(Number(r3?.quota_bytes), 1024 ** 3);
    const alias = await core.db
      .selectFrom('aliases')
      .select('account_id')
      .where('address', '=', `alias3@${DOMAIN}`)
      .executeTakeFirst();
    assert.equal(Number(alias?.account_id), r3?.id);
    assert.deepEqual(
      generated.map((g) => g.email),
      [`gen@${DOMAIN}`],
    );
    // A generated initial password signs in on the web only, which then demands a new one.
    assert.equal(await authenticate(core, `gen@${DOMAIN}`, generated[0]!.password), null);
    const web = await verifySignIn(core, {
      email: `gen@${DOMAIN}`,
      password: generated[0]!.password,
      door: 'web',
    });
    assert.ok(web.ok && web.mustChangePassword);
    const created = await listAudit(core, {
      action: 'account.create',
      outcome: 'ok',
      underUnit: VTE,
    });
    assert.ok(created.some((r) => r.target === `r3@${DOMAIN}` && r.detail.line === 5));
    assert.ok(!created.some((r) => r.target === `r7@${DOMAIN}`));

    const again = await planImport(core, CLI_ACTOR, csv, { unknownUnits: 'refuse' });
    const n = summarize(again.results);
    assert.deepEqual([n.already, n.create], [20, 0]); // 19 rows and gen@ are there already
    assert.equal(again.results[0]!.status, 'already');
    assert.match(
      again.results[7]!.errors.join(),
      /alias7@moe\.test is already in use \(an alias\)/,
    );
  });
});
