// User accounts: creation (with the default mailboxes), passwords (Argon2id), quotas,
// disabling and removal, and sign-in. An address belongs to exactly one account or alias.
import { normalizeAddress, parseAddress } from '../mail/address.ts';
import { UserError } from '../util/errors.ts';
import { problem, withMessage } from '../util/problems.ts';
import type { Transaction } from 'kysely';
import type { Account, Database } from '../store/schema.ts';
import type { Core } from './core.ts';
import { getDomain } from './domains.ts';
import { createDefaultMailboxes } from './mailboxes.ts';
import {
  checkPasswordPolicy,
  hashPassword,
  verifyPassword,
  type PasswordPolicy,
} from './passwords.ts';
import { verifySignIn, type SignInDoor } from './signin.ts';
import { releaseBlobs } from './blobrefs.ts';
import { dropSubmissions } from './submission.ts';
import { dropAccountGrants } from './acl.ts';
import { dropUploads } from './uploads.ts';

export interface NewUser {
  email: string;
  name?: string;
  password: string;
  quotaBytes?: number;
  unitPath?: string;
  isAdmin?: boolean;
  /** Refuse protocol sign-in until the user chooses a new password (initial passwords). */
  mustChangePassword?: boolean;
}

/** Parses "500M", "2G", "1048576" or "0" (unlimited) into bytes. */
export function parseQuota(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B?|B)?\s*$/i.exec(text);
  if (!m) throw new UserError('invalid', problem('quotaInvalid', { quota: text }));
  const unit = (m[2] ?? 'B').toUpperCase()[0] ?? 'B';
  const mult = { B: 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[unit] ?? 1;
  return Math.round(Number(m[1]) * mult);
}

async function addressTaken(core: Core, address: string): Promise<boolean> {
  const a = await core.db
    .selectFrom('accounts')
    .select('id')
    .where('email', '=', address)
    .executeTakeFirst();
  if (a) return true;
  const b = await core.db
    .selectFrom('aliases')
    .select('address')
    .where('address', '=', address)
    .executeTakeFirst();
  return b !== undefined;
}

export async function addUser(core: Core, u: NewUser, now = Date.now()): Promise<Account> {
  const email = normalizeAddress(u.email);
  if (!email) throw new UserError('invalid', problem('addressInvalid', { address: u.email }));
  const domain = parseAddress(email)!.domain;
  if (!(await getDomain(core, domain))) {
    const p = problem('domainNotServed', { domain });
    throw new UserError(
      'not_found',
      withMessage(p, `${p.message}; add it with "champa domain add ${domain}"`),
    );
  }
  if (await addressTaken(core, email))
    throw new UserError('exists', problem('addressInUse', { address: email }));
  const weak = checkPasswordPolicy(u.password, passwordPolicy(core, email));
  if (weak) throw new UserError('weak_password', weak);
  const quota = u.quotaBytes ?? 0;
  if (!Number.isSafeInteger(quota) || quota < 0)
    throw new UserError('invalid', problem('quotaNegative'));
  const password_hash = await hashPassword(u.password);
  return core.db
    .transaction()
    .execute((trx) => insertAccount(trx, { ...u, email, quotaBytes: quota }, password_hash, now));
}

/**
 * Inserts a checked account with its default mailboxes inside the caller's transaction: the
 * address is normalised, free and in a served domain, the password already hashed. For bulk
 * imports, which validate and hash ahead; everyone else calls addUser.
 */
