// Org units: the ministry's tree (ministry → department or province → district → school).
// A unit is named by its path, '/' being the root and '/ministry/provinces/vientiane' a unit three
// levels down; segments are lower-case ASCII [a-z0-9._-] so paths are stable keys, and the
// display name (Lao or English) is kept beside it.
// Invariants: every unit but the root has an existing parent; every account's unit_path names an
// existing unit; a move rewrites the subtree's units, accounts and role grants in one transaction,
// so no reader ever sees a half-moved subtree. Moving an account changes only its unit: its
// address, mail and aliases stay.
import { sql, type Transaction } from 'kysely';
import { UserError } from '../util/errors.ts';
import { problem, withMessage } from '../util/problems.ts';
import { parseCsv } from '../util/csv.ts';
import type { Account, Database, Unit, Db } from '../store/schema.ts';
import type { Core } from './core.ts';
import { getAccount } from './accounts.ts';

export const ROOT = '/';
const SEGMENT = /^[a-z0-9][a-z0-9._-]{0,62}$/;

/** The canonical form of a unit path ('/a/b', lower case, no trailing slash); throws if invalid. */
export function normalizeUnitPath(text: string): string {
  const t = text.trim().toLowerCase();
  if (t === '' || t === '/') return ROOT;
  const segs = t.replace(/^\/+/, '').replace(/\/+$/, '').split('/');
  for (const s of segs)
    if (!SEGMENT.test(s))
      throw new UserError('invalid', problem('unitPathInvalid', { path: text }));
  if (segs.length > 16) throw new UserError('invalid', problem('unitPathTooDeep', { path: text }));
  return `/${segs.join('/')}`;
}

/**
 * A bad unit path found on a line of a CSV file: the same problem, with the line. Errors that
 * are not about the path pass through as they are.
 */
export function unitPathOnLine(err: unknown, line: number, text: string): unknown {
  if (!(err instanceof UserError)) return err;
  const code = err.problem?.code;
  if (code === 'unitPathInvalid')
    return new UserError('invalid', problem('unitPathInvalidOnLine', { line, path: text }));
  if (code === 'unitPathTooDeep')
    return new UserError('invalid', problem('unitPathTooDeepOnLine', { line, path: text }));
  return err;
}

/** The parent of a unit path ('/a/b' → '/a', '/a' → '/'); null for the root. */
export function parentOf(path: string): string | null {
  if (path === ROOT) return null;
  const i = path.lastIndexOf('/');
  return i === 0 ? ROOT : path.slice(0, i);
}

/** Whether `path` lies in the subtree rooted at `subtree` (equal, or below it). */
export function isWithin(path: string, subtree: string): boolean {
  if (subtree === ROOT) return true;
  return path === subtree || path.startsWith(`${subtree}/`);
}

/** The path and its ancestors below the root, top down ('/a/b' → ['/a', '/a/b']). */
function lineage(path: string): string[] {
  const out: string[] = [];
  for (let p: string | null = path; p && p !== ROOT; p = parentOf(p)) out.unshift(p);
  return out;
}

export async function getUnit(db: Db | Core, path: string): Promise<Unit | undefined> {
  const d = 'db' in db ? db.db : db;
  return d.selectFrom('units').selectAll().where('path', '=', path).executeTakeFirst();
}

/** The unit, or a UserError naming the path. */
export async function mustGetUnit(core: Core, text: string): Promise<Unit> {
  const path = normalizeUnitPath(text);
  const u = await getUnit(core, path);
  if (!u) {
    const p = problem('unitNotFound', { unit: path });
    throw new UserError(
      'not_found',
      withMessage(p, `${p.message} (create it with "champa unit add ${path}")`),
    );
  }
  return u;
}

export async function addUnit(
  core: Core,
  text: string,
  opts: { name?: string } = {},
  now = Date.now(),
): Promise<Unit> {
  const path = normalizeUnitPath(text);
  if (path === ROOT) throw new UserError('exists', problem('unitRootExists'));
  const parent = parentOf(path)!;
  return core.db.transaction().execute(async (trx) => {
    if (await getUnit(trx, path))
      throw new UserError('exists', problem('unitExists', { unit: path }));
    if (!(await getUnit(trx, parent)))
      throw new UserError('not_found', problem('unitParentMissing', { parent }));
    const row = {
      path,
      name: (opts.name ?? '').normalize('NFC'),
      parent_path: parent,
      created_at: now,
    };
    await trx.insertInto('units').values(row).execute();
    return row;
  });
}

/** Creates the unit and any missing ancestors; returns the paths it created, top down. */
export async function ensureUnit(trx: Db, path: string, now = Date.now()): Promise<string[]> {
  const created: string[] = [];
  for (const p of lineage(path)) {
    if (await getUnit(trx, p)) continue;
    await trx
      .insertInto('units')
      .values({ path: p, name: '', parent_path: parentOf(p), created_at: now })
      .execute();
    created.push(p);
  }
  return created;
}

export interface UnitInfo {
  path: string;
  name: string;
  parentPath: string | null;
  depth: number;
  /** Accounts directly in this unit (not below it). */
  accounts: number;
  createdAt: number;
}

