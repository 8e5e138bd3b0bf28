// App passwords: one random password per mail client (IMAP, POP3, SMTP, DAV), shown once and
// stored as an Argon2id hash, listed by label and revoked one by one. When TOTP is on, they are
// the only way the protocol doors accept (signin.ts). Format: 16 letters and digits without
// look-alikes, shown in groups of four ("abcd-efgh-jkmn-pqrs"); dashes and spaces are ignored.
// Invariant: the password itself is never stored or logged; at most MAX per account, so a
// sign-in tries a bounded number of hashes.
import { randomBytes } from 'node:crypto';
import { UserError } from '../util/errors.ts';
import type { Core } from './core.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

export const MAX_APP_PASSWORDS = 20;
const ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';
const SHAPE = /^[a-z2-9]{4}([- ]?[a-z2-9]{4}){3}$/;

export interface AppPasswordInfo {
  id: string;
  label: string;
  createdAt: number;
  lastUsedAt: number | null;
}

/** The canonical form of something that looks like an app password, else null. */
function canonical(text: string): string | null {
  const t = text.trim().toLowerCase();
  return SHAPE.test(t) ? t.replace(/[- ]/g, '') : null;
}

function randomText(n: number): string {
  let s = '';
  for (const b of randomBytes(n)) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/** Creates an app password; the returned `password` is shown once and never again. */
export async function createAppPassword(
  core: Core,
  accountId: number,
  label: string,
  now = Date.now(),
): Promise<AppPasswordInfo & { password: string }> {
  const name = label.trim().normalize('NFC');
  if (!name || name.length > 100)
    throw new UserError('invalid', 'an app password needs a label of 1 to 100 characters');
  const count = await core.db
    .selectFrom('app_passwords')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('account_id', '=', accountId)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_APP_PASSWORDS)
    throw new UserError('limit', `at most ${MAX_APP_PASSWORDS} app passwords; revoke one first`);
  const raw = randomText(16);
  const id = randomText(8);
  await core.db
    .insertInto('app_passwords')
    .values({
      account_id: accountId,
      id,
      label: name,
      hash: await hashPassword(raw),
      created_at: now,
      last_used_at: null,
    })
    .execute();
  const password = raw.match(/.{4}/g)!.join('-');
  return { id, label: name, createdAt: now, lastUsedAt: null, password };
}

export async function listAppPasswords(core: Core, accountId: number): Promise<AppPasswordInfo[]> {
  const rows = await core.db
    .selectFrom('app_passwords')
    .select(['id', 'label', 'created_at', 'last_used_at'])
    .where('account_id', '=', accountId)
    .orderBy('created_at')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    createdAt: Number(r.created_at),
    lastUsedAt: r.last_used_at === null ? null : Number(r.last_used_at),
  }));
}

/** Revokes by id or by label; false when nothing matched. */
export async function revokeAppPassword(
  core: Core,
  accountId: number,
  idOrLabel: string,
): Promise<boolean> {
  const r = await core.db
    .deleteFrom('app_passwords')
    .where('account_id', '=', accountId)
    .where((eb) => eb.or([eb('id', '=', idOrLabel), eb('label', '=', idOrLabel)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function hasAppPasswords(core: Core, accountId: number): Promise<boolean> {
  const r = await core.db
    .selectFrom('app_passwords')
    .select('id')
    .where('account_id', '=', accountId)
    .limit(1)
    .executeTakeFirst();
  return r !== undefined;
}

/** The id of the app password the text matches (its last use is recorded), or null. */
export async function matchAppPassword(
  core: Core,
  accountId: number,
  text: string,
  now = Date.now(),
): Promise<string | null> {
  const c = canonical(text);
  if (!c) return null;
  const rows = await core.db
    .selectFrom('app_passwords')
    .select(['id', 'hash'])
    .where('account_id', '=', accountId)
    .orderBy('last_used_at', 'desc')
    .limit(MAX_APP_PASSWORDS)
    .execute();
  for (const r of rows) {
    if (!(await verifyPassword(c, r.hash))) continue;
    await core.db
      .updateTable('app_passwords')
      .set({ last_used_at: now })
      .where('account_id', '=', accountId)
      .where('id', '=', r.id)
      .execute();
    return r.id;
  }
  return null;
}
