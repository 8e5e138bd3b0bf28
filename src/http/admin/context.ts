// What every admin API handler receives, and the small helpers they share: the actor, the
// parsed path, query and body, and the reach of an action for listings.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Grant, User } from '../../api/schemas.ts';
import type { Actor } from '../../core/audit.ts';
import type { Core } from '../../core/core.ts';
import { authorize, isRole, reach, type AdminAction, type Role } from '../../core/roles.ts';
import type { Reach } from '../../core/adminquery.ts';
import type { Account } from '../../store/schema.ts';
import type { HttpAuth } from '../auth.ts';
import { problem } from '../../util/problems.ts';
import { BadRequest, fieldError } from '../input.ts';

export interface Ctx {
  core: Core;
  auth: HttpAuth;
  req: IncomingMessage;
  res: ServerResponse;
  /** On the public routes: account id 0, which no account has (so it may do nothing). */
  actor: Actor;
  account: Account | null;
  via: 'session' | 'basic' | 'apikey' | null;
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  /** The parsed JSON body, or the raw bytes of a CSV body. */
  body: unknown;
}

export type Reply =
  | { status: number; json: unknown }
  | { status: 204 }
  | { status: number; csv: string; filename: string };

export type Handler = (c: Ctx) => Promise<Reply>;

export const json = (status: number, value: unknown): Reply => ({ status, json: value });
export const noContent = (): Reply => ({ status: 204 });

/** The subtrees where the actor may do `action`; a refusal (audited) when there are none. */
export async function readable(c: Ctx, action: AdminAction): Promise<Reach> {
  const where = await reach(c.core, c.actor, action);
  if (where !== 'all' && where.length === 0) await authorize(c.core, c.actor, action);
  return where;
}

/** A whole number from a query parameter already checked by the route's schema. */
export function int(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

export function bool(text: string | undefined): boolean | undefined {
  return text === undefined ? undefined : text === 'true';
}

/** Milliseconds since the epoch, from digits or an ISO 8601 time. */
export function time(text: string | undefined, field: string): number | undefined {
  if (text === undefined) return undefined;
  const t = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(t)) throw new BadRequest([fieldError(field, problem('fieldNotTime'))]);
  return t;
}

export function userOf(a: Account): User {
  return {
    email: a.email,
    name: a.name,
    unit: a.unit_path,
    quota: Number(a.quota_bytes),
    disabled: a.disabled === 1,
  };
}

/** The account's grants, with the root administrator made by `champa init` as global_admin. */
export async function rolesOf(core: Core, a: Account): Promise<Grant[]> {
  const rows = await core.db
    .selectFrom('role_grants')
    .select(['role', 'unit_path', 'granted_by', 'granted_at'])
    .where('account_id', '=', a.id)
    .orderBy('unit_path')
    .execute();
  const out: Grant[] = rows
    .filter((r) => isRole(r.role))
    .map((r) => ({
      email: a.email,
      role: r.role as Role,
      unit: r.unit_path,
      grantedBy: r.granted_by,
      grantedAt: Number(r.granted_at),
    }));
  if (a.is_admin)
    out.unshift({
      email: a.email,
      role: 'global_admin',
      unit: '/',
      grantedBy: 'champa init',
      grantedAt: Number(a.created_at),
    });
  return out;
}
