// Roles granted on a unit's subtree, and `authorize`: the one check every administrative door
// (CLI, admin API, web console) passes through before it acts. docs/delegation.md is the guide.
//
// - global_admin: every action, everywhere (granted on '/' only). Accounts flagged is_admin (the
//   administrator made by `champa init`) are global administrators too.
// - unit_admin: units, accounts, aliases, quotas and groups inside the subtree, and may grant or
//   revoke unit_admin, helpdesk and auditor on units inside the subtree to accounts inside it
//   (a provincial administrator appoints district administrators); never global_admin, never
//   domains, the queue or anything outside the subtree.
// - helpdesk: password reset and unlock (and looking accounts up) inside the subtree.
// - auditor: read-only: accounts, units, the audit log and message trace inside the subtree.
// A unit path is inside a subtree when it equals the subtree's root or starts with root + '/'.
// Invariants: every refusal throws ForbiddenError AND appends a 'denied' audit row; the CLI
// actor is the machine's administrator and is always allowed; a disabled account may do nothing.
import { errorMessage, ForbiddenError, UserError } from '../util/errors.ts';
import { problem, type Problem } from '../util/problems.ts';
import type { Account } from '../store/schema.ts';
import type { Core } from './core.ts';
import { getAccount, getAccountById } from './accounts.ts';
import { audit, type Actor, type AdminTarget } from './audit.ts';
import { getUnit, isWithin, normalizeUnitPath, ROOT } from './units.ts';

