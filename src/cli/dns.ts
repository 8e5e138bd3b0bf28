// `champa dns DOMAIN`: the DNS records to publish for a domain, checked against the live DNS.
// It is a report: missing or different records still exit 0; only a real error (no such
// domain, a bad config, no DNS server answering at all) exits 1.
import type { Command } from 'commander';
import { getDomain } from '../core/domains.ts';
import { recordsFor, resolverFor, splitIps } from '../core/domaindns.ts';
import { checkRecords, zoneLine, type CheckResult, type DnsRecord } from '../mail/dnsrecords.ts';
import { UserError } from '../util/errors.ts';
import { print, printJson, say, withCore, withData } from './common.ts';

export { recordsFor } from '../core/domaindns.ts';

export function printZone(records: DnsRecord[]): void {
  for (const r of records) print(zoneLine(r));
}

const MARK: Record<CheckResult['status'], string> = {
  ok: 'ok       ',
  missing: 'MISSING  ',
  different: 'DIFFERENT',
  error: 'ERROR    ',
};

export function register(program: Command): void {
  withData(
    program
      .command('dns')
      .description('print the DNS records a domain needs and check them against the live DNS')
      .argument('<domain>', 'a domain served here')
      .option('--ip <address...>', "the server's public IPv4/IPv6 addresses (adds A/AAAA)")
      .option('--no-check', 'only print the records, do not look them up')
      .option('--json', 'print the result as JSON'),
  ).action(
    async (
      domain: string,
      opts: { data?: string; ip?: string[]; check: boolean; json?: boolean },
    ) => {
      await withCore(opts, async (core) => {
        const d = await getDomain(core, domain);
        if (!d) throw new UserError('not_found', `no domain ${domain}; see "champa domain list"`);
        const records = recordsFor(core.config, d, splitIps(opts.ip));
        if (!opts.check) {
          if (opts.json) printJson(records);
          else printZone(records);
          return;
        }
        const results = await checkRecords(records, resolverFor(core.config));
        if (opts.json) printJson(results);
        else {
          for (const r of results) {
            print(`${MARK[r.status]}  ${zoneLine(r)}`);
            if (r.status === 'different' || r.status === 'error')
              for (const f of r.found) print(`           found: ${f}`);
          }
          const bad = results.filter((r) => r.status !== 'ok').length;
          say(
            bad === 0
              ? `All ${results.length} records of ${d.name} are published.`
              : `${bad} of ${results.length} records of ${d.name} need attention.`,
          );
        }
        if (results.every((r) => r.status === 'error'))
          throw new UserError(
            'dns',
            `no DNS answer at all (${results[0]?.found[0] ?? 'no records'}); check dns.servers in the config`,
          );
      });
    },
  );
}
