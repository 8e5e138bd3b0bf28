// `champa user unlock | app-password … | totp disable`: sign-in security from the command line.
// Every command goes through asCli (authorize + audit): unlocking and turning two-step sign-in
// off are helpdesk work (account.unlock, account.password.reset); app passwords are account
// changes (account.update). An app password is printed once and never again.
import type { Command } from 'commander';
import { mustGetAccount } from '../core/accounts.ts';
import { createAppPassword, listAppPasswords, revokeAppPassword } from '../core/apppasswords.ts';
import { lockoutState, unlockAccount } from '../core/lockout.ts';
import { disableTotp } from '../core/totp.ts';
import { UserError } from '../util/errors.ts';
import { asCli, isoTime, print, printTable, say, withCore, withData } from './common.ts';

export function registerSecurity(user: Command): void {
  withData(
    user
      .command('unlock')
      .description('end the lock after repeated failed sign-ins (and reset its backoff)')
      .argument('<email>'),
  ).action(async (email: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const a = await mustGetAccount(core, email);
      const state = await lockoutState(core, a.id);
      await asCli(core, 'account.unlock', { email }, () => unlockAccount(core, a.id), {
        wasLockedUntil: state?.lockedUntil ?? 0,
      });
      say(
        state && state.lockedUntil > Date.now()
          ? `Account ${a.email} unlocked.`
          : `Account ${a.email} was not locked; its failure count is cleared.`,
      );
    });
  });

  const app = user
    .command('app-password')
    .description('passwords for mail apps (IMAP, SMTP, POP3)');
  withData(
    app
      .command('add')
      .description('create an app password (printed once)')
      .argument('<email>')
      .option('--label <label>', 'what it is for, e.g. "Thunderbird at school"', 'mail app'),
  ).action(async (email: string, opts: { data?: string; label: string }) => {
    await withCore(opts, async (core) => {
      const a = await mustGetAccount(core, email);
      const made = await asCli(
        core,
        'account.update',
        { email },
        () => createAppPassword(core, a.id, opts.label),
        { appPassword: 'add', label: opts.label },
      );
      say(`App password "${made.label}" (id ${made.id}) created for ${a.email}.`);
      print(`app password: ${made.password}`);
    });
  });
  withData(
    app.command('list').description("an account's app passwords").argument('<email>'),
  ).action(async (email: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const a = await mustGetAccount(core, email);
      await asCli(core, 'account.read', { email }, async () => undefined);
      const rows = await listAppPasswords(core, a.id);
      printTable(
        ['id', 'label', 'created', 'last used'],
        rows.map((r) => [r.id, r.label, isoTime(r.createdAt), isoTime(r.lastUsedAt)]),
      );
    });
  });
  withData(
    app
      .command('revoke')
      .description('revoke an app password by id or label')
      .argument('<email>')
      .argument('<id>'),
  ).action(async (email: string, id: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const a = await mustGetAccount(core, email);
      await asCli(
        core,
        'account.update',
        { email },
        async () => {
          if (!(await revokeAppPassword(core, a.id, id)))
            throw new UserError('not_found', `${a.email} has no app password ${id}`);
        },
        { appPassword: 'revoke', id },
      );
      say(`App password ${id} of ${a.email} revoked.`);
    });
  });

  const totp = user.command('totp').description('two-step sign-in (TOTP)');
  withData(
    totp
      .command('disable')
      .description('turn two-step sign-in off (the user lost the phone); recovery codes go too')
      .argument('<email>'),
  ).action(async (email: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const a = await mustGetAccount(core, email);
      const was = await asCli(
        core,
        'account.password.reset',
        { email },
        () => disableTotp(core, a.id),
        { totp: 'disable' },
      );
      say(
        was ? `Two-step sign-in of ${a.email} turned off.` : `${a.email} had no two-step sign-in.`,
      );
    });
  });
}
