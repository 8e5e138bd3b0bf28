// The TOTP second factor of an account (RFC 6238, codes in mail/totp.ts) and its recovery
// codes. Enrolment: `beginTotp` makes a secret (not yet enabled) and its otpauth:// URI;
// `confirmTotp` enables it once the user's app shows a valid code and returns 10 recovery
// codes (shown once, stored as SHA-256: they are random, 50 bits each, so a slow hash adds
// nothing). Invariants: a time step once accepted is never accepted again (replay: one
// conditional update on last_step); a recovery code works once; the secret never reaches a log.
// The secret is stored as base32 in the database (protect the database and its backups).
import { createHash, randomBytes } from 'node:crypto';
import { newTotpSecret, otpauthUri, verifyTotpCode } from '../mail/totp.ts';
import { UserError } from '../util/errors.ts';
import type { Core } from './core.ts';
import { getAccountById } from './accounts.ts';

const RECOVERY_CODES = 10;
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');
const normalizeCode = (s: string): string => s.trim().toLowerCase().replace(/[- ]/g, '');

export async function totpEnabled(core: Core, accountId: number): Promise<boolean> {
  const r = await core.db
    .selectFrom('totp')
    .select('enabled')
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return r?.enabled === 1;
}

/** Starts (or restarts) enrolment; TOTP stays off until `confirmTotp`. */
export async function beginTotp(
  core: Core,
  accountId: number,
  now = Date.now(),
): Promise<{ secret: string; uri: string }> {
  const a = await getAccountById(core, accountId);
  if (!a) throw new UserError('not_found', `no account ${accountId}`);
  if (await totpEnabled(core, accountId))
    throw new UserError('exists', 'two-step sign-in is already on; turn it off first');
  const secret = newTotpSecret();
  await core.db.deleteFrom('totp').where('account_id', '=', accountId).execute();
  await core.db
    .insertInto('totp')
    .values({ account_id: accountId, secret, enabled: 0, last_step: 0, created_at: now })
    .execute();
  return { secret, uri: otpauthUri(secret, a.email, core.config.hostname) };
}

/**
 * Accepts a code once: it must match a step within ±1 of now that is later than every step
 * accepted before (RFC 6238 §5.2: "the verifier MUST NOT accept the second attempt of the
 * same OTP after the successful validation has been issued for the first OTP").
 */
async function acceptCode(
  core: Core,
  accountId: number,
  code: string,
  now: number,
  enabled: 0 | 1,
): Promise<boolean> {
  const row = await core.db
    .selectFrom('totp')
    .select(['secret', 'last_step'])
    .where('account_id', '=', accountId)
    .where('enabled', '=', enabled)
    .executeTakeFirst();
  if (!row) return false;
  const step = verifyTotpCode(row.secret, code, now);
  if (step === null || step <= Number(row.last_step)) return false;
  const r = await core.db
    .updateTable('totp')
    .set({ last_step: step, enabled: 1 })
    .where('account_id', '=', accountId)
    .where('last_step', '<', step)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Enables TOTP with the first code from the user's app; returns the recovery codes. */
export async function confirmTotp(
  core: Core,
  accountId: number,
  code: string,
  now = Date.now(),
): Promise<string[]> {
  if (!(await acceptCode(core, accountId, code, now, 0)))
    throw new UserError('invalid', 'that code is not right; check the time on your phone');
  return newRecoveryCodes(core, accountId);
}

/** Replaces every recovery code with 10 new ones, returned once ("abcde-fghij"). */
export async function newRecoveryCodes(core: Core, accountId: number): Promise<string[]> {
  const codes: string[] = [];
  for (let i = 0; i < RECOVERY_CODES; i++) {
    let s = '';
    for (const b of randomBytes(10)) s += ALPHABET[b % ALPHABET.length];
    codes.push(`${s.slice(0, 5)}-${s.slice(5)}`);
  }
  await core.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
    await trx
      .insertInto('recovery_codes')
      .values(
        codes.map((c) => ({
          account_id: accountId,
          code_hash: sha256(normalizeCode(c)),
          used_at: null,
        })),
      )
      .execute();
  });
  return codes;
}

/** Checks a code from the app of an account with TOTP on (a used step is refused). */
export async function verifyTotp(
  core: Core,
  accountId: number,
  code: string,
  now = Date.now(),
): Promise<boolean> {
  return acceptCode(core, accountId, code, now, 1);
}

/** Spends a recovery code: true the first time, false ever after. */
export async function useRecoveryCode(
  core: Core,
  accountId: number,
  code: string,
  now = Date.now(),
): Promise<boolean> {
  const r = await core.db
    .updateTable('recovery_codes')
    .set({ used_at: now })
    .where('account_id', '=', accountId)
    .where('code_hash', '=', sha256(normalizeCode(code)))
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Turns TOTP off and drops the recovery codes (the user's choice, or an admin reset). */
export async function disableTotp(core: Core, accountId: number): Promise<boolean> {
  return core.db.transaction().execute(async (trx) => {
    await trx.deleteFrom('recovery_codes').where('account_id', '=', accountId).execute();
    const r = await trx.deleteFrom('totp').where('account_id', '=', accountId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  });
}
