// The org-unit tree: adding, listing in tree order, moving a subtree (accounts and grants
// follow, mail stays), removing only empty units, importing paths with missing parents.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import type { Core } from '../../src/core/core.ts';
import { getAccount } from '../../src/core/accounts.ts';
import { listMailboxes } from '../../src/core/mailboxes.ts';
import { grantRole, listGrants } from '../../src/core/roles.ts';
import {
  addUnit,
  importUnitsCsv,
  isWithin,
  listUnits,
  moveAccount,
  moveUnit,
  normalizeUnitPath,
  removeUnit,
} from '../../src/core/units.ts';
import { DOMAIN, quickAccount, seedTree } from './setup.ts';

test('unit paths: normal form, parents, subtrees', () => {
  assert.equal(normalizeUnitPath(' /Ministry/Provinces/ '), '/ministry/provinces');
  assert.equal(normalizeUnitPath('ministry'), '/ministry');
  assert.equal(normalizeUnitPath('/'), '/');
  assert.throws(() => normalizeUnitPath('/a b'), /not a unit path/);
  assert.throws(() => normalizeUnitPath('/ກະຊວງ'), /not a unit path/);
  assert.ok(isWithin('/a/b', '/a'));
  assert.ok(isWithin('/a', '/a'));
  assert.ok(isWithin('/a', '/'));
  assert.ok(!isWithin('/ab', '/a'));
  assert.ok(!isWithin('/a', '/a/b'));
});

forEachStore('org units', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  before(async () => {
    ({ core, close } = await makeCore(kind));
    await seedTree(core);
  });
  after(() => close());

  test('import creates missing parents; the list is in tree order with names', async () => {
    const paths = (await listUnits(core)).map((u) => u.path);
    assert.deepEqual(paths, [
      '/',
      '/ministry',
      '/ministry/departments',
      '/ministry/departments/finance',
      '/ministry/provinces',
      '/ministry/provinces/luangprabang',
      '/ministry/provinces/vientiane',
      '/ministry/provinces/vientiane/sikhottabong',
      '/ministry/provinces/vientiane/xaythany',
      '/ministry/provinces/vientiane-capital',
    ]);
    const again = await importUnitsCsv(
      core,
      'path,name\n/ministry/provinces/oudomxay,ອຸດົມໄຊ\n/ministry\n',
    );
    assert.deepEqual(again, { created: ['/ministry/provinces/oudomxay'], existing: ['/ministry'] });
    const u = (await listUnits(core)).find((x) => x.path === '/ministry/provinces/oudomxay');
    assert.equal(u?.name, 'ອຸດົມໄຊ');
    assert.equal(u?.depth, 3);
  });

  test('add needs an existing parent and a new path', async () => {
    await assert.rejects(addUnit(core, '/nowhere/school'), /parent unit \/nowhere does not exist/);
    await assert.rejects(addUnit(core, '/ministry'), /already exists/);
    const s = await addUnit(core, '/ministry/provinces/vientiane/xaythany/school-1', {
      name: 'ໂຮງຮຽນ 1',
    });
    assert.equal(s.parent_path, '/ministry/provinces/vientiane/xaythany');
  });

  test('moving a subtree rewrites its units, accounts and grants, not look-alike siblings', async () => {
    const a = await quickAccount(
      core,
      'teacher',
      '/ministry/provinces/vientiane/xaythany/school-1',
    );
    await quickAccount(core, 'capital', '/ministry/provinces/vientiane-capital');
    await grantRole(core, `teacher@${DOMAIN}`, 'helpdesk', '/ministry/provinces/vientiane', 'test');
    await addUnit(core, '/ministry/regions');
    const to = await moveUnit(core, '/ministry/provinces/vientiane', '/ministry/regions');
    assert.equal(to, '/ministry/regions/vientiane');
    const paths = (await listUnits(core)).map((u) => u.path);
    assert.ok(paths.includes('/ministry/regions/vientiane/xaythany/school-1'));
    assert.ok(!paths.some((p) => p.startsWith('/ministry/provinces/vientiane/')));
    assert.ok(paths.includes('/ministry/provinces/vientiane-capital'));
    const units = await listUnits(core);
    assert.equal(
      units.find((u) => u.path === '/ministry/regions/vientiane/xaythany')?.parentPath,
      '/ministry/regions/vientiane',
    );
    assert.equal(
      units.find((u) => u.path === '/ministry/regions/vientiane')?.parentPath,
      '/ministry/regions',
    );
    const teacher = await getAccount(core, `teacher@${DOMAIN}`);
    assert.equal(teacher?.unit_path, '/ministry/regions/vientiane/xaythany/school-1');
    assert.equal(
      (await getAccount(core, `capital@${DOMAIN}`))?.unit_path,
      '/ministry/provinces/vientiane-capital',
    );
    assert.deepEqual(
      (await listGrants(core)).map((g) => [g.email, g.unitPath]),
      [[`teacher@${DOMAIN}`, '/ministry/regions/vientiane']],
    );
    assert.equal((await listMailboxes(core.db, a)).length, 6);
  });

  test('a move into its own subtree, onto a taken path or of the root is refused', async () => {
    await assert.rejects(
      moveUnit(core, '/ministry/regions', '/ministry/regions/vientiane'),
      /into itself/,
    );
    await assert.rejects(moveUnit(core, '/', '/ministry'), /root unit cannot move/);
    await addUnit(core, '/ministry/provinces/vientiane');
    await assert.rejects(
      moveUnit(core, '/ministry/regions/vientiane', '/ministry/provinces'),
      /already exists/,
    );
    await assert.rejects(moveUnit(core, '/ministry/nothing', '/ministry'), /no unit/);
  });

  test('moving an account keeps its address, mailboxes and id', async () => {
    const before = await getAccount(core, `teacher@${DOMAIN}`);
    const moved = await moveAccount(core, `teacher@${DOMAIN}`, '/ministry/departments/finance');
    assert.equal(moved.id, before!.id);
    const after = await getAccount(core, `teacher@${DOMAIN}`);
    assert.equal(after?.unit_path, '/ministry/departments/finance');
    assert.equal(after?.email, before!.email);
    assert.equal((await listMailboxes(core.db, after!.id)).length, 6);
    await assert.rejects(moveAccount(core, `teacher@${DOMAIN}`, '/ministry/none'), /no unit/);
  });

  test('only an empty unit can be removed', async () => {
    await assert.rejects(removeUnit(core, '/ministry/departments'), /unit\(s\) below it/);
    await assert.rejects(removeUnit(core, '/ministry/departments/finance'), /1 account\(s\)/);
    await assert.rejects(removeUnit(core, '/ministry/regions/vientiane'), /below it/);
    await moveAccount(core, `teacher@${DOMAIN}`, '/ministry');
    await removeUnit(core, '/ministry/departments/finance');
    await assert.rejects(removeUnit(core, '/'), /root unit cannot be removed/);
    assert.ok(!(await listUnits(core)).some((u) => u.path === '/ministry/departments/finance'));
  });
});
