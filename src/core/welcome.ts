// Welcome links: instead of handing out initial passwords, an account is created with no usable
// password and a one-time link to choose one is mailed to the person's own (personal) address.
// The link is https://<hostname>/welcome#<token> (the fragment never reaches a server log);
// the web app's page posts the token and the chosen password to POST /api/welcome.
// Token form: "<accountId>.<secret>" (the lookup stays within one account's row); only a
// SHA-256 of the secret is stored (256 random bits: a slow hash adds nothing). One token per
// account: a new link replaces the old one. Invariants: a token works once and not after its
// expiry; redeeming it checks the password policy, stores an Argon2id hash, and removes the
// token in one transaction; the token is never stored or logged.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import MailComposer from 'nodemailer/lib/mail-composer';
import type { Insertable } from 'kysely';
import { UserError } from '../util/errors.ts';
import { problem } from '../util/problems.ts';
import type { Account, WelcomeTokenTable, Db } from '../store/schema.ts';
import type { Core } from './core.ts';
import { portOf } from './config.ts';
import { getAccountById, passwordPolicy } from './accounts.ts';
import { checkPasswordPolicy, hashPassword } from './passwords.ts';
import { enqueueMany } from './outbound.ts';

/** The password_hash of an account waiting for its welcome link: never a valid PHC string. */
export const NO_PASSWORD_YET = '!welcome';
export const DEFAULT_WELCOME_DAYS = 7;
export const MAX_WELCOME_DAYS = 60;

const hashOf = (secret: string): string => createHash('sha256').update(secret).digest('hex');

function parseToken(token: string): { accountId: number; hash: string } | null {
  const m = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(token.trim());
  if (!m) return null;
  return { accountId: Number(m[1]), hash: hashOf(m[2]!) };
}

/** A new token and the row that stores its hash (for callers inserting many at once). */
export function newWelcomeToken(
  accountId: number,
  sentTo: string,
  days = DEFAULT_WELCOME_DAYS,
  now = Date.now(),
): { token: string; expiresAt: number; row: Insertable<WelcomeTokenTable> } {
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = now + Math.min(Math.max(days, 1), MAX_WELCOME_DAYS) * 86_400_000;
  return {
    token: `${accountId}.${secret}`,
    expiresAt,
    row: {
      account_id: accountId,
      token_hash: hashOf(secret),
      sent_to: sentTo,
      created_at: now,
      expires_at: expiresAt,
    },
  };
}

/** Makes (or replaces) the account's welcome token; returns the token, to be mailed once. */
export async function createWelcomeToken(
  db: Db,
  accountId: number,
  sentTo: string,
  days = DEFAULT_WELCOME_DAYS,
  now = Date.now(),
): Promise<{ token: string; expiresAt: number }> {
  const t = newWelcomeToken(accountId, sentTo, days, now);
  await db
    .insertInto('welcome_tokens')
    .values(t.row)
    .onConflict((oc) =>
      oc.column('account_id').doUpdateSet({
        token_hash: t.row.token_hash,
        sent_to: sentTo,
        created_at: now,
        expires_at: t.expiresAt,
      }),
    )
    .execute();
  return { token: t.token, expiresAt: t.expiresAt };
}

/** The page of the web app that takes the token (in the fragment, kept out of server logs). */
export function welcomeLink(core: Core, token: string): string {
  const port = portOf(core.config, 'https');
  return `https://${core.config.hostname}${port === 443 ? '' : `:${port}`}/welcome#${token}`;
}

/** The welcome mail, in Lao and English, as MIME bytes. */
export async function welcomeMessage(
  core: Core,
  m: { to: string; account: Pick<Account, 'email' | 'name'>; link: string; expiresAt: number },
): Promise<{ raw: Buffer; messageId: string }> {
  const until = new Date(m.expiresAt).toISOString().slice(0, 10);
  const who = m.account.name || m.account.email;
  const text = [
    `ສະບາຍດີ ${who},`,
    '',
    `ບັນຊີອີເມວຂອງທ່ານ ${m.account.email} ພ້ອມແລ້ວ. ກະລຸນາເປີດລິ້ງນີ້ເພື່ອຕັ້ງລະຫັດຜ່ານ (ໃຊ້ໄດ້ເທື່ອດຽວ, ຮອດວັນທີ ${until}):`,
    '',
    m.link,
    '',
    '---',
    '',
    `Hello ${who},`,
    '',
    `Your mail account ${m.account.email} is ready. Open this link to choose your password (it works once, until ${until}):`,
    '',
    m.link,
    '',
    'If you did not expect this message, ignore it.',
  ].join('\n');
  const messageId = `<welcome.${randomBytes(12).toString('hex')}@${core.config.hostname}>`;
  const composer = new MailComposer({
    from: { name: 'Champa', address: `postmaster@${core.config.primaryDomain}` },
    to: m.to,
    subject: `ບັນຊີອີເມວຂອງທ່ານ / Your mail account: ${m.account.email}`,
    text,
    messageId,
    headers: { 'Auto-Submitted': 'auto-generated' },
  });
  const raw = await new Promise<Buffer>((resolve, reject) =>
    composer.compile().build((err, out) => (err ? reject(err) : resolve(out))),
  );
  return { raw, messageId };
}

