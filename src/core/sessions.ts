// Web sessions: a random token given to the browser, of which only a SHA-256 is stored, with
// when it was made and last used, from which address and which browser. Listed and revoked by
// the user (or an administrator). Token form: "<accountId>.<secret>", so a lookup stays within
// one account's rows (sharding by account, DESIGN.md). Invariant: the token is never stored.
import { createHash, randomBytes } from 'node:crypto';
import type { Account } from '../store/schema.ts';
import type { Core } from './core.ts';
import { getAccountById } from './accounts.ts';

export interface SessionInfo {
  /** A short public id of the session (the start of its hash): for listing and revoking. */
  id: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string | null;
  userAgent: string | null;
}

const ID_LEN = 16;
const SEEN_PRECISION_MS = 60_000;
const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

function parseToken(token: string): { accountId: number; hash: string } | null {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return null;
  return { accountId: Number(m[1]), hash: hashOf(m[2]!) };
}

/** The public id of the session a token opens (for marking "this session"), or null. */
export function sessionIdOf(token: string): string | null {
  return parseToken(token)?.hash.slice(0, ID_LEN) ?? null;
}

export async function createSession(
  core: Core,
  accountId: number,
  from: { ip?: string; userAgent?: string } = {},
  now = Date.now(),
): Promise<{ token: string; id: string }> {
  const secret = randomBytes(32).toString('base64url');
  const hash = hashOf(secret);
  await core.db
    .insertInto('sessions')
    .values({
      account_id: accountId,
      id_hash: hash,
      created_at: now,
      last_seen_at: now,
      ip: from.ip ?? null,
      user_agent: from.userAgent?.slice(0, 300) ?? null,
    })
    .execute();
  return { token: `${accountId}.${secret}`, id: hash.slice(0, ID_LEN) };
}

/**
 * The account a token signs in, or null (unknown, revoked, idle longer than `idleMs`, or the
 * account disabled). Records the use.
 */
export async function sessionAccount(
  core: Core,
  token: string,
  now = Date.now(),
  idleMs = 14 * 24 * 60 * 60_000,
): Promise<Account | null> {
  const t = parseToken(token);
  if (!t) return null;
  const row = await core.db
    .selectFrom('sessions')
    .select('last_seen_at')
    .where('account_id', '=', t.accountId)
    .where('id_hash', '=', t.hash)
    .executeTakeFirst();
  if (!row || Number(row.last_seen_at) <= now - idleMs) return null;
  // Recorded at most once a minute: a write on every request would serialise the web app's
  // reads behind the store's single writer.
  if (now - Number(row.last_seen_at) > SEEN_PRECISION_MS)
    await core.db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('account_id', '=', t.accountId)
      .where('id_hash', '=', t.hash)
      .execute();
  const a = await getAccountById(core, t.accountId);
  return a && !a.disabled ? a : null;
}

export async function listSessions(core: Core, accountId: number): Promise<SessionInfo[]> {
  const rows = await core.db
    .selectFrom('sessions')
    .selectAll()
    .where('account_id', '=', accountId)
    .orderBy('last_seen_at', 'desc')
    .execute();
  return rows.map((r) => ({
    id: r.id_hash.slice(0, ID_LEN),
    createdAt: Number(r.created_at),
    lastSeenAt: Number(r.last_seen_at),
    ip: r.ip,
    userAgent: r.user_agent,
  }));
}

/** Revokes one session by its public id; false when none matched. */
export async function revokeSession(core: Core, accountId: number, id: string): Promise<boolean> {
  if (!/^[0-9a-f]{16}$/.test(id)) return false;
  const r = await core.db
    .deleteFrom('sessions')
    .where('account_id', '=', accountId)
    .where('id_hash', 'like', `${id}%`)
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Revokes every session of the account (all but `exceptToken`'s); returns how many. */
export async function revokeAllSessions(
  core: Core,
  accountId: number,
  exceptToken?: string,
): Promise<number> {
  let q = core.db.deleteFrom('sessions').where('account_id', '=', accountId);
  const keep = exceptToken ? parseToken(exceptToken) : null;
  if (keep) q = q.where('id_hash', '<>', keep.hash);
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}
