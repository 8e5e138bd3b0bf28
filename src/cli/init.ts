// `champa init`: creates a data folder: the config file, a self-signed TLS certificate, the
// database (migrated), the first domain with its DKIM key, and the administrator's account.
// Invariants: it never touches a folder that already holds something; if it fails part-way
// it removes what it wrote, so it can simply be run again.
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CONFIG_FILE, dataPath, parseConfig, type LoadedConfig } from '../core/config.ts';
import { closeCore, openCore } from '../core/core.ts';
import { addDomain } from '../core/domains.ts';
import { addUser } from '../core/accounts.ts';
import { checkPasswordPolicy, generatePassword } from '../core/passwords.ts';
import { normalizeAddress, normalizeDomain, parseAddress } from '../mail/address.ts';
import type { DnsRecord } from '../mail/dnsrecords.ts';
import { writeFileDurable } from '../util/fsync.ts';
import { UserError } from '../util/errors.ts';
import { dataDirOf, print, readPassword, say, withData } from './common.ts';
import { printZone, recordsFor } from './dns.ts';

export interface InitOptions {
  dataDir: string;
  domain: string;
  hostname?: string;
  portBase?: number;
  adminEmail?: string;
  /** The administrator's password; a random one is made (and returned) when absent. */
  adminPassword?: string;
  database?: string;
}

export interface InitResult {
  config: LoadedConfig;
  adminEmail: string;
  /** Set when the password was generated: show it once. */
  generatedPassword?: string;
  records: DnsRecord[];
}

async function isEmptyOrAbsent(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw new UserError(
      'invalid',
      `cannot use ${dir} as a data folder: ${(err as NodeJS.ErrnoException).code}`,
    );
  }
}

const DAY = 24 * 60 * 60 * 1000;

/** A self-signed certificate for the host name (825 days, the most clients accept). */
export async function selfSignedCert(hostname: string): Promise<{ cert: string; key: string }> {
  const altNames: { type: 2 | 7; value?: string; ip?: string }[] = [{ type: 2, value: hostname }];
  if (hostname === 'localhost') altNames.push({ type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' });
  const now = new Date();
  const { generate } = await import('selfsigned'); // loaded only here: it is slow to load
  const pems = await generate([{ name: 'commonName', value: hostname }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 825 * DAY),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

export async function initDataFolder(o: InitOptions): Promise<InitResult> {
  const dir = resolve(o.dataDir);
  const domain = normalizeDomain(o.domain);
  if (!domain || !domain.includes('.'))
    throw new UserError(
      'invalid',
      `"${o.domain}" is not a valid domain name (expected something like school.edu.la)`,
    );
  const hostname = o.hostname ? normalizeDomain(o.hostname) : `mail.${domain}`;
  if (!hostname) throw new UserError('invalid', `"${o.hostname}" is not a valid host name`);
  const adminEmail = normalizeAddress(o.adminEmail ?? `postmaster@${domain}`);
  if (!adminEmail) throw new UserError('invalid', `"${o.adminEmail}" is not a valid mail address`);
  if (parseAddress(adminEmail)?.domain !== domain)
    throw new UserError('invalid', `the administrator's address must be in ${domain}`);
  if (o.adminPassword !== undefined) {
    const problem = checkPasswordPolicy(o.adminPassword);
    if (problem) throw new UserError('weak_password', problem);
  }
  if (o.database && !/^(sqlite:|postgres(ql)?:\/\/)/.test(o.database))
    throw new UserError(
      'invalid',
      `--database must be sqlite:PATH or a postgres:// URL (got "${o.database}")`,
    );
  if (!(await isEmptyOrAbsent(dir)))
    throw new UserError(
      'exists',
      `${dir} is not empty; init only creates a new data folder (choose another --data, or move that folder away)`,
    );

  const raw: Record<string, unknown> = { hostname, primaryDomain: domain };
  if (o.database) raw.database = o.database;
  if (o.portBase !== undefined) raw.listen = { portBase: o.portBase };
  // Validate before writing anything; the file keeps only what was chosen, defaults stay defaults.
  const config = parseConfig(raw, dir, process.env);

  await mkdir(dir, { recursive: true, mode: 0o700 });
  try {
    await writeFileDurable(join(dir, CONFIG_FILE), `${JSON.stringify(raw, null, 2)}\n`, 0o600);
    const tls = await selfSignedCert(hostname);
    await writeFileDurable(dataPath(config, config.tls.cert), tls.cert, 0o600);
    await writeFileDurable(dataPath(config, config.tls.key), tls.key, 0o600);
    const core = await openCore(config);
    try {
      const d = await addDomain(core, domain);
      const generatedPassword = o.adminPassword === undefined ? generatePassword() : undefined;
      await addUser(core, {
        email: adminEmail,
        name: 'Postmaster',
        password: o.adminPassword ?? generatedPassword!,
        isAdmin: true,
      });
      return { config, adminEmail, generatedPassword, records: recordsFor(config, d) };
    } finally {
      await closeCore(core);
    }
  } catch (err) {
    // Leave the folder as it was (empty) so init can be run again.
    for (const name of await readdir(dir).catch(() => []))
      await rm(join(dir, name), { recursive: true, force: true });
    throw err;
  }
}

/** What init prints: the administrator's sign-in, once, and the DNS records. */
export function printInitResult(r: InitResult): void {
  print(`Champa data folder created: ${r.config.dataDir}`);
  print(`  domain:        ${r.config.primaryDomain}`);
  print(`  host name:     ${r.config.hostname}`);
  print(`  administrator: ${r.adminEmail}`);
  if (r.generatedPassword) {
    print(`  password:      ${r.generatedPassword}`);
    print('  (shown only this once; change it with "champa user passwd")');
  }
  print('');
  print(`DNS records to publish for ${r.config.primaryDomain}:`);
  printZone(r.records);
  print('');
}

function parsePortBase(text: string): number {
  if (!/^\d+$/.test(text))
    throw new UserError('invalid', `--port-base must be a number (got "${text}")`);
  return Number(text);
}

export function register(program: Command): void {
  withData(
    program
      .command('init')
      .description('create a new data folder: config, TLS certificate, database, first domain')
      .requiredOption('--domain <domain>', 'the first mail domain, e.g. moes.gov.la')
      .option('--hostname <host>', "the server's host name (default: mail.DOMAIN)")
      .option('--port-base <n>', 'add N to every standard port (e.g. 10000: SMTP on 10025)')
      .option('--admin <email>', "the administrator's address (default: postmaster@DOMAIN)")
      .option('--admin-password-file <file>', "read the administrator's password from a file")
      .option('--database <url>', 'sqlite:PATH (default sqlite:champa.db) or postgres://…'),
  ).action(
    async (opts: {
      data?: string;
      domain: string;
      hostname?: string;
      portBase?: string;
      admin?: string;
      adminPasswordFile?: string;
      database?: string;
    }) => {
      const r = await initDataFolder({
        dataDir: dataDirOf(opts),
        domain: opts.domain,
        hostname: opts.hostname,
        portBase: opts.portBase === undefined ? undefined : parsePortBase(opts.portBase),
        adminEmail: opts.admin,
        adminPassword: await readPassword({ passwordFile: opts.adminPasswordFile }),
        database: opts.database,
      });
      printInitResult(r);
      say(`Start the server with: champa serve --data ${opts.data ?? dataDirOf(opts)}`);
    },
  );
}
