// `npm run bench:imap`: Champa's IMAP door against Debian's Dovecot (dovecot-imapd), in the
// same run, on the same mailboxes, with the same client (client.ts), both over implicit TLS.
// Prints a table and writes bench/results/imap-<time>.json. Method and figures:
// docs/BENCHMARKS.md.
//
// Options (flag or environment variable):
//   --messages N     BENCH_MESSAGES     messages in the searched mailbox            10000
//   --fetch N        BENCH_FETCH        UIDs fetched (ENVELOPE FLAGS)               1000
//   --rounds N       BENCH_ROUNDS       timed repetitions of FETCH and SEARCH       20
//   --logins N       BENCH_LOGINS       logins with a low-cost Argon2id hash        2000
//   --slowlogins N   BENCH_SLOWLOGINS   logins with the production Argon2id hash    100
//                                       (20 accounts in turn: after the first 20, a
//                                       remembered success on Champa)
//   --coldlogins N   BENCH_COLDLOGINS   first logins of distinct accounts, per run  60
//   --concurrency N  BENCH_CONCURRENCY  clients logging in at once                  20
//   --appends N      BENCH_APPENDS      4 KiB messages appended                     1000
//   --appenders N    BENCH_APPENDERS    sessions appending at once                  5
//   --idle N         BENCH_IDLE         sessions held in IDLE                       5000
//   --repeat N       BENCH_REPEAT       runs of each scenario per server            3
//   --only NAME      BENCH_ONLY         champa | dovecot (default both)
//   --profile        BENCH_PROFILE=1    run Champa under --cpu-prof, print its summary
//   --keep           BENCH_KEEP=1       keep the work folder
// Both servers are set up and started first; each scenario then runs `repeat` times on each,
// interleaved (Champa, Dovecot, Dovecot, Champa, …) so that a change in the machine's load
// falls on both; the figure reported is the median of the runs. The idle scenario runs once.
// Every process started here is stopped at the end.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { argon2, randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/core/config.ts';
import { closeCore, openCore } from '../../src/core/core.ts';
import { ingest } from '../../src/core/deliver.ts';
import { flushIndex } from '../../src/core/indexer.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { startDns } from '../../test/helpers/dns.ts';
import { exitTrap, machine, versionOf, writeResults } from '../lib/harness.ts';
import { Champa } from '../smtp-ingest/champa.ts';
import { processTree } from '../smtp-ingest/procmem.ts';
import { formatSummary, summarise, type ProfileSummary } from '../smtp-ingest/profile.ts';
import { ensureInstalled } from '../smtp-ingest/postfix-dovecot.ts';
import { DovecotImap } from './dovecot.ts';
import { corpusMessage, formatTable, type Row } from './report.ts';
import * as S from './scenarios.ts';

const DOMAIN = 'bench.test';
const PASSWORD = 'Ministry-2026-load-test'; // what Champa's bench setup gives every account
const RARE = 'zanzibar'; // in one message of every hundred

const options: Record<string, { type: 'string' | 'boolean' }> = {
  profile: { type: 'boolean' },
  keep: { type: 'boolean' },
};
for (const k of [
  'messages',
  'fetch',
  'rounds',
  'logins',
  'slowlogins',
  'coldlogins',
  'concurrency',
  'appends',
  'appenders',
  'idle',
  'repeat',
  'only',
])
  options[k] = { type: 'string' };
const values: Record<string, string | boolean | undefined> = parseArgs({ options })
  .values as Record<string, string | boolean | undefined>;
