// `champa domain add|list|remove`: the mail domains this server serves.
import type { Command } from 'commander';
import { addDomain, listDomains, removeDomain } from '../core/domains.ts';
import { asCli, isoTime, printJson, printTable, say, withCore, withData, yesNo } from './common.ts';
import { printZone, recordsFor } from './dns.ts';

export function register(program: Command): void {
  const domain = program.command('domain').description('mail domains served here');

  withData(
    domain.command('add').description('add a domain (with its DKIM key)').argument('<domain>'),
  ).action(async (name: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      const d = await asCli(core, 'domain.manage', { domain: name }, () => addDomain(core, name), {
        op: 'add',
      });
      say(`Domain ${d.name} added. Publish these DNS records:`);
      printZone(recordsFor(core.config, d));
    });
  });

  withData(
    domain.command('list').description('list domains').option('--json', 'print JSON'),
  ).action(async (opts: { data?: string; json?: boolean }) => {
    await withCore(opts, async (core) => {
      const rows = (await listDomains(core)).map((d) => ({
        name: d.name,
        accounts: d.accounts,
        dkimSelector: d.dkim_selector,
        disabled: d.disabled === 1,
        createdAt: isoTime(d.created_at),
      }));
      if (opts.json) return printJson(rows);
      printTable(
        ['DOMAIN', 'ACCOUNTS', 'DKIM SELECTOR', 'DISABLED'],
        rows.map((d) => [d.name, String(d.accounts), d.dkimSelector, yesNo(d.disabled)]),
      );
    });
  });

  withData(
    domain
      .command('remove')
      .description('remove a domain that has no accounts left (its aliases go with it)')
      .argument('<domain>'),
  ).action(async (name: string, opts: { data?: string }) => {
    await withCore(opts, async (core) => {
      await asCli(core, 'domain.manage', { domain: name }, () => removeDomain(core, name), {
        op: 'remove',
      });
      say(`Domain ${name} removed.`);
    });
  });
}
