// /api/admin/units…: the unit tree (listing within reach, create, move, remove, CSV import)
// and /api/admin/roles…: role grants. Writes go through performAdmin, as the CLI's do.
import { NewGrant, NewUnit, UnitMove, type UnitInfo } from '../../api/schemas.ts';
import { pageGrants } from '../../core/adminquery.ts';
import { actorName } from '../../core/audit.ts';
import { authorize, grantRole, performAdmin, revokeRole } from '../../core/roles.ts';
import {
  addUnit,
  getUnit,
  importUnitsCsv,
  isWithin,
  listUnits,
  moveUnit,
  normalizeUnitPath,
  removeUnit,
  unitPathOnLine,
} from '../../core/units.ts';
import { decodeUtf8, parseCsv } from '../../util/csv.ts';
import { UserError } from '../../util/errors.ts';
import { problem } from '../../util/problems.ts';
import { parse } from '../input.ts';
import { int, json, noContent, readable, type Handler } from './context.ts';

export const unitHandlers: Record<string, Handler> = {
  async listUnits(c) {
    const where = await readable(c, 'unit.read');
    const q = c.query.q?.toLowerCase();
    const all: UnitInfo[] = (await listUnits(c.core))
      .filter((u) => where === 'all' || where.some((root) => isWithin(u.path, root)))
      .filter((u) => !q || u.path.includes(q) || u.name.toLowerCase().includes(q))
      .map((u) => ({
        path: u.path,
        name: u.name,
        parentPath: u.parentPath,
        depth: u.depth,
        accounts: u.accounts,
      }));
    const offset = int(c.query.offset) ?? 0;
    const limit = Math.min(Math.max(int(c.query.limit) ?? 1000, 1), 10_000);
    return json(200, {
      items: all.slice(offset, offset + limit),
      total: all.length,
      offset,
      limit,
    });
  },

  async createUnit(c) {
    const u = parse(NewUnit, c.body);
    const path = normalizeUnitPath(u.path);
    const row = await performAdmin(c.core, c.actor, 'unit.create', { unitPath: path }, () =>
      addUnit(c.core, path, { name: u.name }),
    );
    return json(201, { path: row.path, name: row.name });
  },

  async moveUnit(c) {
    const m = parse(UnitMove, c.body);
    const from = normalizeUnitPath(m.path);
    const parent = normalizeUnitPath(m.parent);
    const to = await performAdmin(
      c.core,
      c.actor,
      'unit.move',
      { unitPath: from, toUnitPath: parent },
      () => moveUnit(c.core, from, parent),
      { from, newParent: parent },
    );
    const row = await getUnit(c.core, to);
    return json(200, { path: to, name: row?.name ?? '' });
  },

  async removeUnit(c) {
    const path = normalizeUnitPath(c.query.path!);
    await performAdmin(c.core, c.actor, 'unit.remove', { unitPath: path }, () =>
      removeUnit(c.core, path),
    );
    return noContent();
  },

  async importUnits(c) {
    const text = decodeUtf8(c.body as Uint8Array, 'the CSV file');
    const paths: string[] = [];
    for (const r of parseCsv(text)) {
      const first = r.fields[0]?.trim() ?? '';
      if (r.line === 1 && first.toLowerCase() === 'path') continue;
      try {
        paths.push(normalizeUnitPath(first));
      } catch (err) {
        throw unitPathOnLine(err, r.line, first);
      }
    }
    if (paths.length === 0) throw new UserError('invalid', problem('unitsFileEmpty'));
    // Every path must lie within the actor's reach (each refusal is audited).
    for (const p of new Set(paths))
      await authorize(c.core, c.actor, 'unit.create', { unitPath: p });
    const r = await performAdmin(
      c.core,
      c.actor,
      'unit.create',
      { unitPath: paths[0]!, label: 'import units CSV' },
      () => importUnitsCsv(c.core, text),
      { import: true, units: paths.length },
    );
    return json(200, r);
  },

  async listGrants(c) {
    const where = await readable(c, 'unit.read');
    const unit = c.query.unit === undefined ? undefined : normalizeUnitPath(c.query.unit);
    const page = await pageGrants(c.core, where, {
      unit,
      email: c.query.email,
      offset: int(c.query.offset),
      limit: int(c.query.limit),
    });
    return json(200, {
      ...page,
      items: page.items.map((g) => ({
        email: g.email,
        role: g.role,
        unit: g.unitPath,
        grantedBy: g.grantedBy,
        grantedAt: g.grantedAt,
      })),
    });
  },

  async grantRole(c) {
    const g = parse(NewGrant, c.body);
    const unitPath = normalizeUnitPath(g.unit);
    const by = await actorName(c.core, c.actor);
    const row = await performAdmin(
      c.core,
      c.actor,
      'role.grant',
      { email: g.email, unitPath, role: g.role },
      () => grantRole(c.core, g.email, g.role, unitPath, by),
      { op: 'grant', role: g.role },
    );
    return json(201, {
      email: row.email,
      role: row.role,
      unit: row.unitPath,
      grantedBy: row.grantedBy,
      grantedAt: row.grantedAt,
    });
  },

  async revokeRole(c) {
    const g = parse(NewGrant, c.body);
    const unitPath = normalizeUnitPath(g.unit);
    await performAdmin(
      c.core,
      c.actor,
      'role.grant',
      { email: g.email, unitPath, role: g.role },
      () => revokeRole(c.core, g.email, g.role, unitPath),
      { op: 'revoke', role: g.role },
    );
    return noContent();
  },
};
