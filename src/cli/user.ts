// `champa user …`: accounts. Passwords come from a file or stdin, never from an argument
// (arguments show in `ps`); when none is given to `add`, a random one is made and printed once.
import type { Command } from 'commander';
import {
  addUser,
  listAccounts,
  parseQuota,
  removeAccount,
  setDisabled,
  setPassword,
} from '../core/accounts.ts';
import { generatePassword } from '../core/passwords.ts';
import { moveAccount, mustGetUnit } from '../core/units.ts';
import { domainOf } from '../mail/address.ts';
import { UserError } from '../util/errors.ts';
import {
  asCli,
  isoTime,
  print,
  printJson,
  printTable,
  readPassword,
  say,
  withCore,
  withData,
  yesNo,
  type PasswordInput,
} from './common.ts';
import { registerSecurity } from './security.ts';
import { registerImport } from './userimport.ts';

function passwordOptions(cmd: Command): Command {
  return cmd
    .option('--password-file <file>', 'read the password from a file')
    .option('--password-stdin', 'read the password from standard input');
}

function formatBytes(n: number): string {
  if (n === 0) return '0';
  const units = ['B', 'K', 'M', 'G', 'T'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}

export function register(program: Command): void {
  const user = program.command('user').description('user accounts');
  registerSecurity(user);

  withData(
    passwordOptions(
      user
        .command('add')
        .description('create an account (prints a generated password when none is given)')
        .argument('<email>')
        .option('--name <name>', 'display name (Lao or English)')
        .option('--quota <size>', 'mailbox quota, e.g. 500M or 2G; 0 = unlimited', '0')
        .option('--unit <path>', 'org unit, e.g. /ministry/provinces/vientiane', '/')
        .option('--admin', 'make the account an administrator'),
    ),
  ).action(
    async (
      email: string,
      opts: PasswordInput & {
        data?: string;
        name?: string;
        quota: string;
        unit: string;
        admin?: boolean;
      },
    ) => {
      const given = await readPassword(opts);
      const password = given ?? generatePassword();
      const quotaBytes = parseQuota(opts.quota);
      await withCore(opts, async (core) => {
        const unit = await mustGetUnit(core, opts.unit);
        const a = await asCli(
          core,
          'account.create',
          { email, unitPath: unit.path, domain: domainOf(email) },
          () =>
            addUser(core, {
              email,
              name: opts.name,
              password,
              quotaBytes,
              unitPath: unit.path,
              isAdmin: opts.admin,
            }),
          { admin: opts.admin === true },
        );
        say(`Account ${a.email} created.`);
        if (given === undefined) print(`password: ${password}`);
      });
    },
  );

  withData(
    user
      .command('list')
      .description('list accounts')
      .option('--domain <domain>', 'only this domain')
      .option('--json', 'print JSON'),
  ).action(async (opts: { data?: string; domain?: string; json?: boolean }) => {
    await withCore(opts, async (core) => {
      const rows = (await listAccounts(core, opts.domain)).map((a) => ({
        email: a.email,
        name: a.name,
        unit: a.unit_path,
        quotaBytes: Number(a.quota_bytes),
        usedBytes: Number(a.used_bytes),
        disabled: a.disabled === 1,
        admin: a.is_admin === 1,
        createdAt: isoTime(a.created_at),
      }));
      if (opts.json) return printJson(rows);
      printTable(
        ['EMAIL', 'NAME', 'USED', 'QUOTA', 'ADMIN', 'DISABLED'],
        rows.map((a) => [
          a.email,
          a.name,
          formatBytes(a.usedBytes),
          a.quotaBytes ? formatBytes(a.quotaBytes) : 'unlimited',
          yesNo(a.admin),
          yesNo(a.disabled),
        ]),
      );
    });
  });

  withData(
    passwordOptions(
      user
        .command('passwd')
        .description("set an account's password")
        .argument('<email>')
        .option('--temporary', 'the user must choose a new password at the next sign-in'),
    ),
  ).action(async (email: string, opts: PasswordInput & { data?: string; temporary?: boolean }) => {
    const password = await readPassword(opts);
    if (password === undefined)
      throw new UserError(
        'invalid',
        'give the new password with --password-file or --password-stdin',
      );
    await withCore(opts, async (core) => {
      const temporary = opts.temporary === true;
      await asCli(
        core,
        'account.password.reset',
        { email },
        () => setPassword(core, email, password, { temporary }),
        { temporary },
      );
      say(`Password of ${email} changed${temporary ? ' (to be changed at next sign-in)' : ''}.`);
    });
  });

  const toggle = (name: 'disable' | 'enable', description: string, disabled: boolean): void => {
    withData(user.command(name).description(description).argument('<email>')).action(
      async (email: string, opts: { data?: string }) => {
        await withCore(opts, async (core) => {
          await asCli(
            core,
            'account.disable',
            { email },
            () => setDisabled(core, email, disabled),
            { disabled },
          );
          say(`Account ${email} ${disabled ? 'disabled' : 'enabled'}.`);
        });
      },
    );
  };
  toggle('disable', 'stop an account from signing in (it still receives mail)', true);
  toggle('enable', 'let a disabled account sign in again', false);

  withData(
    user
      .command('remove')
      .description('delete an account with all its mail and aliases')
      .argument('<email>'),
  ).action(async (email: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      await asCli(core, 'account.remove', { email }, () => removeAccount(core, email));
      say(`Account ${email} removed.`);
    });
  });

  withData(
    user
      .command('move')
      .description('move an account to another org unit (its address and mail stay)')
      .argument('<email>')
      .argument('<unit>', 'unit path, e.g. /ministry/provinces/vientiane'),
  ).action(async (email: string, unitText: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const unit = await mustGetUnit(core, unitText);
      await asCli(
        core,
        'account.move',
        { email, toUnitPath: unit.path },
        () => moveAccount(core, email, unit.path),
        { to: unit.path },
      );
      say(`Account ${email} moved to ${unit.path}.`);
    });
  });

  registerImport(user);
}
