// `npm run bench:smtp`: SMTP ingest of Champa against Postfix + Dovecot (LMTP, Maildir) on the
// same machine, in the same run, with the same load generator. Prints a table and writes
// bench/results/smtp-ingest-<time>.json. Method and figures: docs/BENCHMARKS.md.
//
// Options (flag or environment variable):
//   --messages N        BENCH_MESSAGES         messages in scenario (a)            5000
//   --concurrency N     BENCH_CONCURRENCY      parallel connections               20
//   --size BYTES        BENCH_SIZE             message size                       4096
//   --users N           BENCH_USERS            mailboxes drawn from in (a)        100
//   --fanout N          BENCH_FANOUT           recipients in scenario (b)         1500
//   --newconn N         BENCH_NEWCONN          messages with a connection each    1000
//   --warmup N          BENCH_WARMUP           unmeasured messages first          500
//   --rounds N          BENCH_ROUNDS           rounds, alternating which system goes first  3
//   --only NAME         BENCH_ONLY             champa | postfix (default both)
//   --profile           BENCH_PROFILE=1        run Champa under --cpu-prof, print its summary
//   --keep              BENCH_KEEP=1           keep the work folder
// Both systems are set up and started first; each round then runs every scenario on one
// system, then on the other (the idle one uses no CPU). The report gives the median of the
// rounds for rates and times, and the highest memory peak. Every process started here is
// stopped at the end, also on Ctrl-C or an error.
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exitTrap, machine, versionOf, writeResults } from '../lib/harness.ts';
import { startDns } from '../../test/helpers/dns.ts';
import { Champa } from './champa.ts';
import { PostfixDovecot, ensureInstalled } from './postfix-dovecot.ts';
import { formatSummary, summarise, type ProfileSummary } from './profile.ts';
import { fold, formatTable, rowsOf, type SystemFigures } from './report.ts';
import { runFanout, runFlood, type FloodFigures, type SystemUnderTest } from './scenarios.ts';

const DOMAIN = 'bench.test';
const SENDER_DOMAIN = 'loadgen.bench.internal';
const FROM = `sender@${SENDER_DOMAIN}`;
const TIMEOUT_MS = 10 * 60 * 1000;

