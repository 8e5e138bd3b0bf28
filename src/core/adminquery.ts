// Paged, searchable listings for the admin API and console, each cut to the actor's reach in
// SQL (not after the fact), so a page and its total count agree with what the actor may see.
// A reach is 'all' or the roots of the subtrees an actor's roles cover (core/roles.ts `reach`).
// Invariants: every listing here takes a reach and applies it; totals count the same rows the
// pages are cut from; searches are substring matches, case-insensitive for ASCII (Lao has no
// case), with LIKE's wildcards in the search text taken literally.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Core } from './core.ts';
import { isRole, type GrantRow, type Role } from './roles.ts';
import type { AuditRow, Outcome } from './audit.ts';
import { ROOT } from './units.ts';

export type Reach = 'all' | string[];

export interface Page<T> {
  items: T[];
  total: number;
  offset: number;
  limit: number;
}

export interface PageQuery {
  offset?: number;
  limit?: number;
}

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;

/** `column` lies in the subtree `root` (the unit itself or below it). */
export function underSql(column: string, root: string): RawBuilder<SqlBool> {
  if (root === ROOT) return TRUE;
  const col = sql.ref(column);
  return sql<SqlBool>`(${col} = ${root} or substr(${col}, 1, ${root.length + 1}) = ${`${root}/`})`;
}

/** `column` lies in one of the reach's subtrees. */
export function reachSql(column: string, where: Reach): RawBuilder<SqlBool> {
  if (where === 'all' || where.includes(ROOT)) return TRUE;
  if (where.length === 0) return FALSE;
  return sql<SqlBool>`(${sql.join(
    where.map((r) => underSql(column, r)),
    sql` or `,
  )})`;
}

/** A LIKE pattern matching `text` anywhere, its own % _ and \ escaped. */
export function containsPattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function likeSql(column: string, text: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`lower(${sql.ref(column)}) like ${containsPattern(text)} escape '\\'`;
}

function bounds(q: PageQuery, max: number): { offset: number; limit: number } {
  return {
    offset: Math.max(0, Math.floor(q.offset ?? 0)),
    limit: Math.min(max, Math.max(1, Math.floor(q.limit ?? 100))),
  };
}

const count = (r: { n: number | string | bigint } | undefined): number => Number(r?.n ?? 0);

export interface AccountRow {
  id: number;
  email: string;
  name: string;
  unitPath: string;
  quotaBytes: number;
  usedBytes: number;
  disabled: boolean;
  createdAt: number;
}

export interface AccountQuery extends PageQuery {
  /** Only this unit's subtree. */
  unit?: string;
  /** A piece of the address or the display name. */
  q?: string;
  disabled?: boolean;
}

/** Accounts in reach, by address. */
export async function pageAccounts(
  core: Core,
  where: Reach,
  query: AccountQuery,
): Promise<Page<AccountRow>> {
  const { offset, limit } = bounds(query, 1000);
  let base = core.db.selectFrom('accounts').where(reachSql('unit_path', where));
  if (query.unit) base = base.where(underSql('unit_path', query.unit));
  if (query.q) {
    const q = query.q;
    base = base.where((eb) => eb.or([likeSql('email', q), likeSql('name', q)]));
  }
  if (query.disabled !== undefined) base = base.where('disabled', '=', query.disabled ? 1 : 0);
  const total = count(
    await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  );
  const rows = await base
    .select([
      'id',
      'email',
      'name',
      'unit_path',
      'quota_bytes',
      'used_bytes',
      'disabled',
      'created_at',
    ])
    .orderBy('email')
    .offset(offset)
    .limit(limit)
    .execute();
  return {
    items: rows.map((a) => ({
      id: Number(a.id),
      email: a.email,
      name: a.name,
      unitPath: a.unit_path,
      quotaBytes: Number(a.quota_bytes),
      usedBytes: Number(a.used_bytes),
      disabled: a.disabled === 1,
      createdAt: Number(a.created_at),
    })),
    total,
    offset,
    limit,
  };
}

export interface AuditPageQuery extends PageQuery {
  actor?: string;
  /** Exactly this action, or a prefix when it ends with '.' or '*'. */
  action?: string;
  outcome?: Outcome;
  /** Only rows about this unit's subtree. */
  unit?: string;
  since?: number;
  until?: number;
}

/** Audit rows in reach (rows with no unit are global: shown only to an 'all' reach). */
export async function pageAudit(
  core: Core,
  where: Reach,
  q: AuditPageQuery,
): Promise<Page<AuditRow>> {
  const { offset, limit } = bounds(q, 1000);
  let base = core.db.selectFrom('audit_log');
  if (where !== 'all') base = base.where(reachSql('unit_path', where));
  if (q.unit) base = base.where(underSql('unit_path', q.unit));
  if (q.since !== undefined) base = base.where('at', '>=', q.since);
  if (q.until !== undefined) base = base.where('at', '<', q.until);
  if (q.actor) base = base.where('actor', '=', q.actor);
  if (q.outcome) base = base.where('outcome', '=', q.outcome);
  if (q.action) {
    const prefix = q.action.replace(/\*$/, '');
    base =
      prefix.endsWith('.') || q.action.endsWith('*')
        ? base.where(sql<SqlBool>`substr(action, 1, ${prefix.length}) = ${prefix}`)
        : base.where('action', '=', q.action);
  }
  const total = count(
    await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  );
  const rows = await base.selectAll().orderBy('id', 'desc').offset(offset).limit(limit).execute();
  return {
    items: rows.map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      actor: r.actor,
      ip: r.ip,
      action: r.action,
      target: r.target,
      unitPath: r.unit_path,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
      outcome: r.outcome as Outcome,
    })),
    total,
    offset,
    limit,
  };
}

/** Role grants on units in reach, by unit then address. */
export async function pageGrants(
  core: Core,
  where: Reach,
  q: PageQuery & { unit?: string; email?: string },
): Promise<Page<GrantRow>> {
  const { offset, limit } = bounds(q, 1000);
  let base = core.db
    .selectFrom('role_grants')
    .innerJoin('accounts', 'accounts.id', 'role_grants.account_id')
    .where(reachSql('role_grants.unit_path', where));
  if (q.unit) base = base.where(underSql('role_grants.unit_path', q.unit));
  if (q.email) base = base.where('accounts.email', '=', q.email.toLowerCase());
  const total = count(
    await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst(),
  );
  const rows = await base
    .select([
      'accounts.email',
      'role_grants.role',
      'role_grants.unit_path',
      'role_grants.granted_by',
      'role_grants.granted_at',
    ])
    .orderBy('role_grants.unit_path')
    .orderBy('accounts.email')
    .orderBy('role_grants.role')
    .offset(offset)
    .limit(limit)
    .execute();
  return {
    items: rows
      .filter((r) => isRole(r.role))
      .map((r) => ({
        email: r.email,
        role: r.role as Role,
        unitPath: r.unit_path,
        grantedBy: r.granted_by,
        grantedAt: Number(r.granted_at),
      })),
    total,
    offset,
    limit,
  };
}