export async function insertAccount(
  trx: Transaction<Database>,
  u: Omit<NewUser, 'password'>,
  passwordHash: string,
  now = Date.now(),
): Promise<Account> {
  const row = await trx
    .insertInto('accounts')
    .values({
      email: u.email,
      domain: parseAddress(u.email)!.domain,
      name: (u.name ?? '').normalize('NFC'),
      unit_path: u.unitPath ?? '/',
      password_hash: passwordHash,
      quota_bytes: u.quotaBytes ?? 0,
      is_admin: u.isAdmin ? 1 : 0,
      must_change_password: u.mustChangePassword ? 1 : 0,
      created_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await createDefaultMailboxes(trx, Number(row.id), now);
  return { ...row, id: Number(row.id) };
}

export async function getAccount(core: Core, email: string): Promise<Account | undefined> {
  const e = normalizeAddress(email);
  if (!e) return undefined;
  return core.db.selectFrom('accounts').selectAll().where('email', '=', e).executeTakeFirst();
}

export async function getAccountById(core: Core, id: number): Promise<Account | undefined> {
  return core.db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
}

async function mustGet(core: Core, email: string): Promise<Account> {
  const a = await getAccount(core, email);
  if (!a) throw new UserError('not_found', problem('accountNotFound', { email }));
  return a;
}

export async function listAccounts(core: Core, domain?: string): Promise<Account[]> {
  let q = core.db.selectFrom('accounts').selectAll().orderBy('email');
  if (domain) q = q.where('domain', '=', domain.toLowerCase());
  return q.execute();
}

/** The configured password policy for an address (security.passwordMinLength). */
export function passwordPolicy(core: Core, email: string): PasswordPolicy {
  return { minLength: core.config.security.passwordMinLength, email };
}

/**
 * An administrator's reset. `temporary`: the user must choose a new one at the next sign-in
 * (protocol doors refuse the account until then); otherwise the flag is cleared.
 */
export async function setPassword(
  core: Core,
  email: string,
  password: string,
  opts: { temporary?: boolean } = {},
): Promise<void> {
  const a = await mustGet(core, email);
  const weak = checkPasswordPolicy(password, passwordPolicy(core, a.email));
  if (weak) throw new UserError('weak_password', weak);
  const hash = await hashPassword(password);
  await core.db
    .updateTable('accounts')
    .set({ password_hash: hash, must_change_password: opts.temporary ? 1 : 0 })
    .where('id', '=', a.id)
    .execute();
}

/** The user's own change: needs the current password; clears `must_change_password`. */
export async function changeOwnPassword(
  core: Core,
  accountId: number,
  current: string,
  next: string,
): Promise<void> {
  const a = await getAccountById(core, accountId);
  if (!a || !(await verifyPassword(current, a.password_hash)))
    throw new UserError('invalid', problem('passwordWrong'));
  if (current === next) throw new UserError('weak_password', problem('passwordSame'));
  const weak = checkPasswordPolicy(next, passwordPolicy(core, a.email));
  if (weak) throw new UserError('weak_password', weak);
  await core.db
    .updateTable('accounts')
    .set({ password_hash: await hashPassword(next), must_change_password: 0 })
    .where('id', '=', a.id)
    .execute();
}

export async function setDisabled(core: Core, email: string, disabled: boolean): Promise<void> {
  const a = await mustGet(core, email);
  await core.db
    .updateTable('accounts')
    .set({ disabled: disabled ? 1 : 0 })
    .where('id', '=', a.id)
    .execute();
}

export async function setQuota(core: Core, email: string, quotaBytes: number): Promise<void> {
  const a = await mustGet(core, email);
  await core.db
    .updateTable('accounts')
    .set({ quota_bytes: quotaBytes })
    .where('id', '=', a.id)
    .execute();
}

export async function setName(core: Core, email: string, name: string): Promise<void> {
  const a = await mustGet(core, email);
  await core.db
    .updateTable('accounts')
    .set({ name: name.normalize('NFC') })
    .where('id', '=', a.id)
    .execute();
}

/** Removes an account, its aliases, mailboxes and messages; blobs lose one reference each. */
export async function removeAccount(core: Core, email: string): Promise<void> {
  const a = await mustGet(core, email);
  await core.db.transaction().execute(async (trx) => {
    const hashes = await trx
      .selectFrom('emails')
      .select('blob_hash')
      .where('account_id', '=', a.id)
      .execute();
    await trx.deleteFrom('email_mailboxes').where('account_id', '=', a.id).execute();
    await trx.deleteFrom('emails').where('account_id', '=', a.id).execute();
    await core.store.fulltext.removeAccount(trx, a.id);
    await trx.deleteFrom('mailboxes').where('account_id', '=', a.id).execute();
    await trx.deleteFrom('changes').where('account_id', '=', a.id).execute();
    await trx.deleteFrom('aliases').where('account_id', '=', a.id).execute();
    await trx.deleteFrom('role_grants').where('account_id', '=', a.id).execute();
    await trx.deleteFrom('tombstones').where('account_id', '=', a.id).execute();
    await trx.deleteFrom('orphan_subscriptions').where('account_id', '=', a.id).execute();
    await dropAccountGrants(trx, a.id); // its shares, and what others shared with it
    await dropUploads(trx, a.id); // releases the upload references itself
    await dropSubmissions(trx, a.id); // and those of messages still held for undo
    for (const t of [
      'signin_lockouts',
      'totp',
      'recovery_codes',
      'app_passwords',
      'sessions',
      'identities',
      'vacation',
      'vacation_replies',
      'push_subscriptions',
      'api_keys',
      'welcome_tokens',
    ] as const)
      await trx.deleteFrom(t).where('account_id', '=', a.id).execute();
    await trx.deleteFrom('accounts').where('id', '=', a.id).execute();
    await releaseBlobs(
      trx,
      hashes.map((h) => h.blob_hash),
    );
  });
}

/**
 * Checks a password for sign-in at a protocol door (core/signin.ts `verifySignIn` has the
 * rules and gives the reason). Returns the account, or null for a wrong password, an unknown
 * address, a disabled or locked account, a password that must be changed, or a main password
 * when two-step sign-in is on (the caller must not tell these apart to the client; doors that
 * can show a reason call `verifySignIn`).
 */
export async function authenticate(
  core: Core,
  email: string,
  password: string,
  from: { door?: SignInDoor; ip?: string } = {},
): Promise<Account | null> {
  const r = await verifySignIn(core, { email, password, door: from.door ?? 'other', ip: from.ip });
  return r.ok ? r.account : null;
}

/**
 * The account that receives mail for an address: an account, an alias, or a
 * subaddress ("user+tag@domain", RFC 5233). Disabled accounts still receive mail.
 */
export async function resolveRecipient(core: Core, address: string): Promise<Account | undefined> {
  const e = normalizeAddress(address);
  if (!e) return undefined;
  const direct = await core.db
    .selectFrom('accounts')
    .selectAll()
    .where('email', '=', e)
    .executeTakeFirst();
  if (direct) return direct;
  const alias = await core.db
    .selectFrom('aliases')
    .select('account_id')
    .where('address', '=', e)
    .executeTakeFirst();
  if (alias) return getAccountById(core, Number(alias.account_id));
  const plus = /^([^+]+)\+[^@]*@(.+)$/.exec(e);
  if (plus) return resolveRecipient(core, `${plus[1]}@${plus[2]}`);
  return undefined;
}

/** Addresses a user may send as: the account's own address and its aliases. */
export async function sendableAddresses(core: Core, accountId: number): Promise<string[]> {
  const a = await getAccountById(core, accountId);
  if (!a) return [];
  const aliases = await core.db
    .selectFrom('aliases')
    .select('address')
    .where('account_id', '=', accountId)
    .execute();
  return [a.email, ...aliases.map((x) => x.address)];
}

export { addressTaken, mustGet as mustGetAccount };
