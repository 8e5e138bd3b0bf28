// The DNS records a domain needs, and `champa dns` checking them against a (fake) live DNS.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Resolver } from 'node:dns/promises';
import { startDns, type FakeDns } from '../helpers/dns.ts';
import { initData, makeCliEnv, runCli, hasStackTrace, type CliEnv } from '../helpers/cli.ts';
import {
  checkRecords,
  dnsRecords,
  zoneLine,
  type CheckResult,
  type DnsRecord,
} from '../../src/mail/dnsrecords.ts';

const KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' + 'x'.repeat(330) + 'IDAQAB';

const input = {
  domain: 'moes.test',
  hostname: 'mail.moes.test',
  dkimSelector: 'champa202501',
  dkimPublicKey: KEY,
  ports: { submission: 587, submissions: 465, imap: 143, imaps: 993, pop3s: 995 },
  ipv4: ['192.0.2.10'],
};

const byName = (rs: DnsRecord[], name: string, type: string): DnsRecord | undefined =>
  rs.find((r) => r.name === name && r.type === type);

describe('DNS records for a domain', () => {
  const records = dnsRecords(input);

  test('MX, SPF, DKIM, DMARC, autoconfig and the SRV records of RFC 6186 and 8314', () => {
    assert.equal(byName(records, 'mail.moes.test.', 'A')?.value, '192.0.2.10');
    assert.equal(byName(records, 'moes.test.', 'MX')?.value, '10 mail.moes.test.');
    assert.equal(byName(records, 'moes.test.', 'TXT')?.value, 'v=spf1 mx -all');
    assert.equal(
      byName(records, 'champa202501._domainkey.moes.test.', 'TXT')?.value,
      `v=DKIM1; k=rsa; p=${KEY}`,
    );
    assert.equal(
      byName(records, '_dmarc.moes.test.', 'TXT')?.value,
      'v=DMARC1; p=quarantine; rua=mailto:postmaster@moes.test',
    );
    assert.equal(byName(records, 'autoconfig.moes.test.', 'CNAME')?.value, 'mail.moes.test.');
    assert.equal(byName(records, 'autodiscover.moes.test.', 'CNAME')?.value, 'mail.moes.test.');
    const srv = records.filter((r) => r.type === 'SRV').map((r) => `${r.name} ${r.value}`);
    assert.deepEqual(srv, [
      '_submission._tcp.moes.test. 0 1 587 mail.moes.test.',
      '_submissions._tcp.moes.test. 0 1 465 mail.moes.test.',
      '_imap._tcp.moes.test. 0 1 143 mail.moes.test.',
      '_imaps._tcp.moes.test. 0 1 993 mail.moes.test.',
      '_pop3s._tcp.moes.test. 0 1 995 mail.moes.test.',
    ]);
  });

  test('a long TXT value is written as quoted strings of at most 255 characters', () => {
    const line = zoneLine(byName(records, 'champa202501._domainkey.moes.test.', 'TXT')!);
    const strings = line.split('\tTXT\t')[1]!.match(/"([^"]*)"/g)!;
    assert.ok(strings.length >= 2);
    for (const s of strings) assert.ok(s.length - 2 <= 255);
    assert.equal(strings.map((s) => s.slice(1, -1)).join(''), `v=DKIM1; k=rsa; p=${KEY}`);
  });

  describe('checked against the live DNS', () => {
    let dns: FakeDns;
    let results: CheckResult[];
    before(async () => {
      dns = await startDns({
        'mail.moes.test': { A: ['192.0.2.10'] },
        'moes.test': {
          MX: [{ exchange: 'mail.moes.test', priority: 20 }],
          TXT: ['v=spf1 a -all', 'google-site-verification=abc'],
        },
        'champa202501._domainkey.moes.test': { TXT: [`v=DKIM1;k=rsa; p=${KEY}`] },
        'autoconfig.moes.test': { CNAME: 'mail.moes.test' },
        '_submissions._tcp.moes.test': {
          SRV: [{ priority: 5, weight: 0, port: 465, target: 'mail.moes.test' }],
        },
        '_imaps._tcp.moes.test': {
          SRV: [{ priority: 0, weight: 1, port: 9993, target: 'mail.moes.test' }],
        },
      });
      const resolver = new Resolver({ timeout: 2000, tries: 1 });
      resolver.setServers([dns.server]);
      results = await checkRecords(records, resolver);
    });
    after(() => dns.close());

    const status = (name: string, type: string): string | undefined =>
      results.find((r) => r.name === name && r.type === type)?.status;

    test('published records are ok, absent ones missing, wrong ones different', () => {
      assert.equal(status('mail.moes.test.', 'A'), 'ok');
      assert.equal(status('moes.test.', 'MX'), 'ok'); // another priority is fine
      assert.equal(status('champa202501._domainkey.moes.test.', 'TXT'), 'ok');
      assert.equal(status('autoconfig.moes.test.', 'CNAME'), 'ok');
      assert.equal(status('_submissions._tcp.moes.test.', 'SRV'), 'ok');
      assert.equal(status('moes.test.', 'TXT'), 'different');
      assert.deepEqual(results.find((r) => r.type === 'TXT' && r.name === 'moes.test.')?.found, [
        'v=spf1 a -all',
      ]);
      assert.equal(status('_imaps._tcp.moes.test.', 'SRV'), 'different');
      assert.equal(status('_dmarc.moes.test.', 'TXT'), 'missing');
      assert.equal(status('autodiscover.moes.test.', 'CNAME'), 'missing');
      assert.equal(status('_pop3s._tcp.moes.test.', 'SRV'), 'missing');
    });
  });
});

