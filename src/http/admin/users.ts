// /api/admin/users…: accounts, their aliases and sign-in state, and the CSV export. Every
// write goes through performAdmin (role check + audit row, as the CLI); reads through
// authorize or a reach, so an account outside the actor's units is a 403 (audited), never a
// hint that it exists.
import {
  NewAlias,
  NewUser,
  PasswordReset,
  UserMove,
  UserUpdate,
  WelcomeSend,
  type Alias,
  type CreatedUser,
  type SignInState,
  type UserDetail,
} from '../../api/schemas.ts';
import {
  addUser,
  mustGetAccount,
  removeAccount,
  setDisabled,
  setName,
  setPassword,
  setQuota,
} from '../../core/accounts.ts';
import { addAlias, removeAlias } from '../../core/aliases.ts';
import { pageAccounts } from '../../core/adminquery.ts';
import { listAppPasswords } from '../../core/apppasswords.ts';
import { lockoutState, unlockAccount } from '../../core/lockout.ts';
import { generatePassword } from '../../core/passwords.ts';
import { authorize, performAdmin } from '../../core/roles.ts';
import { disableTotp, totpEnabled } from '../../core/totp.ts';
import { isWithin, moveAccount, mustGetUnit, normalizeUnitPath } from '../../core/units.ts';
import { exportAccounts } from '../../core/userexport.ts';
import { dropWelcome, sendWelcome, welcomePending } from '../../core/welcome.ts';
import { domainOf, normalizeAddress } from '../../mail/address.ts';
import type { Account } from '../../store/schema.ts';
import { csvRow } from '../../util/csv.ts';
import { UserError } from '../../util/errors.ts';
import { problem } from '../../util/problems.ts';
import { parse } from '../input.ts';
import {
  bool,
  int,
  json,
  noContent,
  readable,
  rolesOf,
  userOf,
  type Ctx,
  type Handler,
} from './context.ts';

/** The account named in the path, after checking the actor may do `action` on it. */
async function target(c: Ctx, action: Parameters<typeof authorize>[2]): Promise<Account> {
  const email = c.params.email!;
  await authorize(c.core, c.actor, action, { email });
  return mustGetAccount(c.core, email);
}

async function signInState(c: Ctx, a: Account): Promise<SignInState> {
  const lock = await lockoutState(c.core, a.id);
  const now = Date.now();
  const locked = lock !== null && lock.lockedUntil > now;
  const welcome = await welcomePending(c.core, a.id);
  return {
    locked,
    lockedUntil: locked ? lock.lockedUntil : null,
    failures: lock?.failures ?? 0,
    totp: await totpEnabled(c.core, a.id),
    appPasswords: (await listAppPasswords(c.core, a.id)).length,
    mustChangePassword: a.must_change_password === 1,
    welcome: welcome && welcome.expiresAt > now ? welcome : null,
  };
}

const reread = async (c: Ctx, email: string): Promise<Account> => mustGetAccount(c.core, email);

