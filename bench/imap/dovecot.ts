// The reference IMAP server for bench/imap: Debian's Dovecot (dovecot-imapd) on a private
// port with implicit TLS, in its own base_dir, users in a passwd-file (Argon2id hashes, the
// same strings Champa stores), mail in Maildirs that this module fills directly. The machine's
// own Dovecot and its /etc config are never touched; stop() ends the one master started here.
//
// Tuning, as Dovecot's documentation advises for many connections: imap-login in
// "high-performance" mode (service_count = 0, one process per CPU serving many clients), one
// imap process per session (the default), limits raised so 5,000 sessions fit, no
// per-user+IP cap, the authentication cache on (hash checks in auth-worker processes). No
// FTS plugin: SEARCH TEXT/BODY reads every message.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { processTree } from '../smtp-ingest/procmem.ts';
import { dovecotCommon, waitForPort } from '../smtp-ingest/postfix-dovecot.ts';

export interface DovecotImapOptions {
  /** Empty folder owned by this run. */
  dir: string;
  port: number;
  /** user name → Argon2id PHC string. */
  users: Map<string, string>;
  tls: { cert: string; key: string };
  /** Most sessions at once. */
  maxSessions: number;
}

export class DovecotImap {
  readonly o: DovecotImapOptions;
  readonly conf: string;
  readonly mailDir: string;
  #uid = 0;
  #gid = 0;

  constructor(o: DovecotImapOptions) {
    this.o = o;
    this.conf = join(o.dir, 'dovecot.conf');
    this.mailDir = join(o.dir, 'mail');
  }

  configure(): void {
    const { dir, port, users, tls, maxSessions } = this.o;
    this.#uid = Number(execFileSync('id', ['-u', 'mail']).toString());
    this.#gid = Number(execFileSync('id', ['-g', 'mail']).toString());
    for (const d of ['run', 'state']) mkdirSync(join(dir, d), { recursive: true });
    mkdirSync(this.mailDir, { recursive: true });
    chmodSync(dir, 0o755);
    const passwd = [...users]
      .map(([u, hash]) => `${u}:{ARGON2ID}${hash}::::${join(this.mailDir, u)}::`)
      .join('\n');
    writeFileSync(join(dir, 'users'), passwd + '\n');
    const limit = maxSessions + 1000;
    writeFileSync(
      this.conf,
      [
        ...dovecotCommon(dir, `dovecot-imap-bench-${port}`, this.#uid, this.#gid),
        'protocols = imap',
        'ssl = required',
        `ssl_cert = <${tls.cert}`,
        `ssl_key = <${tls.key}`,
        `default_client_limit = ${limit}`,
        `default_process_limit = ${limit}`,
        // Its authentication cache, as advised for many logins; a hit still verifies the
        // password against the cached hash, in worker processes on every CPU.
        'auth_cache_size = 10M',
        'auth_cache_verify_password_with_worker = yes',
        'protocol imap {',
        `  mail_max_userip_connections = ${limit}`,
        '}',
        'service imap-login {',
        '  service_count = 0',
        `  process_min_avail = ${cpus().length}`,
        '  inet_listener imaps {',
        '    address = 127.0.0.1',
        `    port = ${port}`,
        '  }',
        '  inet_listener imap {',
        '    port = 0',
        '  }',
        '}',
        'service imap {',
        `  process_limit = ${limit}`,
        '}',
        '',
      ].join('\n'),
    );
  }

  /** Writes messages into a user's Maildir cur/ as Dovecot would have stored them, seen. */
  fill(user: string, messages: Iterable<Buffer>): void {
    const md = join(this.mailDir, user, 'Maildir');
    for (const d of ['cur', 'new', 'tmp']) mkdirSync(join(md, d), { recursive: true });
    const t = Math.floor(Date.now() / 1000);
    let i = 0;
    for (const m of messages) {
      i++;
      writeFileSync(join(md, 'cur', `${t}.M${i}P${process.pid}.bench,S=${m.byteLength}:2,S`), m);
    }
  }

  /** Creates every user's Maildir and hands the mail folder to the mail user. */
  chownMail(): void {
    for (const u of this.o.users.keys())
      for (const d of ['cur', 'new', 'tmp'])
        mkdirSync(join(this.mailDir, u, 'Maildir', d), { recursive: true });
    execFileSync('chown', ['-R', `${this.#uid}:${this.#gid}`, this.mailDir]);
  }

  async start(): Promise<void> {
    // No pipes: the daemons would inherit them and spawnSync would wait for them to close.
    const r = spawnSync('dovecot', ['-c', this.conf], { stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`dovecot did not start; try: dovecot -F -c ${this.conf}`);
    await waitForPort(this.o.port);
  }

  masterPid(): number | undefined {
    try {
      const n = Number(readFileSync(join(this.o.dir, 'run', 'master.pid'), 'utf8').trim());
      return n > 0 ? n : undefined;
    } catch {
      return undefined;
    }
  }

  /** The master and every process under it. */
  pids(): number[] {
    const m = this.masterPid();
    return m === undefined ? [] : processTree([m]);
  }

  stop(): void {
    spawnSync('doveadm', ['-c', this.conf, 'stop'], { stdio: 'ignore' });
  }
}
