// Sign-in failures in the audit log (action 'signin.failure', outcome 'denied'): who tried
// (the name given), which door, from which address, why (detail.reason: 'invalid', 'locked',
// 'must_change_password', 'app_password_required', 'totp_invalid').
// Bounded: repeats of the same (name, address, door, reason) within one clock minute are folded
// into that minute's row, whose detail.count is raised, so an attacker hammering one account
// from one address adds at most one row a minute per node (and the per-IP blocks of the doors
// and the per-account lockout cap how often that happens). Cost: one insert for the first
// failure of a minute, one update by primary key for each repeat.
// The fold table is per process and per Core, bounded by sweeping past minutes.
import type { Account } from '../store/schema.ts';
import type { Core } from './core.ts';

export interface FailureEvent {
  /** The user name given (truncated), whether or not an account has it. */
  name: string;
  account?: Account | undefined;
  door: string;
  ip?: string | undefined;
  reason: string;
}

interface Fold {
  id: number;
  minute: number;
  count: number;
}

const folds = new WeakMap<Core, Map<string, Fold>>();
const SWEEP_AT = 10_000;

export async function auditSignInFailure(core: Core, e: FailureEvent, now: number): Promise<void> {
  const minute = Math.floor(now / 60_000);
  const name = e.name.slice(0, 320);
  const key = `${name}\n${e.ip ?? ''}\n${e.door}\n${e.reason}`;
  let map = folds.get(core);
  if (!map) folds.set(core, (map = new Map()));
  const f = map.get(key);
  if (f && f.minute === minute) {
    f.count++;
    const detail = JSON.stringify({ door: e.door, reason: e.reason, count: f.count });
    await core.db.updateTable('audit_log').set({ detail }).where('id', '=', f.id).execute();
    return;
  }
  if (map.size >= SWEEP_AT) for (const [k, v] of map) if (v.minute < minute) map.delete(k);
  const row = await core.db
    .insertInto('audit_log')
    .values({
      at: now,
      actor: name,
      ip: e.ip ?? null,
      action: 'signin.failure',
      target: e.account?.email ?? name,
      unit_path: e.account?.unit_path ?? null,
      detail: JSON.stringify({ door: e.door, reason: e.reason, count: 1 }),
      outcome: 'denied',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  map.set(key, { id: Number(row.id), minute, count: 1 });
}
