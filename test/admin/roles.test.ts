// The delegation matrix: every role × every action × inside/outside the role's subtree goes
// through `authorize`, the one check every door uses. A refusal is a ForbiddenError AND a
// 'denied' audit row naming the actor; an allowed action writes nothing by itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import type { Core } from '../../src/core/core.ts';
import { setDisabled } from '../../src/core/accounts.ts';
import { listAudit, type AdminTarget } from '../../src/core/audit.ts';
import {
  ADMIN_ACTIONS,
  authorize,
  grantRole,
  reach,
  type AdminAction,
  type Role,
} from '../../src/core/roles.ts';
import { ForbiddenError } from '../../src/util/errors.ts';
import { DOMAIN, quickAccount, seedTree } from './setup.ts';

const REACH = '/ministry/provinces/vientiane';
const INSIDE = '/ministry/provinces/vientiane/xaythany';
const OUTSIDES = ['/ministry/provinces/luangprabang', '/ministry/provinces/vientiane-capital', '/'];

/** The documented matrix (docs/delegation.md), written out rather than read from the code. */
const MAY: Record<Exclude<Role, 'global_admin'>, AdminAction[]> = {
  unit_admin: [
    'unit.read',
    'unit.create',
    'unit.move',
    'unit.remove',
    'account.read',
    'account.create',
    'account.update',
    'account.move',
    'account.disable',
    'account.password.reset',
    'account.unlock',
    'account.remove',
    'alias.manage',
    'quota.set',
    'group.manage',
    'role.grant',
  ],
  helpdesk: ['account.read', 'account.password.reset', 'account.unlock'],
  auditor: ['unit.read', 'account.read', 'audit.read', 'trace.read'],
};

forEachStore('role matrix', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  const actors = new Map<Role, number>();
  const inUnit = new Map<string, number>(); // unit → an account living there

  before(async () => {
    ({ core, close } = await makeCore(kind));
    await seedTree(core);
    for (const role of ['global_admin', 'unit_admin', 'helpdesk', 'auditor'] as Role[]) {
      actors.set(role, await quickAccount(core, role.replace('_', '-'), REACH));
      await grantRole(
        core,
        `${role.replace('_', '-')}@${DOMAIN}`,
        role,
        role === 'global_admin' ? '/' : REACH,
        'test',
      );
    }
    for (const u of [INSIDE, ...OUTSIDES])
      inUnit.set(u, await quickAccount(core, `user${inUnit.size}`, u));
  });
  after(() => close());

  /** The target an action would carry when aimed at a unit (and an account living there). */
  const targetIn = (action: AdminAction, unit: string): AdminTarget => {
    const accountId = inUnit.get(unit)!;
    if (action.startsWith('account.') || action === 'alias.manage' || action === 'quota.set')
      return { accountId };
    if (action === 'role.grant') return { unitPath: unit, accountId, role: 'helpdesk' };
    if (action === 'domain.manage') return { domain: DOMAIN, unitPath: unit };
    return { unitPath: unit };
  };

  const expectDecision = async (
    role: Role,
    action: AdminAction,
    target: AdminTarget,
    allowed: boolean,
  ): Promise<void> => {
    const actor = { kind: 'account' as const, accountId: actors.get(role)!, ip: '192.0.2.7' };
    const who = `${role.replace('_', '-')}@${DOMAIN}`;
    const before = (await listAudit(core, { actor: who, action, outcome: 'denied' })).length;
    const what = `${role} ${action} ${JSON.stringify(target)}`;
    if (allowed) await authorize(core, actor, action, target);
    else
      await assert.rejects(
        authorize(core, actor, action, target),
        ForbiddenError,
        `${what} allowed`,
      );
    const rows = await listAudit(core, { actor: who, action, outcome: 'denied' });
    assert.equal(rows.length, before + (allowed ? 0 : 1), `audit rows for ${what}`);
    if (!allowed) {
      assert.equal(rows[0]!.ip, '192.0.2.7');
      assert.match(String(rows[0]!.detail.reason), /./);
    }
  };

  for (const role of ['global_admin', 'unit_admin', 'helpdesk', 'auditor'] as Role[]) {
    test(`${role}: every action inside and outside ${REACH}`, async () => {
      for (const action of ADMIN_ACTIONS) {
        const may = role === 'global_admin' || MAY[role].includes(action);
        const globalOnly = action === 'domain.manage' || action === 'queue.manage';
        await expectDecision(
          role,
          action,
          targetIn(action, INSIDE),
          may && (role === 'global_admin' || !globalOnly),
        );
        for (const out of OUTSIDES)
          await expectDecision(role, action, targetIn(action, out), role === 'global_admin');
      }
    });
  }

  test('actions without a unit (domains, the queue) are for global administrators only', async () => {
    for (const role of ['unit_admin', 'helpdesk', 'auditor'] as Role[]) {
      await expectDecision(role, 'domain.manage', { domain: DOMAIN }, false);
      await expectDecision(role, 'queue.manage', { label: 'queue:1' }, false);
    }
    await expectDecision('global_admin', 'queue.manage', { label: 'queue:1' }, true);
  });

  test('a unit administrator delegates inside the subtree only, and never global_admin', async () => {
    const inside = inUnit.get(INSIDE)!;
    const outsider = inUnit.get(OUTSIDES[0]!)!;
    for (const role of ['unit_admin', 'helpdesk', 'auditor'])
      await expectDecision(
        'unit_admin',
        'role.grant',
        { unitPath: INSIDE, accountId: inside, role },
        true,
      );
    await expectDecision(
      'unit_admin',
      'role.grant',
      { unitPath: '/', accountId: inside, role: 'global_admin' },
      false,
    );
    await expectDecision(
      'unit_admin',
      'role.grant',
      { unitPath: INSIDE, accountId: inside, role: 'global_admin' },
      false,
    );
    // A grant inside the subtree to an account outside it would extend the reach: refused.
    await expectDecision(
      'unit_admin',
      'role.grant',
      { unitPath: INSIDE, accountId: outsider, role: 'helpdesk' },
      false,
    );
    // Moving an account in from outside, or out to another province: both ends must be inside.
    await expectDecision(
      'unit_admin',
      'account.move',
      { accountId: inside, toUnitPath: OUTSIDES[0]! },
      false,
    );
    await expectDecision(
      'unit_admin',
      'account.move',
      { accountId: outsider, toUnitPath: INSIDE },
      false,
    );
    await expectDecision(
      'unit_admin',
      'account.move',
      { accountId: inside, toUnitPath: REACH },
      true,
    );
  });

  test('the init administrator (is_admin) is global; a disabled or role-less account is nothing', async () => {
    const boss = await quickAccount(core, 'boss', '/');
    await core.db.updateTable('accounts').set({ is_admin: 1 }).where('id', '=', boss).execute();
    assert.equal(await reach(core, { kind: 'account', accountId: boss }, 'domain.manage'), 'all');
    const nobody = await quickAccount(core, 'nobody', INSIDE);
    await assert.rejects(
      authorize(core, { kind: 'account', accountId: nobody }, 'account.read', { unitPath: INSIDE }),
      ForbiddenError,
    );
    await setDisabled(core, `unit-admin@${DOMAIN}`, true);
    await expectDecision('unit_admin', 'account.read', { unitPath: INSIDE }, false);
    await setDisabled(core, `unit-admin@${DOMAIN}`, false);
    assert.deepEqual(
      await reach(core, { kind: 'account', accountId: actors.get('helpdesk')! }, 'account.unlock'),
      [REACH],
    );
    await authorize(core, { kind: 'cli' }, 'domain.manage', { domain: DOMAIN });
  });
});