export interface WelcomeToSend {
  account: Pick<Account, 'id' | 'email' | 'name'>;
  /** The personal address. */
  to: string;
  token: string;
  expiresAt: number;
}

/**
 * Queues the welcome mails of accounts whose tokens were just made (after their transaction
 * committed), in one queue transaction. Returns the queue ids.
 */
export async function queueWelcomes(core: Core, items: WelcomeToSend[]): Promise<number[]> {
  const msgs = await Promise.all(
    items.map(async (w) => {
      const { raw, messageId } = await welcomeMessage(core, {
        to: w.to,
        account: w.account,
        link: welcomeLink(core, w.token),
        expiresAt: w.expiresAt,
      });
      return {
        sender: `postmaster@${core.config.primaryDomain}`,
        recipients: [{ address: w.to }],
        raw,
        messageId,
      };
    }),
  );
  return enqueueMany(core, msgs);
}

/** Makes a new link for one account and mails it (an administrator's "send welcome again"). */
export async function sendWelcome(
  core: Core,
  accountId: number,
  to: string,
  days = DEFAULT_WELCOME_DAYS,
  now = Date.now(),
): Promise<{ expiresAt: number }> {
  const account = await getAccountById(core, accountId);
  if (!account)
    throw new UserError('not_found', problem('accountNotFound', { email: String(accountId) }));
  const token = await createWelcomeToken(core.db, accountId, to, days, now);
  await queueWelcomes(core, [{ account, to, ...token }]);
  return { expiresAt: token.expiresAt };
}

async function validToken(
  db: Db,
  token: string,
  now: number,
): Promise<{ accountId: number; expiresAt: number } | null> {
  const p = parseToken(token);
  if (!p) return null;
  const row = await db
    .selectFrom('welcome_tokens')
    .selectAll()
    .where('account_id', '=', p.accountId)
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= now) return null;
  if (!timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(p.hash))) return null;
  return { accountId: p.accountId, expiresAt: Number(row.expires_at) };
}

/** Whose link this is (for the page to greet the person), or null when it is not valid. */
export async function welcomeInfo(
  core: Core,
  token: string,
  now = Date.now(),
): Promise<{ email: string; name: string; expiresAt: number } | null> {
  const t = await validToken(core.db, token, now);
  if (!t) return null;
  const a = await getAccountById(core, t.accountId);
  if (!a || a.disabled) return null;
  return { email: a.email, name: a.name, expiresAt: t.expiresAt };
}

/**
 * Sets the first password through a welcome link. Throws UserError 'invalid' for a wrong,
 * used or expired link, 'weak_password' for a password the policy refuses.
 */
export async function redeemWelcome(
  core: Core,
  token: string,
  password: string,
  now = Date.now(),
): Promise<Account> {
  const t = await validToken(core.db, token, now);
  const a = t && (await getAccountById(core, t.accountId));
  if (!t || !a || a.disabled) throw new UserError('invalid', problem('welcomeLinkInvalid'));
  const weak = checkPasswordPolicy(password, passwordPolicy(core, a.email));
  if (weak) throw new UserError('weak_password', weak);
  const hash = await hashPassword(password);
  await core.db.transaction().execute(async (trx) => {
    // Conditional on the same token still being there: two tabs cannot both use it.
    const gone = await trx
      .deleteFrom('welcome_tokens')
      .where('account_id', '=', t.accountId)
      .where('token_hash', '=', parseToken(token)!.hash)
      .executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0)
      throw new UserError('invalid', problem('welcomeLinkInvalid'));
    await trx
      .updateTable('accounts')
      .set({ password_hash: hash, must_change_password: 0 })
      .where('id', '=', t.accountId)
      .execute();
  });
  return { ...a, password_hash: hash, must_change_password: 0 };
}

/** Whether the account still waits for its welcome link (no password chosen yet). */
export async function welcomePending(
  core: Core,
  accountId: number,
): Promise<{ sentTo: string; expiresAt: number } | null> {
  const r = await core.db
    .selectFrom('welcome_tokens')
    .select(['sent_to', 'expires_at'])
    .where('account_id', '=', accountId)
    .executeTakeFirst();
  return r ? { sentTo: r.sent_to, expiresAt: Number(r.expires_at) } : null;
}

/** Forgets an account's welcome link (its password was set another way). */
export async function dropWelcome(core: Core, accountId: number): Promise<void> {
  await core.db.deleteFrom('welcome_tokens').where('account_id', '=', accountId).execute();
}