const flag = (k: string): string | undefined => {
  const v = values[k];
  return typeof v === 'string' ? v : undefined;
};
function num(k: string, dflt: number): number {
  const v = flag(k) ?? process.env[`BENCH_${k.toUpperCase()}`];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${k} must be a whole number (got "${v}")`);
  return n;
}
const P = {
  messages: num('messages', 10_000),
  fetch: num('fetch', 1000),
  rounds: Math.max(1, num('rounds', 20)),
  logins: num('logins', 2000),
  slowlogins: num('slowlogins', 100),
  coldlogins: num('coldlogins', 60),
  concurrency: Math.max(1, num('concurrency', 20)),
  appends: num('appends', 1000),
  appenders: Math.max(1, num('appenders', 5)),
  idle: num('idle', 5000),
  repeat: Math.max(1, num('repeat', 3)),
};
const only = flag('only') ?? process.env.BENCH_ONLY ?? '';
const profile = values.profile === true || process.env.BENCH_PROFILE === '1';
const keep = values.keep === true || process.env.BENCH_KEEP === '1';
if (only && only !== 'champa' && only !== 'dovecot')
  throw new Error('--only takes "champa" or "dovecot"');
const log = (s: string): void => void process.stderr.write(`${s}\n`);

const fdLimit = Number(
  /Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1],
);
if (fdLimit < P.idle + 500)
  throw new Error(`open-file limit ${fdLimit} is too low for ${P.idle} sessions: ulimit -n 65536`);

/** An Argon2id PHC string of low cost (m = 1 MiB, t = 1, p = 1): TLS and protocol cost only. */
function cheapHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const b64 = (b: Buffer): string => b.toString('base64').replace(/=+$/, '');
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      { message: password, nonce: salt, memory: 1024, passes: 1, parallelism: 1, tagLength: 32 },
      (err, out) =>
        err ? reject(err) : resolve(`$argon2id$v=19$m=1024,t=1,p=1$${b64(salt)}$${b64(out)}`),
    ),
  );
}

const names = (prefix: string, n: number): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}@${DOMAIN}`);
const slowUsers = names('login', 20);
const quickUsers = names('quick', 20);
// Champa lets one account hold 20 sessions (NO [LIMIT] past that): enough accounts for all.
const idleUsers = names('idle', Math.max(50, Math.ceil(P.idle / 20)));
// Each its own production-cost hash, signed in once per run: nothing remembered anywhere.
const coldUsers = names('cold', P.coldlogins * P.repeat);
const mainUser = `bench@${DOMAIN}`;
const writer = `writer@${DOMAIN}`;
const allUsers = [mainUser, writer, ...slowUsers, ...quickUsers, ...idleUsers, ...coldUsers];
const cheap = new Set([...quickUsers, ...idleUsers]);

const trap = exitTrap(log);
const work = mkdtempSync('/tmp/champa-bench-imap-');
chmodSync(work, 0o755); // Dovecot's processes run as its own users and must reach their folders
log(`work folder: ${work}`);
const dns = await startDns({});
trap.add(() => void dns.close());
const cheapPhc = await cheapHash(PASSWORD);
const coldPhc = new Map<string, string>();
for (const u of coldUsers) coldPhc.set(u, await hashPassword(PASSWORD));
const targets: S.Target[] = [];
let champa: Champa | null = null;
const profDir = profile ? join(work, 'champa', 'profile') : undefined;