export const userHandlers: Record<string, Handler> = {
  async listUsers(c) {
    const where = await readable(c, 'account.read');
    let unit: string | undefined;
    if (c.query.unit !== undefined) {
      unit = normalizeUnitPath(c.query.unit);
      await authorize(c.core, c.actor, 'account.read', { unitPath: unit });
    }
    const page = await pageAccounts(c.core, where, {
      unit,
      q: c.query.q,
      disabled: bool(c.query.disabled),
      offset: int(c.query.offset),
      limit: int(c.query.limit),
    });
    return json(200, {
      ...page,
      items: page.items.map((a) => ({
        email: a.email,
        name: a.name,
        unit: a.unitPath,
        quota: a.quotaBytes,
        disabled: a.disabled,
      })),
    });
  },

  async createUser(c) {
    const u = parse(NewUser, c.body);
    const unitPath = normalizeUnitPath(u.unit);
    const generated = u.password === undefined ? generatePassword() : undefined;
    const t = { unitPath, label: u.email, domain: domainOf(u.email) };
    const a = await performAdmin(c.core, c.actor, 'account.create', t, async () => {
      await mustGetUnit(c.core, unitPath);
      return addUser(c.core, {
        email: u.email,
        name: u.name,
        unitPath,
        quotaBytes: u.quota,
        password: u.password ?? generated!,
        mustChangePassword: generated !== undefined,
      });
    });
    const out: CreatedUser = generated ? { ...userOf(a), password: generated } : userOf(a);
    return json(201, out);
  },

  async getUser(c) {
    const a = await target(c, 'account.read');
    const aliases = await c.core.db
      .selectFrom('aliases')
      .select('address')
      .where('account_id', '=', a.id)
      .orderBy('address')
      .execute();
    const out: UserDetail = {
      ...userOf(a),
      createdAt: Number(a.created_at),
      usedBytes: Number(a.used_bytes),
      aliases: aliases.map((x) => x.address),
      roles: await rolesOf(c.core, a),
      signIn: await signInState(c, a),
    };
    return json(200, out);
  },

  async updateUser(c) {
    const u = parse(UserUpdate, c.body);
    const email = c.params.email!;
    if (u.name !== undefined)
      await performAdmin(c.core, c.actor, 'account.update', { email }, () =>
        setName(c.core, email, u.name!),
      );
    if (u.quota !== undefined)
      await performAdmin(
        c.core,
        c.actor,
        'quota.set',
        { email },
        () => setQuota(c.core, email, u.quota!),
        { quota: u.quota },
      );
    if (u.disabled !== undefined)
      await performAdmin(
        c.core,
        c.actor,
        'account.disable',
        { email },
        () => setDisabled(c.core, email, u.disabled!),
        { disabled: u.disabled },
      );
    return json(200, userOf(await reread(c, email)));
  },

  async removeUser(c) {
    const email = c.params.email!;
    if (c.account && normalizeAddress(email) === c.account.email)
      throw new UserError('invalid', problem('cannotRemoveSelf'));
    await performAdmin(c.core, c.actor, 'account.remove', { email }, () =>
      removeAccount(c.core, email),
    );
    return noContent();
  },

  async moveUser(c) {
    const m = parse(UserMove, c.body);
    const email = c.params.email!;
    const unit = normalizeUnitPath(m.unit);
    await performAdmin(
      c.core,
      c.actor,
      'account.move',
      { email, toUnitPath: unit },
      async () => moveAccount(c.core, email, (await mustGetUnit(c.core, unit)).path),
      { to: unit },
    );
    return json(200, userOf(await reread(c, email)));
  },

  async resetPassword(c) {
    const p = parse(PasswordReset, c.body);
    const email = c.params.email!;
    const password = p.password ?? generatePassword();
    const temporary = p.temporary ?? p.password === undefined;
    await performAdmin(
      c.core,
      c.actor,
      'account.password.reset',
      { email },
      async () => {
        await setPassword(c.core, email, password, { temporary });
        // A pending welcome link would otherwise overwrite the password just set.
        await dropWelcome(c.core, (await mustGetAccount(c.core, email)).id);
      },
      { temporary, generated: p.password === undefined },
    );
    const a = await reread(c, email);
    const out: CreatedUser = p.password === undefined ? { ...userOf(a), password } : userOf(a);
    return json(200, out);
  },

  async signInState(c) {
    return json(200, await signInState(c, await target(c, 'account.read')));
  },

  async unlockUser(c) {
    const email = c.params.email!;
    await performAdmin(c.core, c.actor, 'account.unlock', { email }, async () => {
      await unlockAccount(c.core, (await mustGetAccount(c.core, email)).id);
    });
    return json(200, await signInState(c, await reread(c, email)));
  },

  async resetTotp(c) {
    const email = c.params.email!;
    await performAdmin(
      c.core,
      c.actor,
      'account.password.reset',
      { email },
      async () => disableTotp(c.core, (await mustGetAccount(c.core, email)).id),
      { totp: 'disable' },
    );
    return json(200, await signInState(c, await reread(c, email)));
  },

  async sendWelcome(c) {
    const w = parse(WelcomeSend, c.body);
    const email = c.params.email!;
    const to = normalizeAddress(w.sendTo);
    if (!to || to === normalizeAddress(email))
      throw new UserError('invalid', problem('welcomeSameAddress'));
    const r = await performAdmin(
      c.core,
      c.actor,
      'account.password.reset',
      { email },
      async () => sendWelcome(c.core, (await mustGetAccount(c.core, email)).id, to, w.days),
      { welcomeTo: to },
    );
    return json(202, { sentTo: to, expiresAt: r.expiresAt });
  },

  async listAliases(c) {
    const a = await target(c, 'account.read');
    const rows = await c.core.db
      .selectFrom('aliases')
      .select(['address', 'created_at'])
      .where('account_id', '=', a.id)
      .orderBy('address')
      .execute();
    const out: Alias[] = rows.map((r) => ({ address: r.address, createdAt: Number(r.created_at) }));
    return json(200, out);
  },

  async addAlias(c) {
    const n = parse(NewAlias, c.body);
    const email = c.params.email!;
    const row = await performAdmin(
      c.core,
      c.actor,
      'alias.manage',
      { email },
      () => addAlias(c.core, n.address, email),
      { op: 'add', alias: n.address },
    );
    return json(201, { address: row.address, createdAt: Number(row.created_at) });
  },

  async removeAlias(c) {
    const email = c.params.email!;
    const address = normalizeAddress(c.params.address!) ?? c.params.address!;
    await performAdmin(
      c.core,
      c.actor,
      'alias.manage',
      { email },
      async () => {
        const a = await mustGetAccount(c.core, email);
        const row = await c.core.db
          .selectFrom('aliases')
          .select('account_id')
          .where('address', '=', address)
          .executeTakeFirst();
        if (!row || Number(row.account_id) !== a.id)
          throw new UserError(
            'not_found',
            problem('aliasNotOfAccount', { email: a.email, alias: address }),
          );
        await removeAlias(c.core, address);
      },
      { op: 'remove', alias: address },
    );
    return noContent();
  },

  async exportUsers(c) {
    const where = await readable(c, 'account.read');
    let unit: string | undefined;
    if (c.query.unit !== undefined) {
      unit = normalizeUnitPath(c.query.unit);
      await authorize(c.core, c.actor, 'account.read', { unitPath: unit });
    }
    const [header, ...rows] = await exportAccounts(c.core, unit);
    const inReach = (u: string): boolean =>
      where === 'all' || where.some((root) => isWithin(u, root));
    const csv = [header!, ...rows.filter((r) => inReach(r[2]!))].map(csvRow).join('');
    return { status: 200, csv, filename: 'users.csv' };
  },
};
