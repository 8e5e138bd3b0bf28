// API keys for scripts on the admin API: an administrator makes one for themselves (a label,
// an optional expiry), sees it once, and sends it as `Authorization: Bearer <key>`; the key
// acts with that administrator's roles as they are at each request (a revoked role, a disabled
// account or a removed account takes effect at once). Key form: "champa_<accountId>_<secret>",
// so a lookup stays within one account's rows (sharding by account, DESIGN.md); only a SHA-256
// of the secret is stored (the secret is 256 random bits, so a slow hash adds nothing).
// Invariants: the key itself is never stored or logged; an expired key is refused like an
// unknown one; every create and revoke is in the audit log.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { UserError } from '../util/errors.ts';
import { problem } from '../util/problems.ts';
import type { Account } from '../store/schema.ts';
import type { Core } from './core.ts';
import { getAccountById } from './accounts.ts';

export const MAX_API_KEYS = 20;
const ID_LEN = 16;
/** last_used_at is written at most this often per key (a script may call many times a second). */
const USE_PRECISION_MS = 60_000;

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

export interface ApiKeyInfo {
  id: string;
  label: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
}

function parseKey(key: string): { accountId: number; hash: string } | null {
  const m = /^champa_(\d{1,15})_([A-Za-z0-9_-]{43})$/.exec(key.trim());
  if (!m) return null;
  return { accountId: Number(m[1]), hash: hashOf(m[2]!) };
}

/** Whether a bearer credential has the form of an API key (so the caller may say so). */
export function looksLikeApiKey(key: string): boolean {
  return parseKey(key) !== null;
}

export async function createApiKey(
  core: Core,
  accountId: number,
  opts: { label: string; expiresAt?: number | null },
  now = Date.now(),
): Promise<ApiKeyInfo & { key: string }> {
  const label = opts.label.normalize('NFC').trim();
  if (!label) throw new UserError('invalid', problem('apiKeyLabelMissing'));
  if (opts.expiresAt != null && opts.expiresAt <= now)
    throw new UserError('invalid', problem('apiKeyExpiryPast'));
  const n = await core.db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (Number(n.n) >= MAX_API_KEYS)
    throw new UserError('limit', problem('apiKeysLimit', { max: MAX_API_KEYS }));
  const secret = randomBytes(32).toString('base64url');
  const hash = hashOf(secret);
  const row = {
    account_id: accountId,
    id: hash.slice(0, ID_LEN),
    secret_hash: hash,
    label: label.slice(0, 200),
    created_at: now,
    expires_at: opts.expiresAt ?? null,
    last_used_at: null,
  };
  await core.db.insertInto('api_keys').values(row).execute();
  return {
    id: row.id,
    label: row.label,
    createdAt: now,
    expiresAt: row.expires_at,
    lastUsedAt: null,
    key: `champa_${accountId}_${secret}`,
  };
}

export async function listApiKeys(core: Core, accountId: number): Promise<ApiKeyInfo[]> {
  const rows = await core.db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    createdAt: Number(r.created_at),
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  }));
}

export async function revokeApiKey(core: Core, accountId: number, id: string): Promise<boolean> {
  const r = await core.db
    .deleteFrom('api_keys')
    .where('account_id', '=', accountId)
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/**
 * The account an API key acts for, or null (malformed, unknown, revoked, expired, or the
 * account disabled or gone). Records the use, to the minute.
 */
export async function apiKeyAccount(
  core: Core,
  key: string,
  now = Date.now(),
): Promise<Account | null> {
  const p = parseKey(key);
  if (!p) return null;
  const row = await core.db
    .selectFrom('api_keys')
    .selectAll()
    .where('account_id', '=', p.accountId)
    .where('id', '=', p.hash.slice(0, ID_LEN))
    .executeTakeFirst();
  if (!row) return null;
  if (!timingSafeEqual(Buffer.from(row.secret_hash), Buffer.from(p.hash))) return null;
  if (row.expires_at !== null && Number(row.expires_at) <= now) return null;
  const account = await getAccountById(core, p.accountId);
  if (!account || account.disabled) return null;
  if (row.last_used_at === null || Number(row.last_used_at) < now - USE_PRECISION_MS)
    await core.db
      .updateTable('api_keys')
      .set({ last_used_at: now })
      .where('account_id', '=', p.accountId)
      .where('id', '=', row.id)
      .execute();
  return account;
}
