// `champa alias add|list|remove`: extra addresses that deliver to an account.
import type { Command } from 'commander';
import { addAlias, listAliases, removeAlias } from '../core/aliases.ts';
import { resolveRecipient } from '../core/accounts.ts';
import type { AdminTarget } from '../core/audit.ts';
import type { Core } from '../core/core.ts';
import { asCli, isoTime, printJson, printTable, say, withCore, withData } from './common.ts';

/** The account an alias delivers to (authorization follows that account's unit). */
async function aliasTarget(core: Core, address: string): Promise<AdminTarget> {
  const a = await resolveRecipient(core, address);
  return a ? { email: a.email, label: address } : { label: address };
}

export function register(program: Command): void {
  const alias = program.command('alias').description('address aliases');

  withData(
    alias
      .command('add')
      .description('deliver mail for ADDRESS to the account TARGET')
      .argument('<address>')
      .argument('<target>', 'an existing account'),
  ).action(async (address: string, target: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const a = await asCli(
        core,
        'alias.manage',
        { email: target },
        () => addAlias(core, address, target),
        { op: 'add', alias: address },
      );
      say(`Alias ${a.address} → ${target} added.`);
    });
  });

  withData(alias.command('list').description('list aliases').option('--json', 'print JSON')).action(
    async (opts: { data?: string; json?: boolean }) => {
      await withCore(opts, async (core) => {
        const rows = (await listAliases(core)).map((a) => ({
          address: a.address,
          target: a.target,
          createdAt: isoTime(a.created_at),
        }));
        if (opts.json) return printJson(rows);
        printTable(
          ['ADDRESS', 'TARGET'],
          rows.map((a) => [a.address, a.target]),
        );
      });
    },
  );

  withData(alias.command('remove').description('remove an alias').argument('<address>')).action(
    async (address: string, opts: { data?: string }) => {
      await withCore(opts, async (core) => {
        await asCli(
          core,
          'alias.manage',
          await aliasTarget(core, address),
          () => removeAlias(core, address),
          {
            op: 'remove',
            alias: address,
          },
        );
        say(`Alias ${address} removed.`);
      });
    },
  );
}
