// Per-account lockout with backoff, shared by every door and every node of a cluster (the
// state is a row in `signin_lockouts`, changed with single atomic statements).
// After `security.lockoutThreshold` failed sign-ins the account is locked for
// `lockoutBaseSeconds`, doubling with each further lock up to `lockoutMaxSeconds`. Failures
// made while locked are not counted (they cannot extend the lock; they are still audited).
// A success resets the failure count; the doubling level resets after a day without failures
// or when an administrator unlocks the account (`account.unlock`).
// Invariant: a locked account is refused exactly like a wrong password (signin.ts).
import type { Core } from './core.ts';

const QUIET_MS = 24 * 60 * 60_000;

export interface LockoutState {
  failures: number;
  level: number;
  lockedUntil: number;
}

function policy(core: Core): { threshold: number; baseMs: number; maxMs: number } {
  const s = core.config.security;
  return {
    threshold: s.lockoutThreshold,
    baseMs: s.lockoutBaseSeconds * 1000,
    maxMs: s.lockoutMaxSeconds * 1000,
  };
}

/** How long the lock at this level lasts: base × 2^level, capped. */
export function lockDuration(core: Core, level: number): number {
  const p = policy(core);
  return Math.min(p.baseMs * 2 ** Math.min(level, 30), p.maxMs);
}

export async function lockoutState(core: Core, accountId: number): Promise<LockoutState | null> {
  const r = await core.db
    .selectFrom('signin_lockouts')
    .selectAll()
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  if (!r) return null;
  return { failures: r.failures, level: r.level, lockedUntil: Number(r.locked_until) };
}

export async function isLocked(core: Core, accountId: number, now: number): Promise<boolean> {
  const s = await lockoutState(core, accountId);
  return s !== null && s.lockedUntil > now;
}

/** Counts one failure; returns the end of the lock it started, or null. */
export async function recordFailure(
  core: Core,
  accountId: number,
  now: number,
): Promise<number | null> {
  const quiet = now - QUIET_MS;
  const row = await core.db
    .insertInto('signin_lockouts')
    .values({ account_id: accountId, failures: 1, level: 0, locked_until: 0, last_failure_at: now })
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet((eb) => ({
        level: eb
          .case()
          .when('signin_lockouts.last_failure_at', '<', quiet)
          .then(0)
          .else(eb.ref('signin_lockouts.level'))
          .end(),
        failures: eb
          .case()
          .when('signin_lockouts.last_failure_at', '<', quiet)
          .then(1)
          .when('signin_lockouts.locked_until', '>', now)
          .then(eb.ref('signin_lockouts.failures'))
          .else(eb('signin_lockouts.failures', '+', 1))
          .end(),
        last_failure_at: now,
      })),
    )
    .returning(['failures', 'level'])
    .executeTakeFirstOrThrow();
  const failures = Number(row.failures);
  const level = Number(row.level);
  if (failures < policy(core).threshold) return null;
  const until = now + lockDuration(core, level);
  // Conditional on what we read, so two nodes counting the same failure lock only once.
  const r = await core.db
    .updateTable('signin_lockouts')
    .set({ failures: 0, level: level + 1, locked_until: until })
    .where('account_id', '=', accountId)
    .where('failures', '=', failures)
    .where('level', '=', level)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0 ? until : null;
}

/** A successful sign-in forgets the failures so far (the doubling level stays for a day). */
export async function recordSuccess(core: Core, accountId: number): Promise<void> {
  await core.db
    .updateTable('signin_lockouts')
    .set({ failures: 0 })
    .where('account_id', '=', accountId)
    .where('failures', '>', 0)
    .execute();
}

/** Clears the lock, the failures and the doubling (`account.unlock`). */
export async function unlockAccount(core: Core, accountId: number): Promise<boolean> {
  const r = await core.db
    .deleteFrom('signin_lockouts')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