describe('champa dns', () => {
  let env: CliEnv;
  let dns: FakeDns;
  before(async () => {
    env = await makeCliEnv('sqlite');
    await initData(env, 'moes.test', ['--port-base', '10000']);
    dns = await startDns();
  });
  after(async () => {
    await dns.close();
    await env.cleanup();
  });

  test('reports each record as ok or missing, exits 0, and fails on an unknown domain', async () => {
    const listed = await runCli(['dns', 'moes.test', '--no-check', '--json', '--data', env.data]);
    assert.equal(listed.code, 0, listed.stderr);
    const records = JSON.parse(listed.stdout) as DnsRecord[];
    const mx = records.find((r) => r.type === 'MX')!;
    const dkim = records.find((r) => r.name.includes('._domainkey.'))!;
    assert.equal(
      records.find((r) => r.name === '_submission._tcp.moes.test.')?.value,
      '0 1 10587 mail.moes.test.',
    );
    dns.set('moes.test', { MX: [{ exchange: 'mail.moes.test', priority: 10 }] });
    dns.set(dkim.name, { TXT: [dkim.value] });

    const env2 = { CHAMPA_DNS_SERVERS: dns.server };
    const checked = await runCli(['dns', 'moes.test', '--json', '--data', env.data], {
      env: env2,
    });
    assert.equal(checked.code, 0, checked.stderr);
    const results = JSON.parse(checked.stdout) as CheckResult[];
    const statusOf = (r: DnsRecord) =>
      results.find((x) => x.name === r.name && x.type === r.type)?.status;
    assert.equal(statusOf(mx), 'ok');
    assert.equal(statusOf(dkim), 'ok');
    assert.equal(results.find((r) => r.name.startsWith('_dmarc.'))?.status, 'missing');

    const text = await runCli(['dns', 'moes.test', '--data', env.data], { env: env2 });
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ok\s+moes\.test\.\s.*MX/m);
    assert.match(text.stdout, /^MISSING\s+_dmarc\.moes\.test\./m);
    assert.match(text.stderr, /records of moes\.test need attention/);

    const unknown = await runCli(['dns', 'other.test', '--data', env.data], { env: env2 });
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no domain other\.test/);
    assert.ok(!hasStackTrace(unknown.stderr));
  });
});
