// The reference system for the SMTP ingest benchmark: Postfix accepting mail on a private
// port and handing it over LMTP to Dovecot, which writes Maildirs. Everything lives in one
// work folder (private config, queue, base_dir, mail); the machine's own Postfix and Dovecot
// instances, their config in /etc and port 25 are never touched. Installs the Debian packages
// when they are missing (root only). `stop()` ends exactly the two master processes started
// here, and with them their children.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { processTree } from './procmem.ts';

export interface PostfixDovecotOptions {
  /** Empty folder owned by this run. */
  dir: string;
  domain: string;
  smtpPort: number;
  lmtpPort: number;
  /** Local parts of every mailbox to create. */
  users: string[];
  /** Most RCPT TO in one transaction (Postfix's smtpd_recipient_limit). */
  maxRecipients: number;
}

const PACKAGES = ['postfix', 'dovecot-lmtpd', 'dovecot-imapd'];

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Installs Postfix and Dovecot from Debian if they are missing; their services stay stopped. */
export function ensureInstalled(log: (s: string) => void): void {
  if (have('postfix') && have('dovecot') && have('doveadm')) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `Postfix/Dovecot are missing; install them: apt-get install ${PACKAGES.join(' ')}`,
    );
  log(`installing ${PACKAGES.join(', ')} from Debian…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('debconf-set-selections', {
    input: 'postfix postfix/main_mailer_type select No configuration\n',
    env,
  });
  const apt = (args: string[]): number | null =>
    spawnSync('apt-get', ['-q', '-o', 'DPkg::Lock::Timeout=600', ...args], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    }).status;
  if (apt(['install', '-y', ...PACKAGES]) !== 0) {
    apt(['update']);
    if (apt(['install', '-y', ...PACKAGES]) !== 0)
      throw new Error(`apt-get install ${PACKAGES.join(' ')} failed`);
  }
}

/** master.cf: the services Postfix needs to receive and relay over LMTP; no chroot. */
function masterCf(smtpPort: number): string {
  return [
    `127.0.0.1:${smtpPort} inet n - n - - smtpd`,
    'pickup    unix n - n 60    1 pickup',
    'cleanup   unix n - n -     0 cleanup',
    'qmgr      unix n - n 300   1 qmgr',
    'rewrite   unix - - n -     - trivial-rewrite',
    'bounce    unix - - n -     0 bounce',
    'defer     unix - - n -     0 bounce',
    'trace     unix - - n -     0 bounce',
    'verify    unix - - n -     1 verify',
    'flush     unix n - n 1000? 0 flush',
    'proxymap  unix - - n -     - proxymap',
    'showq     unix n - n -     - showq',
    'error     unix - - n -     - error',
    'retry     unix - - n -     - error',
    'discard   unix - - n -     - discard',
    'lmtp      unix - - n -     - lmtp',
    'anvil     unix - - n -     1 anvil',
    'scache    unix - - n -     1 scache',
    'postlog   unix-dgram n - n - 1 postlogd',
    '',
  ].join('\n');
}

export class PostfixDovecot {
  readonly o: PostfixDovecotOptions;
  readonly pfDir: string;
  readonly dcDir: string;
  readonly mailDir: string;
  /** Postfix's queue_directory; outside the config folder, which Postfix wants root-only. */
  readonly spool: string;

  constructor(o: PostfixDovecotOptions) {
    this.o = o;
    this.pfDir = join(o.dir, 'postfix');
    this.dcDir = join(o.dir, 'dovecot');
    this.mailDir = join(o.dir, 'mail');
    this.spool = join(o.dir, 'postfix-spool');
  }

  async configure(): Promise<void> {
    const { dir, domain, smtpPort, lmtpPort, users, maxRecipients } = this.o;
    const mail = (uid: 'mail'): number => Number(execFileSync('id', ['-u', uid]).toString());
    const mailUid = mail('mail');
    const mailGid = Number(execFileSync('id', ['-g', 'mail']).toString());
    for (const d of [this.pfDir, this.spool, join(this.o.dir, 'postfix-data')])
      mkdirSync(d, { recursive: true });
    mkdirSync(join(this.dcDir, 'run'), { recursive: true });
    mkdirSync(join(this.dcDir, 'state'), { recursive: true });
    mkdirSync(this.mailDir, { recursive: true });
    chmodSync(dir, 0o755);
    chownSync(this.mailDir, mailUid, mailGid);
    chownSync(join(this.o.dir, 'postfix-data'), Number(execFileSync('id', ['-u', 'postfix'])), 0);

    await writeFile(
      join(this.pfDir, 'main.cf'),
      [
        'compatibility_level = 3.6',
        `queue_directory = ${this.spool}`,
        `data_directory = ${join(this.o.dir, 'postfix-data')}`,
        `maillog_file = ${join(this.pfDir, 'postfix.log')}`,
        `maillog_file_prefixes = ${this.pfDir}`,
        'mail_owner = postfix',
        'setgid_group = postdrop',
        'inet_interfaces = 127.0.0.1',
        'inet_protocols = ipv4',
        'myhostname = postfix.bench.internal',
        'mydestination =',
        'mynetworks = 127.0.0.0/8',
        'smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination',
        'smtpd_recipient_restrictions =',
        // Unknown recipients are refused at RCPT, as Champa does.
        `virtual_mailbox_domains = ${domain}`,
        `virtual_mailbox_maps = texthash:${join(this.pfDir, 'mailboxes')}`,
        `virtual_transport = lmtp:inet:127.0.0.1:${lmtpPort}`,
        `smtpd_recipient_limit = ${maxRecipients}`,
        'smtpd_client_connection_count_limit = 0',
        'smtpd_client_message_rate_limit = 0',
        'smtpd_client_recipient_rate_limit = 0',
        'smtpd_peername_lookup = no',
        'biff = no',
        'append_dot_mydomain = no',
        'smtputf8_enable = yes',
        'message_size_limit = 52428800',
        '',
      ].join('\n'),
    );
    await writeFile(join(this.pfDir, 'master.cf'), masterCf(smtpPort));
    await writeFile(
      join(this.pfDir, 'mailboxes'),
      users.map((u) => `${u}@${domain} ok`).join('\n') + '\n',
    );

    // Dovecot: one passwd-file for 1,600 virtual users, all mapped to the system user `mail`.
    const passwd = users
      .map((u) => `${u}@${domain}:{PLAIN}unused-${u}::::${join(this.mailDir, u)}::`)
      .join('\n');
    await writeFile(join(this.dcDir, 'users'), passwd + '\n');
    await writeFile(
      join(this.dcDir, 'dovecot.conf'),
      [
        ...dovecotCommon(this.dcDir, `dovecot-bench-${smtpPort}`, mailUid, mailGid),
        'protocols = lmtp',
        'ssl = no',
        'lmtp_save_to_detail_mailbox = no',
        'service lmtp {',
        '  inet_listener lmtp {',
        '    address = 127.0.0.1',
        `    port = ${lmtpPort}`,
        '  }',
        '}',
        'service imap-login {',
        '  inet_listener imap {',
        '    port = 0',
        '  }',
        '  inet_listener imaps {',
        '    port = 0',
        '  }',
        '}',
        '',
      ].join('\n'),
    );
  }

  async start(): Promise<void> {
    const conf = join(this.dcDir, 'dovecot.conf');
    // No pipes: the daemons would inherit them and spawnSync would wait for them to close.
    const dc = spawnSync('dovecot', ['-c', conf], { stdio: 'ignore' });
    if (dc.status !== 0)
      throw new Error(`dovecot did not start; try by hand: dovecot -F -c ${conf}`);
    const pf = spawnSync('postfix', ['-c', this.pfDir, 'start'], { stdio: 'ignore' });
    if (pf.status !== 0)
      throw new Error(`postfix did not start (see ${join(this.pfDir, 'postfix.log')})`);
    await waitForPort(this.o.smtpPort);
    await waitForPort(this.o.lmtpPort);
  }

  /** The two master processes (Postfix, Dovecot); their trees are the system under test. */
  masterPids(): number[] {
    const read = (f: string): number | undefined => {
      try {
        const n = Number(readFileSync(f, 'utf8').trim());
        return n > 0 ? n : undefined;
      } catch {
        return undefined;
      }
    };
    return [
      read(join(this.pfDir, 'queue', 'pid', 'master.pid')),
      read(join(this.dcDir, 'run', 'master.pid')),
    ].filter((n): n is number => n !== undefined);
  }

  /** Every process of both systems, now. */
  pids(): number[] {
    return processTree(this.masterPids());
  }

  /** Messages delivered into Maildirs so far (files in new/ and cur/ of every user). */
  delivered(users: readonly string[]): number {
    let n = 0;
    for (const u of users) {
      for (const sub of ['new', 'cur']) {
        try {
          n += readdirSync(join(this.mailDir, u, 'Maildir', sub)).length;
        } catch {
          // not created until the first delivery
        }
      }
    }
    return n;
  }

  /** Messages still in Postfix's queue (active, incoming, deferred). */
  queued(): number {
    let n = 0;
    const walk = (d: string): void => {
      let names: string[];
      try {
        names = readdirSync(d);
      } catch {
        return;
      }
      for (const name of names) {
        const p = join(d, name);
        if (/^[0-9A-F]$/.test(name)) walk(p);
        else n++;
      }
    };
    for (const q of ['incoming', 'active', 'deferred']) walk(join(this.pfDir, 'queue', q));
    return n;
  }

  stop(): void {
    if (existsSync(join(this.pfDir, 'main.cf')))
      spawnSync('postfix', ['-c', this.pfDir, 'stop'], { stdio: 'ignore' });
    const conf = join(this.dcDir, 'dovecot.conf');
    if (existsSync(conf)) spawnSync('doveadm', ['-c', conf, 'stop'], { stdio: 'ignore' });
  }
}

/**
 * The settings every private Dovecot instance of the benchmarks shares: its folders under
 * `dir` (run/, state/, dovecot.log, users), loopback only, PLAIN auth, passwd-file users whose
 * mail (Maildir under their home) belongs to the system user `mail`.
 */
export function dovecotCommon(dir: string, instance: string, uid: number, gid: number): string[] {
  return [
    `base_dir = ${join(dir, 'run')}`,
    `state_dir = ${join(dir, 'state')}`,
    `log_path = ${join(dir, 'dovecot.log')}`,
    `instance_name = ${instance}`,
    'listen = 127.0.0.1',
    'auth_mechanisms = plain',
    `first_valid_uid = ${uid}`,
    `mail_uid = ${uid}`,
    `mail_gid = ${gid}`,
    'mail_location = maildir:~/Maildir',
    'default_internal_user = dovecot',
    'default_login_user = dovenull',
    'passdb {',
    '  driver = passwd-file',
    `  args = ${join(dir, 'users')}`,
    '}',
    'userdb {',
    '  driver = passwd-file',
    `  args = ${join(dir, 'users')}`,
    '}',
  ];
}

export async function waitForPort(port: number, timeoutMs = 20000): Promise<void> {
  const { connect } = await import('node:net');
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