export const ROLES = ['global_admin', 'unit_admin', 'helpdesk', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

export const ADMIN_ACTIONS = [
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
  'audit.read',
  'trace.read',
  'domain.manage',
  'role.grant',
  'queue.manage',
] as const;
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/**
 * Not a unit administrator's: domains and the queue reach past any subtree, and the audit log
 * and message trace belong to auditors (so the managed are not their own only witnesses).
 */
const NOT_UNIT_ADMIN: ReadonlySet<AdminAction> = new Set([
  'domain.manage',
  'queue.manage',
  'audit.read',
  'trace.read',
]);

/** What each role below global_admin may do, inside the subtree it was granted on. */
export const ROLE_ACTIONS: Record<Exclude<Role, 'global_admin'>, ReadonlySet<AdminAction>> = {
  unit_admin: new Set(ADMIN_ACTIONS.filter((a) => !NOT_UNIT_ADMIN.has(a))),
  helpdesk: new Set<AdminAction>(['account.read', 'account.password.reset', 'account.unlock']),
  auditor: new Set<AdminAction>(['unit.read', 'account.read', 'audit.read', 'trace.read']),
};

/** Roles a unit_admin may hand out inside their subtree. */
const DELEGABLE: ReadonlySet<string> = new Set(['unit_admin', 'helpdesk', 'auditor']);

export function isRole(text: string): text is Role {
  return (ROLES as readonly string[]).includes(text);
}

export interface Grant {
  role: Role;
  unitPath: string;
}

/** The roles an account holds (is_admin counts as global_admin on '/'). */
export async function grantsOf(core: Core, account: Account): Promise<Grant[]> {
  const rows = await core.db
    .selectFrom('role_grants')
    .select(['role', 'unit_path'])
    .where('account_id', '=', account.id)
    .execute();
  const grants = rows
    .filter((r) => isRole(r.role))
    .map((r) => ({ role: r.role as Role, unitPath: r.unit_path }));
  if (account.is_admin) grants.push({ role: 'global_admin', unitPath: ROOT });
  return grants;
}

/**
 * The subtrees in which the actor may perform the action: 'all' for global administrators and
 * the CLI, else the roots of the subtrees (possibly none). For listings: show only rows inside.
 */
export async function reach(
  core: Core,
  actor: Actor,
  action: AdminAction,
): Promise<'all' | string[]> {
  if (actor.kind === 'cli') return 'all';
  const account = await getAccountById(core, actor.accountId);
  if (!account || account.disabled) return [];
  const grants = await grantsOf(core, account);
  if (grants.some((g) => g.role === 'global_admin')) return 'all';
  return grants
    .filter((g) => g.role !== 'global_admin' && ROLE_ACTIONS[g.role].has(action))
    .map((g) => g.unitPath);
}

/** Why the actor may not act, or null when it may. */
async function refusal(
  core: Core,
  actor: Actor,
  action: AdminAction,
  target: AdminTarget,
): Promise<Problem | null> {
  const where = await reach(core, actor, action);
  if (where === 'all') return null;
  if (where.length === 0) return problem('notAllowed', { action });
  if (action === 'role.grant' && (!target.role || !DELEGABLE.has(target.role)))
    return problem('onlyGlobalAdminGrants', { role: target.role ?? 'this role' });
  // Every unit the action touches must lie in one subtree the actor reaches.
  const units: string[] = [];
  if (target.unitPath !== undefined) units.push(normalizeUnitPath(target.unitPath));
  if (target.toUnitPath !== undefined) units.push(normalizeUnitPath(target.toUnitPath));
  if (target.accountId !== undefined || target.email !== undefined) {
    const a =
      target.accountId !== undefined
        ? await getAccountById(core, target.accountId)
        : await getAccount(core, target.email!);
    if (!a) return problem('accountOutsideUnits', { action });
    units.push(a.unit_path);
  }
  if (units.length === 0) return problem('needsGlobalAdmin', { action });
  if (where.some((root) => units.every((u) => isWithin(u, root)))) return null;
  const reachText = where.join(', ');
  return units.length > 1
    ? problem('unitsOutsideUnits', { units: units.join(' and '), reach: reachText })
    : problem('unitOutsideUnits', { unit: units[0]!, reach: reachText });
}

/**
 * Allows the action or throws ForbiddenError, after writing the refusal to the audit log.
 * Every door calls this before acting; on success it records nothing (the door's helper
 * records the action's outcome).
 */
export async function authorize(
  core: Core,
  actor: Actor,
  action: AdminAction,
  target: AdminTarget = {},
): Promise<void> {
  const why = await refusal(core, actor, action, target);
  if (why === null) return;
  await audit(core, actor, action, target, { reason: why.message }, 'denied');
  throw new ForbiddenError(why);
}

export interface GrantRow {
  email: string;
  role: Role;
  unitPath: string;
  grantedBy: string;
  grantedAt: number;
}

export async function grantRole(
  core: Core,
  email: string,
  roleText: string,
  unitText: string,
  grantedBy: string,
  now = Date.now(),
): Promise<GrantRow> {
  if (!isRole(roleText))
    throw new UserError(
      'invalid',
      problem('notARole', { role: roleText, roles: ROLES.join(', ') }),
    );
  const unitPath = normalizeUnitPath(unitText);
  if (roleText === 'global_admin' && unitPath !== ROOT)
    throw new UserError('invalid', problem('globalAdminOnRoot'));
  if (!(await getUnit(core, unitPath)))
    throw new UserError('not_found', problem('unitNotFound', { unit: unitPath }));
  const a = await getAccount(core, email);
  if (!a) throw new UserError('not_found', problem('accountNotFound', { email }));
  const exists = await core.db
    .selectFrom('role_grants')
    .select('role')
    .where('account_id', '=', a.id)
    .where('role', '=', roleText)
    .where('unit_path', '=', unitPath)
    .executeTakeFirst();
  if (exists)
    throw new UserError(
      'exists',
      problem('grantExists', { email: a.email, role: roleText, unit: unitPath }),
    );
  const row = {
    account_id: a.id,
    role: roleText,
    unit_path: unitPath,
    granted_by: grantedBy,
    granted_at: now,
  };
  await core.db.insertInto('role_grants').values(row).execute();
  return { email: a.email, role: roleText, unitPath, grantedBy, grantedAt: now };
}

export async function revokeRole(
  core: Core,
  email: string,
  role: string,
  unitText: string,
): Promise<void> {
  const unitPath = normalizeUnitPath(unitText);
  const a = await getAccount(core, email);
  const r = a
    ? await core.db
        .deleteFrom('role_grants')
        .where('account_id', '=', a.id)
        .where('role', '=', role)
        .where('unit_path', '=', unitPath)
        .executeTakeFirst()
    : undefined;
  if (!r || Number(r.numDeletedRows) === 0)
    throw new UserError('not_found', problem('grantNotFound', { email, role, unit: unitPath }));
}

/** Every grant, by unit then address; `underUnit` keeps only grants inside that subtree. */
export async function listGrants(core: Core, underUnit?: string): Promise<GrantRow[]> {
  const rows = await core.db
    .selectFrom('role_grants')
    .innerJoin('accounts', 'accounts.id', 'role_grants.account_id')
    .select([
      'accounts.email',
      'role_grants.role',
      'role_grants.unit_path',
      'role_grants.granted_by',
      'role_grants.granted_at',
    ])
    .orderBy('role_grants.unit_path')
    .orderBy('accounts.email')
    .execute();
  return rows
    .filter((r) => isRole(r.role) && (!underUnit || isWithin(r.unit_path, underUnit)))
    .map((r) => ({
      email: r.email,
      role: r.role as Role,
      unitPath: r.unit_path,
      grantedBy: r.granted_by,
      grantedAt: Number(r.granted_at),
    }));
}

/**
 * One administrative action as every door performs it: authorize (refusals are audited), run,
 * then audit the outcome ('ok', or 'error' with the message, and rethrow). The target's unit is
 * looked up before the action, so a removal's audit row still names the unit it happened in.
 */
export async function performAdmin<T>(
  core: Core,
  actor: Actor,
  action: AdminAction,
  target: AdminTarget,
  fn: () => Promise<T>,
  detail: Record<string, unknown> = {},
): Promise<T> {
  await authorize(core, actor, action, target);
  let t = target;
  if (t.unitPath === undefined && (t.email !== undefined || t.accountId !== undefined)) {
    const a =
      t.accountId !== undefined
        ? await getAccountById(core, t.accountId)
        : await getAccount(core, t.email!);
    if (a) t = { ...t, unitPath: a.unit_path, email: a.email };
  }
  let result: T;
  try {
    result = await fn();
  } catch (err) {
    await audit(core, actor, action, t, { ...detail, error: errorMessage(err) }, 'error');
    throw err;
  }
  await audit(core, actor, action, t, detail, 'ok');
  return result;
}

export type { Actor, AdminTarget } from './audit.ts';
