// The audit log: who did what, to what, when, from where, and how it ended. Every administrative
// action of every door (CLI, admin API, web console) is written here: refusals by `authorize`
// ('denied'), and the outcome of the action itself ('ok' or 'error') by the door's helper.
// Invariants: rows are only ever appended (one exception: a sign-in failure row counts the
// repeats of its minute, core/signinaudit.ts); `detail` is a JSON object, never a password.
import { userInfo } from 'node:os';
import type { AuditEntry } from '../store/schema.ts';
import type { Core } from './core.ts';
import { getAccountById } from './accounts.ts';

/** Who acts: the command line (the machine's administrator) or a signed-in account. */
export type Actor = { kind: 'cli' } | { kind: 'account'; accountId: number; ip?: string };

export const CLI_ACTOR: Actor = { kind: 'cli' };

export type Outcome = 'ok' | 'denied' | 'error';

/** What an action is about. Every field is optional; the audit row names the most specific. */
export interface AdminTarget {
  unitPath?: string;
  /** For moves: the destination unit, which must be within reach as well. */
  toUnitPath?: string;
  accountId?: number;
  /** An account by address (resolved to its id and unit by `authorize`). */
  email?: string;
  domain?: string;
  /** For role grants: the role being granted or revoked. */
  role?: string;
  /** Free text naming the target when none of the above does (a queue id, a file). */
  label?: string;
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? String(process.getuid?.() ?? 'unknown');
  }
}

/** The name written in the audit log: 'cli:<os user>' or the account's address. */
export async function actorName(core: Core, actor: Actor): Promise<string> {
  if (actor.kind === 'cli') return `cli:${osUser()}`;
  const a = await getAccountById(core, actor.accountId);
  return a?.email ?? `account:${actor.accountId}`;
}

function targetText(t: AdminTarget | string): string {
  if (typeof t === 'string') return t;
  return (
    t.email ?? t.label ?? t.domain ?? t.unitPath ?? (t.accountId ? `account:${t.accountId}` : '')
  );
}

/** Appends one row to the audit log. */
export async function audit(
  core: Core,
  actor: Actor,
  action: string,
  target: AdminTarget | string,
  detail: Record<string, unknown> = {},
  outcome: Outcome = 'ok',
  now = Date.now(),
): Promise<void> {
  let unitPath = typeof target === 'string' ? undefined : target.unitPath;
  if (unitPath === undefined && typeof target !== 'string' && target.accountId)
    unitPath = (await getAccountById(core, target.accountId))?.unit_path;
  await core.db
    .insertInto('audit_log')
    .values({
      at: now,
      actor: await actorName(core, actor),
      ip: actor.kind === 'account' ? (actor.ip ?? null) : null,
      action,
      target: targetText(target),
      unit_path: unitPath ?? null,
      detail: JSON.stringify(detail),
      outcome,
    })
    .execute();
}

export interface AuditQuery {
  since?: number;
  until?: number;
  actor?: string;
  action?: string;
  outcome?: Outcome;
  /** Only rows about this unit's subtree (for auditors whose reach is a subtree). */
  underUnit?: string;
  limit?: number;
}

export interface AuditRow {
  id: number;
  at: number;
  actor: string;
  ip: string | null;
  action: string;
  target: string;
  unitPath: string | null;
  detail: Record<string, unknown>;
  outcome: Outcome;
}

/** Audit rows, newest first. `action` matches exactly, or a prefix when it ends with '.'/'*'. */
export async function listAudit(core: Core, q: AuditQuery = {}): Promise<AuditRow[]> {
  let query = core.db.selectFrom('audit_log').selectAll().orderBy('id', 'desc');
  if (q.since !== undefined) query = query.where('at', '>=', q.since);
  if (q.until !== undefined) query = query.where('at', '<', q.until);
  if (q.actor) query = query.where('actor', '=', q.actor);
  if (q.outcome) query = query.where('outcome', '=', q.outcome);
  if (q.action) {
    const prefix = q.action.replace(/\*$/, '');
    query =
      prefix.endsWith('.') || q.action.endsWith('*')
        ? query.where((eb) =>
            eb(eb.fn('substr', ['action', eb.lit(1), eb.lit(prefix.length)]), '=', prefix),
          )
        : query.where('action', '=', q.action);
  }
  if (q.underUnit && q.underUnit !== '/') {
    const u = q.underUnit;
    query = query.where((eb) =>
      eb.or([
        eb('unit_path', '=', u),
        eb(eb.fn('substr', ['unit_path', eb.lit(1), eb.lit(u.length + 1)]), '=', `${u}/`),
      ]),
    );
  }
  const rows: AuditEntry[] = await query.limit(Math.min(q.limit ?? 1000, 100_000)).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    at: Number(r.at),
    actor: r.actor,
    ip: r.ip,
    action: r.action,
    target: r.target,
    unitPath: r.unit_path,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    outcome: r.outcome as Outcome,
  }));
}
