// The administration commands as a person runs them: units, roles, `user move`, `user import`
// (encoding refused, passwords only in a 0600 file, a re-run reports "already imported"), and
// `champa audit` showing every write command, with the CLI as actor.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachStore } from '../helpers/stores.ts';
import {
  hasStackTrace,
  initData,
  makeCliEnv,
  runCli,
  withDataCore,
  type CliEnv,
} from '../helpers/cli.ts';
import { getAccount } from '../../src/core/accounts.ts';
import { parseCsv } from '../../src/util/csv.ts';

const D = 'moe.test';
const VTE = '/ministry/provinces/vientiane';

forEachStore('admin command line', (kind) => {
  let env: CliEnv;
  const cli = (...args: string[]) => runCli([...args, '--data', env.data]);
  const file = (name: string) => join(env.data, '..', name);

  before(async () => {
    env = await makeCliEnv(kind);
    await initData(env, D);
  });
  after(() => env.cleanup());

  test('unit add, import and list in tree order', async () => {
    let r = await cli('unit', 'add', '/ministry', '--name', 'ກະຊວງສຶກສາທິການ ແລະ ກິລາ');
    assert.equal(r.code, 0, r.stderr);
    await writeFile(
      file('units.csv'),
      `path,name\n${VTE}/xaythany,ໄຊທານີ\n/ministry/provinces/luangprabang\n`,
    );
    r = await cli('unit', 'import', file('units.csv'));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /4 unit\(s\) created/);
    r = await cli('unit', 'list', '--json');
    const units = JSON.parse(r.stdout) as { path: string; name: string }[];
    assert.deepEqual(
      units.map((u) => u.path),
      [
        '/',
        '/ministry',
        '/ministry/provinces',
        '/ministry/provinces/luangprabang',
        VTE,
        `${VTE}/xaythany`,
      ],
    );
    r = await cli('unit', 'add', '/nowhere/x');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /parent unit \/nowhere does not exist/);
    assert.ok(!hasStackTrace(r.stderr));
  });

  test('user import: Latin-1 refused; passwords only in the 0600 file; a re-run is safe', async () => {
    await writeFile(
      file('latin1.csv'),
      Buffer.from(`email,name,unit\nrene@${D},Ren\xe9,/\n`, 'latin1'),
    );
    let r = await cli('user', 'import', file('latin1.csv'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not UTF-8 text \(line 2/);
    assert.ok(!hasStackTrace(r.stderr));

    const csv = [
      'email,name,unit,aliases',
      `somphone@${D},ສົມພອນ ແກ້ວມະນີ,${VTE},s.keomany@${D}`,
      `"noy@${D}","ນ້ອຍ, ພົມມະຈັນ",${VTE}/xaythany/school-1,`,
      `bad@,x,${VTE},`,
    ].join('\n');
    await writeFile(file('people.csv'), csv);
    r = await cli('user', 'import', file('people.csv'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--passwords-out/);
    r = await cli('user', 'import', file('people.csv'), '--refuse-unknown-units', '--dry-run');
    assert.match(
      r.stdout,
      /^line 3: noy@moe\.test: unknown unit \/ministry\/provinces\/vientiane\/xaythany\/school-1$/m,
    );
    assert.match(r.stdout, /^line 4: bad@: bad email address "bad@"$/m);
    assert.match(r.stderr, /Dry run: 1 to create/);

    r = await cli('user', 'import', file('people.csv'), '--passwords-out', file('pw.csv'));
    assert.equal(r.code, 1, 'one row was refused');
    assert.match(r.stderr, /2 created, 1 new unit\(s\), 0 already imported, 1 refused/);
    assert.match(r.stdout, /^line 4: bad@: bad email address/m);
    const pw = parseCsv(await readFile(file('pw.csv'), 'utf8'));
    assert.deepEqual(
      pw.map((x) => x.fields[0]),
      ['email', `somphone@${D}`, `noy@${D}`],
    );
    assert.equal((await stat(file('pw.csv'))).mode & 0o777, 0o600);
    for (const p of pw.slice(1))
      assert.ok(!r.stdout.includes(p.fields[1]!) && !r.stderr.includes(p.fields[1]!));

    r = await cli('user', 'import', file('people.csv'), '--passwords-out', file('pw2.csv'));
    assert.match(r.stdout, /^line 2: somphone@moe\.test: already imported$/m);
    assert.match(r.stdout, /^line 3: noy@moe\.test: already imported$/m);
    assert.match(r.stderr, /0 created/);
    // The export is in the import's format: importing it again changes nothing.
    const exp = await cli('user', 'export', '--unit', VTE);
    assert.equal(exp.code, 0, exp.stderr);
    assert.deepEqual(
      parseCsv(exp.stdout).map((x) => x.fields),
      [
        ['email', 'name', 'unit', 'quota', 'aliases'],
        [`somphone@${D}`, 'ສົມພອນ ແກ້ວມະນີ', VTE, '0', `s.keomany@${D}`],
        [`noy@${D}`, 'ນ້ອຍ, ພົມມະຈັນ', `${VTE}/xaythany/school-1`, '0', ''],
      ],
    );
    await writeFile(file('export.csv'), exp.stdout);
    r = await cli('user', 'import', file('export.csv'), '--dry-run');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /0 to create, 2 already imported, 0 with problems/);
    await withDataCore(env.data, async (core) => {
      const a = await getAccount(core, `noy@${D}`);
      assert.equal(a?.name, 'ນ້ອຍ, ພົມມະຈັນ');
      assert.equal(a?.unit_path, `${VTE}/xaythany/school-1`);
    });
  });

  test('user move, role grant/list/revoke', async () => {
    let r = await cli('user', 'move', `noy@${D}`, '/ministry/provinces/luangprabang');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('role', 'grant', `somphone@${D}`, 'unit_admin', VTE);
    assert.equal(r.code, 0, r.stderr);
    r = await cli('role', 'grant', `somphone@${D}`, 'global_admin', VTE);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /global_admin is granted on the root unit \/ only/);
    r = await cli('role', 'list', '--json');
    assert.deepEqual(
      (JSON.parse(r.stdout) as { email: string; role: string; unitPath: string }[]).map((g) => [
        g.email,
        g.role,
        g.unitPath,
      ]),
      [[`somphone@${D}`, 'unit_admin', VTE]],
    );
    r = await cli('role', 'revoke', `somphone@${D}`, 'unit_admin', VTE);
    assert.equal(r.code, 0, r.stderr);
  });

  test('every write command is in the audit log with the CLI as actor', async () => {
    const r0 = await cli('domain', 'add', 'school.test');
    assert.equal(r0.code, 0, r0.stderr);
    const r = await cli('audit', '--json', '--since', '1d');
    assert.equal(r.code, 0, r.stderr);
    const rows = JSON.parse(r.stdout) as {
      actor: string;
      action: string;
      target: string;
      outcome: string;
      unitPath: string | null;
      detail: Record<string, unknown>;
    }[];
    const seen = rows.map((x) => `${x.action} ${x.target} ${x.outcome}`);
    for (const want of [
      'unit.create /ministry ok',
      'unit.create /ministry/provinces/vientiane/xaythany/school-1 ok',
      `account.create somphone@${D} ok`,
      `account.move noy@${D} ok`,
      `role.grant somphone@${D} ok`,
      `role.grant somphone@${D} error`,
      'domain.manage school.test ok',
    ])
      assert.ok(seen.includes(want), `${want} in\n${seen.join('\n')}`);
    assert.ok(rows.every((x) => /^cli:/.test(x.actor)));
    const imports = rows.filter((x) => x.target === `import ${file('people.csv')}`);
    assert.deepEqual(
      imports.map((x) => [x.outcome, x.detail.created, x.detail.error]),
      [['ok', 2, 1]], // the re-run created nothing, so wrote nothing
    );
    assert.equal(
      rows.find((x) => x.action === 'account.move')?.detail.to,
      '/ministry/provinces/luangprabang',
    );
    const filtered = await cli('audit', '--json', '--action', 'role.*');
    assert.deepEqual(
      [...new Set((JSON.parse(filtered.stdout) as { action: string }[]).map((x) => x.action))],
      ['role.grant'],
    );
    const bad = await cli('audit', '--since', 'yesterday-ish');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a date/);
  });
});
