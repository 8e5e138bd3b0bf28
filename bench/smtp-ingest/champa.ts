// Champa as the system under test: a fresh data folder made with `champa init`, the
// benchmark's accounts, and `champa serve` as a child process (optionally under
// `--cpu-prof`). Delivered mail is counted in the `emails` table; stored blobs in DATA/blobs.
//
// Accounts: `champa user add` hashes each password with Argon2id (64 MiB, 3 passes, about
// 0.2 s per account here), so 1,600 accounts would take minutes before every run. The first
// two accounts go through the real CLI (so the benchmark also proves it works); the rest are
// inserted through core's own mailbox code with one precomputed Argon2id hash, which changes
// nothing on the delivery path (sign-in is not benchmarked).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { openSync, readdirSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { loadConfig } from '../../src/core/config.ts';
import { closeCore, openCore } from '../../src/core/core.ts';
import { createDefaultMailboxes } from '../../src/core/mailboxes.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { waitForPort } from './postfix-dovecot.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/main.ts');

export interface ChampaOptions {
  dir: string;
  domain: string;
  portBase: number;
  /** Local parts of every account to create. */
  users: string[];
  maxRecipients: number;
  /** DNS server ("ip:port") for the inbound SPF/DKIM/DMARC checks. */
  dns: string;
}

function cli(args: string[], what: string): string {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`champa ${what} failed: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

const HASH = /^[0-9a-f]{64}$/;

export class Champa {
  readonly o: ChampaOptions;
  readonly dataDir: string;
  #child: ChildProcess | null = null;
  #db: DatabaseSync | null = null;

  constructor(o: ChampaOptions) {
    this.o = o;
    this.dataDir = join(o.dir, 'data');
  }

  get smtpPort(): number {
    return this.o.portBase + 25;
  }

  async setup(log: (s: string) => void): Promise<void> {
    const { domain, portBase, users, maxRecipients, dns } = this.o;
    const pwFile = join(this.o.dir, 'password');
    writeFileSync(pwFile, 'Ministry-2026-load-test\n', { mode: 0o600 });
    cli(
      [
        'init',
        '--data',
        this.dataDir,
        '--domain',
        domain,
        '--port-base',
        String(portBase),
        '--admin-password-file',
        pwFile,
      ],
      'init',
    );
    // The limits a production MX keeps for strangers would throttle a benchmark from one IP.
    const cfgPath = join(this.dataDir, 'champa.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8')) as Record<string, unknown>;
    cfg.listen = { address: '127.0.0.1', portBase };
    cfg.dns = { servers: [dns] };
    cfg.smtp = { maxRecipients, maxConnectionsPerIp: 1000, messagesPerIpPerMinute: 100_000_000 };
    writeFileSync(cfgPath, JSON.stringify(cfg, null, 2) + '\n');

    const viaCli = users.slice(0, 2);
    for (const u of viaCli)
      cli(
        ['user', 'add', `${u}@${domain}`, '--password-file', pwFile, '--data', this.dataDir],
        'user add',
      );
    const rest = users.slice(viaCli.length);
    log(
      `champa: ${viaCli.length} accounts via "champa user add", ${rest.length} with one precomputed hash`,
    );
    const core = await openCore(loadConfig(this.dataDir, {}));
    try {
      const password_hash = await hashPassword('Ministry-2026-load-test');
      const now = Date.now();
      await core.db.transaction().execute(async (trx) => {
        for (const u of rest) {
          const row = await trx
            .insertInto('accounts')
            .values({
              email: `${u}@${domain}`,
              domain,
              name: u,
              unit_path: '/',
              password_hash,
              quota_bytes: 0,
              is_admin: 0,
              created_at: now,
            })
            .returning('id')
            .executeTakeFirstOrThrow();
          await createDefaultMailboxes(trx, Number(row.id), now);
        }
      });
    } finally {
      await closeCore(core);
    }
  }

  /** Starts `champa serve`; resolves when it printed `champa: ready` and the MX answers. */
  async start(cpuProfDir?: string): Promise<void> {
    const logFile = join(this.o.dir, 'serve.log');
    const out = openSync(logFile, 'a');
    const args = [...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
    const child = spawn(process.execPath, [...args, MAIN, 'serve', '--data', this.dataDir], {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    this.#child = child;
    const until = Date.now() + 30_000;
    while (!readFileSync(logFile, 'utf8').includes('champa: ready')) {
      if (child.exitCode !== null)
        throw new Error(`champa serve exited (${child.exitCode}); see ${logFile}`);
      if (Date.now() > until) throw new Error(`champa serve is not ready; see ${logFile}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await waitForPort(this.smtpPort);
  }

  pid(): number | undefined {
    return this.#child?.pid;
  }

  #open(): DatabaseSync {
    this.#db ??= new DatabaseSync(join(this.dataDir, 'champa.db'), { readOnly: true });
    return this.#db;
  }

  /** Messages delivered so far: rows in `emails`. */
  delivered(): number {
    const row = this.#open().prepare('SELECT count(*) AS n FROM emails').get() as { n: number };
    return Number(row.n);
  }

  /** Message blobs on disk (content-addressed files under DATA/blobs). */
  blobFiles(): number {
    let n = 0;
    const root = join(this.dataDir, 'blobs');
    const walk = (d: string): void => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        if (e.isDirectory()) walk(join(d, e.name));
        else if (HASH.test(e.name)) n++;
      }
    };
    walk(root);
    return n;
  }

  /** Stops the server with SIGTERM (a clean shutdown also writes the CPU profile). */
  async stop(): Promise<void> {
    this.#db?.close();
    this.#db = null;
    const child = this.#child;
    this.#child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 35_000);
    await exited;
    clearTimeout(timer);
  }

  /** For the exit trap: no waiting. */
  kill(): void {
    if (this.#child && this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}