if (only !== 'dovecot') {
  const dir = join(work, 'champa');
  const users = allUsers.map((u) => u.split('@')[0]!);
  const c = new Champa({
    dir,
    domain: DOMAIN,
    portBase: 22000,
    users,
    maxRecipients: 100,
    dns: dns.server,
  });
  mkdirSync(dir);
  champa = c;
  trap.add(() => c.kill());
  log('champa: setting up accounts');
  await c.setup(log);
  const core = await openCore(loadConfig(c.dataDir, {}));
  try {
    await core.db
      .updateTable('accounts')
      .set({ password_hash: cheapPhc })
      .where('email', 'in', [...cheap])
      .execute();
    for (const [email, phc] of coldPhc)
      await core.db
        .updateTable('accounts')
        .set({ password_hash: phc })
        .where('email', '=', email)
        .execute();
    const acc = await core.db
      .selectFrom('accounts')
      .select('id')
      .where('email', '=', mainUser)
      .executeTakeFirstOrThrow();
    log(`champa: ${P.messages} messages through core ingest()`);
    const t0 = performance.now();
    for (let i = 0; i < P.messages; i += 32)
      await Promise.all(
        Array.from({ length: Math.min(32, P.messages - i) }, (_, j) =>
          ingest(core, corpusMessage(i + j, RARE), [
            { accountId: Number(acc.id), keywords: ['$seen'] },
          ]),
        ),
      );
    // The index rows are written after each commit (core/indexer.ts): wait for them here, or
    // `champa serve` would spend the first scenarios re-indexing the mailbox.
    await flushIndex(core);
    log(`champa: ingested in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await closeCore(core);
  }
  await c.start(profDir);
  const serveLog = readFileSync(join(dir, 'serve.log'), 'utf8');
  const m = /"door":"imaps"[^}]*"port":(\d+)/.exec(serveLog);
  if (!m) throw new Error('champa serve did not log its imaps port');
  const pid = c.pid()!;
  targets.push({ name: 'champa', port: Number(m[1]), pids: () => processTree([pid]) });
}

if (only !== 'champa') {
  ensureInstalled(log);
  const slowPhc = await hashPassword(PASSWORD);
  const tlsDir = champa ? join(champa.dataDir, 'tls') : undefined;
  if (!tlsDir) throw new Error('Dovecot uses the certificate `champa init` makes: run both');
  const d = new DovecotImap({
    dir: join(work, 'dovecot'),
    port: 23993,
    users: new Map(allUsers.map((u) => [u, coldPhc.get(u) ?? (cheap.has(u) ? cheapPhc : slowPhc)])),
    tls: { cert: join(tlsDir, 'cert.pem'), key: join(tlsDir, 'key.pem') },
    maxSessions: P.idle,
  });
  trap.add(() => d.stop());
  log('dovecot: writing the Maildir');
  d.configure();
  d.fill(
    mainUser,
    (function* () {
      for (let i = 0; i < P.messages; i++) yield corpusMessage(i, RARE);
    })(),
  );
  d.chownMail();
  await d.start();
  targets.push({ name: 'dovecot', port: 23993, pids: () => d.pids() });
}

// ---- scenarios, each on every target in turn ----
const results: Record<string, Record<string, unknown>> = Object.fromEntries(
  targets.map((t) => [t.name, {}]),
);
const load: Record<string, number[]> = { before: loadavg() };
/** The median of each numeric field over the runs; the runs themselves are kept. */
function medianOfRuns(runs: Record<string, unknown>[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...runs[0] };
  for (const [k, v] of Object.entries(runs[0] ?? {})) {
    if (typeof v !== 'number') continue;
    const xs = runs.map((r) => r[k] as number).sort((a, b) => a - b);
    const mid = Math.floor(xs.length / 2);
    out[k] = xs.length % 2 ? xs[mid] : (xs[mid - 1]! + xs[mid]!) / 2;
  }
  const failed = runs.map((r) => r.failed).filter((f) => typeof f === 'number');
  if (failed.length) out.failed = (failed as number[]).reduce((a, b) => a + b, 0);
  if (runs.length > 1) out.runs = runs;
  return out;
}
const each = async (
  key: string,
  f: (t: S.Target) => Promise<unknown>,
  repeat = P.repeat,
): Promise<void> => {
  const runs = new Map<string, Record<string, unknown>[]>(targets.map((t) => [t.name, []]));
  for (let r = 0; r < repeat; r++)
    for (const t of r % 2 ? [...targets].reverse() : targets) {
      log(`${t.name}: ${key}${repeat > 1 ? ` (run ${r + 1} of ${repeat})` : ''}`);
      runs.get(t.name)!.push((await f(t)) as Record<string, unknown>);
    }
  for (const t of targets) results[t.name]![key] = medianOfRuns(runs.get(t.name)!);
  load[key] = loadavg();
};
const fetchLines = (u: string[]): number => u.filter((l) => / FETCH /.test(l)).length;
const searchHits = (u: string[]): number =>
  u
    .filter((l) => l.startsWith('* SEARCH'))
    .join(' ')
    .split(' ').length - 2;
const lo = Math.max(1, Math.floor(P.messages / 2) - Math.floor(P.fetch / 2));

try {
  await each('warmup', (t) => S.logins(t, quickUsers, PASSWORD, 200, P.concurrency), 1);
  await each('tlsOnly', (t) => S.logins(t, [], '', P.logins, P.concurrency));
  await each('loginCheap', (t) => S.logins(t, quickUsers, PASSWORD, P.logins, P.concurrency));
  if (P.slowlogins > 0)
    await each('loginArgon2', (t) => S.logins(t, slowUsers, PASSWORD, P.slowlogins, P.concurrency));
  if (P.coldlogins > 0) {
    const runOf = new Map<string, number>();
    await each('loginCold', (t) => {
      const r = runOf.get(t.name) ?? 0;
      runOf.set(t.name, r + 1);
      const users = coldUsers.slice(r * P.coldlogins, (r + 1) * P.coldlogins);
      return S.logins(t, users, PASSWORD, users.length, P.concurrency);
    });
  }
  await each('fetch', (t) =>
    S.latency(
      t,
      mainUser,
      PASSWORD,
      `UID FETCH ${lo}:${lo + P.fetch - 1} (ENVELOPE FLAGS)`,
      P.rounds,
      fetchLines,
    ),
  );
  await each('searchText', (t) =>
    S.latency(t, mainUser, PASSWORD, `UID SEARCH TEXT "${RARE}"`, P.rounds, searchHits),
  );
  await each('searchBody', (t) =>
    S.latency(t, mainUser, PASSWORD, `UID SEARCH BODY "${RARE}"`, P.rounds, searchHits),
  );
  if (P.appends > 0)
    await each('append', (t) =>
      S.appends(t, writer, PASSWORD, P.appends, P.appenders, (i) =>
        corpusMessage(100_000 + i, RARE),
      ),
    );
  if (P.idle > 0)
    await each('idle', (t) => S.idleMemory(t, idleUsers, PASSWORD, P.idle, 25, 3000), 1);
} finally {
  load.after = loadavg();
  if (champa) await champa.stop();
  trap.run();
}

let profileSummary: ProfileSummary | null = null;
if (profDir) {
  const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
  if (file) {
    profileSummary = summarise(join(profDir, file));
    log(formatSummary(profileSummary));
  }
}

// ---- report ----
type Fig = Record<string, number | undefined>;
const get = (sys: string, key: string, field: string): number | null => {
  const v = (results[sys]?.[key] as Fig | undefined)?.[field];
  return typeof v === 'number' ? v : null;
};
const rows: Row[] = [];
const add = (
  scenario: string,
  metric: string,
  key: string,
  field: string,
  better: 'high' | 'low',
  digits = 1,
): void => {
  const a = get('champa', key, field);
  const b = get('dovecot', key, field);
  const ratio = a && b ? (better === 'high' ? a / b : b / a) : null;
  rows.push({ scenario, metric, champa: a, dovecot: b, ratio, digits });
};
const c = P.concurrency;
add(`TLS connect + LOGOUT, ${c} clients`, 'sessions/s', 'tlsOnly', 'perSecond', 'high');
add(`LOGIN, Argon2id m=1MiB t=1, ${c} clients`, 'logins/s', 'loginCheap', 'perSecond', 'high');
add(
  `LOGIN, production Argon2id, 20 accounts in turn, ${c} clients`,
  'logins/s',
  'loginArgon2',
  'perSecond',
  'high',
);
add(
  `LOGIN, production Argon2id, first of ${P.coldlogins} accounts`,
  'logins/s',
  'loginCold',
  'perSecond',
  'high',
);
add(
  `UID FETCH ${P.fetch} (ENVELOPE FLAGS) of ${P.messages}`,
  'median ms',
  'fetch',
  'medianMs',
  'low',
);
add(`UID SEARCH TEXT "${RARE}" in ${P.messages}`, 'median ms', 'searchText', 'medianMs', 'low');
add(`UID SEARCH BODY "${RARE}" in ${P.messages}`, 'median ms', 'searchBody', 'medianMs', 'low');
add(`APPEND 4 KiB, ${P.appenders} sessions`, 'msg/s', 'append', 'perSecond', 'high');
add(`${P.idle} sessions in IDLE`, 'RSS KiB/session', 'idle', 'rssKiBPerSession', 'low');
add(`${P.idle} sessions in IDLE`, 'PSS KiB/session', 'idle', 'pssKiBPerSession', 'low');
console.log(formatTable(rows));
console.log(
  `ratio > 1 means Champa is better (rates: Champa ÷ Dovecot; times and memory: Dovecot ÷ Champa). Latencies: median of ${P.rounds}; every figure the median of ${P.repeat} interleaved runs.`,
);
const la = (k: string): string => (load[k] ?? []).map((l) => l.toFixed(2)).join(' ');
console.log(`load average before ${la('before')}, after ${la('after')} (${cpus().length} CPUs)`);
for (const t of targets)
  for (const [k, v] of Object.entries(results[t.name]!)) {
    const f = v as { failed?: number; firstError?: string; results?: number; opened?: number };
    if (f.failed) console.log(`${t.name} ${k}: ${f.failed} failed, first: ${f.firstError}`);
    if (f.results !== undefined) console.log(`${t.name} ${k}: ${f.results} results`);
    if (f.opened !== undefined && f.opened < P.idle)
      console.log(`${t.name} ${k}: only ${f.opened} sessions opened: ${f.firstError}`);
  }
const out = writeResults('imap', {
  machine: machine({
    dovecot: only === 'champa' ? undefined : versionOf('dovecot', ['--version']),
  }),
  params: { ...P, profiled: profile },
  load,
  results,
  rows,
  profile: profileSummary,
});
console.log(`results: ${out}`);
if (keep) log(`work folder kept: ${work}`);
else rmSync(work, { recursive: true, force: true });