const { values } = parseArgs({
  options: {
    messages: { type: 'string' },
    concurrency: { type: 'string' },
    size: { type: 'string' },
    users: { type: 'string' },
    fanout: { type: 'string' },
    newconn: { type: 'string' },
    warmup: { type: 'string' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean' },
    keep: { type: 'boolean' },
  },
});

function num(flag: string | undefined, env: string, dflt: number): number {
  const v = flag ?? process.env[env];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${env} must be a whole number (got "${v}")`);
  return n;
}

const P = {
  messages: num(values.messages, 'BENCH_MESSAGES', 5000),
  concurrency: num(values.concurrency, 'BENCH_CONCURRENCY', 20),
  size: num(values.size, 'BENCH_SIZE', 4096),
  users: num(values.users, 'BENCH_USERS', 100),
  fanout: num(values.fanout, 'BENCH_FANOUT', 1500),
  newconn: num(values.newconn, 'BENCH_NEWCONN', 1000),
  warmup: num(values.warmup, 'BENCH_WARMUP', 500),
  rounds: Math.max(1, num(values.rounds, 'BENCH_ROUNDS', 3)),
};
const only = values.only ?? process.env.BENCH_ONLY ?? '';
const profile = values.profile ?? process.env.BENCH_PROFILE === '1';
const keep = values.keep ?? process.env.BENCH_KEEP === '1';
if (only && only !== 'champa' && only !== 'postfix')
  throw new Error('--only takes "champa" or "postfix"');

const loadUsers = Array.from({ length: P.users }, (_, i) => `load${String(i).padStart(3, '0')}`);
const staff = Array.from({ length: P.fanout }, (_, i) => `staff${String(i).padStart(4, '0')}`);
const allUsers = [...loadUsers, ...staff];
const log = (s: string): void => void process.stderr.write(`${s}\n`);

async function scenarios(
  sut: SystemUnderTest,
  warmup: boolean,
  blobs?: () => number,
): Promise<SystemFigures> {
  const common = { domain: DOMAIN, from: FROM, size: P.size, timeoutMs: TIMEOUT_MS };
  const flood = { ...common, users: loadUsers, concurrency: P.concurrency };
  if (warmup && P.warmup > 0) {
    log(`${sut.name}: warm-up, ${P.warmup} messages`);
    await runFlood(sut, { ...flood, messages: P.warmup, newConnectionPerMessage: false });
  }
  log(`${sut.name}: (a) ${P.messages} messages, ${P.concurrency} reused connections`);
  const reused = await runFlood(sut, {
    ...flood,
    messages: P.messages,
    newConnectionPerMessage: false,
  });
  let newConnection: FloodFigures | null = null;
  if (P.newconn > 0) {
    log(`${sut.name}: (a') ${P.newconn} messages, a new connection each`);
    newConnection = await runFlood(sut, {
      ...flood,
      messages: P.newconn,
      newConnectionPerMessage: true,
    });
  }
  log(`${sut.name}: (b) one message to ${P.fanout} recipients`);
  const blobsBefore = blobs?.();
  const fan = await runFanout(sut, { ...common, users: staff });
  const fanout: SystemFigures['fanout'] = { ...fan };
  if (blobs && blobsBefore !== undefined) fanout.blobFilesAdded = blobs() - blobsBefore;
  return { reused, newConnection, fanout };
}

// Everything started here, for the exit trap.
const trap = exitTrap(log);
const cleanups = { push: trap.add };
const stopAll = trap.run;

const work = mkdtempSync('/tmp/champa-bench-');
chmodSync(work, 0o755); // Postfix and Dovecot run as their own users and must reach their folders
log(`work folder: ${work}`);
const dns = await startDns({ [SENDER_DOMAIN]: { TXT: ['v=spf1 ip4:127.0.0.0/8 -all'] } });
cleanups.push(() => void dns.close());

interface Contender {
  name: 'champa' | 'postfix';
  sut: SystemUnderTest;
  blobs?: () => number;
  rounds: SystemFigures[];
}

let champaFigures: SystemFigures | null = null;
let postfixFigures: SystemFigures | null = null;
let profileSummary: ProfileSummary | null = null;
const contenders: Contender[] = [];
const load = { before: loadavg(), after: [0, 0, 0] };

try {
  let champa: Champa | null = null;
  const profDir = profile ? join(work, 'champa', 'profile') : undefined;
  if (only !== 'postfix') {
    const dir = join(work, 'champa');
    mkdirSync(dir);
    const c = new Champa({
      dir,
      domain: DOMAIN,
      portBase: 21000,
      users: allUsers,
      maxRecipients: Math.max(P.fanout, 1000),
      dns: dns.server,
    });
    champa = c;
    cleanups.push(() => c.kill());
    log('champa: setting up');
    await c.setup(log);
    await c.start(profDir);
    const pid = c.pid()!;
    contenders.push({
      name: 'champa',
      sut: { name: 'champa', port: c.smtpPort, delivered: () => c.delivered(), pids: () => [pid] },
      blobs: () => c.blobFiles(),
      rounds: [],
    });
  }
  if (only !== 'champa') {
    ensureInstalled(log);
    const pd = new PostfixDovecot({
      dir: join(work, 'postfix-dovecot'),
      domain: DOMAIN,
      smtpPort: 12525,
      lmtpPort: 12424,
      users: allUsers,
      maxRecipients: Math.max(P.fanout, 1000),
    });
    cleanups.push(() => pd.stop());
    log('postfix+dovecot: setting up');
    await pd.configure();
    await pd.start();
    contenders.push({
      name: 'postfix',
      sut: {
        name: 'postfix+dovecot',
        port: 12525,
        delivered: (users) => pd.delivered(users),
        pids: () => pd.pids(),
      },
      rounds: [],
    });
  }
  for (let round = 0; round < P.rounds; round++) {
    const order = round % 2 === 0 ? contenders : [...contenders].reverse();
    for (const c of order) {
      log(`round ${round + 1}/${P.rounds}`);
      c.rounds.push(await scenarios(c.sut, round === 0, c.blobs));
    }
  }
  load.after = loadavg();
  for (const c of contenders) {
    if (c.name === 'champa') champaFigures = fold(c.rounds);
    else postfixFigures = fold(c.rounds);
  }
  if (champa) await champa.stop();
  if (profDir) {
    const file = readdirSync(profDir).find((f) => f.endsWith('.cpuprofile'));
    if (file) {
      profileSummary = summarise(join(profDir, file));
      log(formatSummary(profileSummary));
    } else log('champa: no CPU profile was written');
  }
} finally {
  stopAll();
}

// ---- report ----
const c = champaFigures;
const x = postfixFigures;
const rows = rowsOf(c, x, P);
console.log(formatTable(rows));
console.log(
  `median of ${P.rounds} round(s). ratio = Champa ÷ Postfix+Dovecot for rates and memory; Postfix+Dovecot ÷ Champa for times (> 1 means Champa is faster).`,
);
console.log(
  `load average before ${load.before.map((l) => l.toFixed(2)).join(' ')}, after ${load.after.map((l) => l.toFixed(2)).join(' ')} (${cpus().length} CPUs)`,
);
if (c?.fanout.blobFilesAdded !== undefined)
  console.log(
    `Champa blob files added by (b), most in one round: ${c.fanout.blobFilesAdded} (expected 1)`,
  );
for (const [name, f] of [
  ['Champa', c],
  ['Postfix+Dovecot', x],
] as const)
  for (const s of [f?.reused, f?.newConnection])
    if (s && s.failed > 0)
      console.log(`${name}: ${s.failed} messages failed, first: ${s.firstError}`);

const out = writeResults('smtp-ingest', {
  machine: machine({
    postfix: only === 'champa' ? undefined : versionOf('postconf', ['-d', '-h', 'mail_version']),
    dovecot: only === 'champa' ? undefined : versionOf('dovecot', ['--version']),
  }),
  params: { ...P, profiled: profile },
  load,
  champa: champaFigures,
  postfixDovecot: postfixFigures,
  rounds: Object.fromEntries(contenders.map((k) => [k.name, k.rounds])),
  rows,
  profile: profileSummary,
});
console.log(`results: ${out}`);
if (keep) log(`work folder kept: ${work}`);
else rmSync(work, { recursive: true, force: true });