/** Every unit in tree order: each unit right before its subtree, siblings by path. */
export async function listUnits(core: Core): Promise<UnitInfo[]> {
  const rows = await core.db.selectFrom('units').selectAll().execute();
  const counts = await core.db
    .selectFrom('accounts')
    .select(['unit_path', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('unit_path')
    .execute();
  const byUnit = new Map(counts.map((c) => [c.unit_path, Number(c.n)]));
  const key = (p: string): string[] => (p === ROOT ? [] : p.slice(1).split('/'));
  const cmp = (a: string[], b: string[]): number => {
    for (let i = 0; i < Math.min(a.length, b.length); i++)
      if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
    return a.length - b.length;
  };
  return rows
    .map((r) => ({ r, k: key(r.path) }))
    .sort((x, y) => cmp(x.k, y.k))
    .map(({ r, k }) => ({
      path: r.path,
      name: r.name,
      parentPath: r.parent_path,
      depth: k.length,
      accounts: byUnit.get(r.path) ?? 0,
      createdAt: Number(r.created_at),
    }));
}

/** Rewrites `column` of `table` for every row in the subtree `from` to lie under `to` instead. */
async function rewritePaths(
  trx: Transaction<Database>,
  table: 'units' | 'accounts' | 'role_grants',
  column: 'path' | 'parent_path' | 'unit_path',
  from: string,
  to: string,
): Promise<void> {
  // substr is 1-based on both SQLite and PostgreSQL; no LIKE, since '_' is a wildcard there.
  const col = sql.ref(column);
  const tail = from.length + 1;
  await sql`update ${sql.table(table)} set ${col} = cast(${to} as text) || substr(${col}, ${tail})
    where ${col} = ${from} or substr(${col}, 1, ${tail}) = ${`${from}/`}`.execute(trx);
}

/**
 * Moves a unit with its whole subtree under a new parent, keeping its last segment:
 * moveUnit('/a/x', '/b') makes '/b/x'. Accounts and role grants follow. Returns the new path.
 */
export async function moveUnit(core: Core, pathText: string, parentText: string): Promise<string> {
  const from = normalizeUnitPath(pathText);
  const parent = normalizeUnitPath(parentText);
  if (from === ROOT) throw new UserError('invalid', problem('unitRootCannotMove'));
  if (isWithin(parent, from))
    throw new UserError('invalid', problem('unitIntoItself', { unit: from }));
  const to = (parent === ROOT ? '' : parent) + from.slice(from.lastIndexOf('/'));
  await core.db.transaction().execute(async (trx) => {
    if (!(await getUnit(trx, from)))
      throw new UserError('not_found', problem('unitNotFound', { unit: from }));
    if (!(await getUnit(trx, parent)))
      throw new UserError('not_found', problem('unitNotFound', { unit: parent }));
    if (to === from) return;
    if (await getUnit(trx, to)) throw new UserError('exists', problem('unitExists', { unit: to }));
    await rewritePaths(trx, 'units', 'parent_path', from, to);
    await rewritePaths(trx, 'units', 'path', from, to);
    await trx.updateTable('units').set({ parent_path: parent }).where('path', '=', to).execute();
    await rewritePaths(trx, 'accounts', 'unit_path', from, to);
    await rewritePaths(trx, 'role_grants', 'unit_path', from, to);
  });
  return to;
}

async function countRows(
  trx: Db,
  table: 'units' | 'accounts' | 'role_grants',
  column: 'parent_path' | 'unit_path',
  value: string,
): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}
    where ${sql.ref(column)} = ${value}`.execute(trx);
  return Number(r.rows[0]?.n ?? 0);
}

/** Removes an empty unit: one with no child units, no accounts and no role grants. */
export async function removeUnit(core: Core, text: string): Promise<void> {
  const path = normalizeUnitPath(text);
  if (path === ROOT) throw new UserError('invalid', problem('unitRootCannotBeRemoved'));
  await core.db.transaction().execute(async (trx) => {
    if (!(await getUnit(trx, path)))
      throw new UserError('not_found', problem('unitNotFound', { unit: path }));
    const uses = [
      [await countRows(trx, 'units', 'parent_path', path), 'unitHasUnits'],
      [await countRows(trx, 'accounts', 'unit_path', path), 'unitHasAccounts'],
      [await countRows(trx, 'role_grants', 'unit_path', path), 'unitHasGrants'],
    ] as const;
    for (const [n, code] of uses)
      if (n > 0) throw new UserError('in_use', problem(code, { unit: path, n }));
    await trx.deleteFrom('units').where('path', '=', path).execute();
  });
}

/**
 * Imports unit paths, one per CSV record: `path[,name]` (a first record "path,name" is a
 * header and skipped). Missing parents are created; existing units are left as they are.
 */
export async function importUnitsCsv(
  core: Core,
  text: string,
  now = Date.now(),
): Promise<{ created: string[]; existing: string[] }> {
  const records = parseCsv(text);
  if (records[0]?.fields[0]?.trim().toLowerCase() === 'path') records.shift();
  const wanted = records.map((r) => {
    try {
      return { path: normalizeUnitPath(r.fields[0] ?? ''), name: (r.fields[1] ?? '').trim() };
    } catch (err) {
      throw unitPathOnLine(err, r.line, r.fields[0] ?? '');
    }
  });
  const created: string[] = [];
  const existing: string[] = [];
  await core.db.transaction().execute(async (trx) => {
    for (const w of wanted) {
      if (w.path === ROOT) continue;
      const made = await ensureUnit(trx, w.path, now);
      if (made.length === 0) existing.push(w.path);
      created.push(...made);
      if (w.name && made.includes(w.path))
        await trx
          .updateTable('units')
          .set({ name: w.name.normalize('NFC') })
          .where('path', '=', w.path)
          .execute();
    }
  });
  return { created, existing };
}

/** Moves an account to another unit. Its address, mail, aliases and grants stay. */
export async function moveAccount(core: Core, email: string, unitText: string): Promise<Account> {
  const unit = await mustGetUnit(core, unitText);
  const a = await getAccount(core, email);
  if (!a) throw new UserError('not_found', problem('accountNotFound', { email }));
  await core.db
    .updateTable('accounts')
    .set({ unit_path: unit.path })
    .where('id', '=', a.id)
    .execute();
  return { ...a, unit_path: unit.path };
}

export { lineage as unitLineage };
