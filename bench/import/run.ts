// `npm run bench:import`: bulk account import, the first job of a ministry's administrators.
// For each size (default 1,500 then 20,000) it makes a fresh SQLite data folder with
// `champa init`, writes a CSV of generated rows (Lao names, 18 provinces, no password column,
// so every password is generated and hashed with Argon2id at the unchanged cost), and times the
// real `champa user import FILE --passwords-out FILE` as a child process. First it measures
// Argon2id throughput at 1, 2 and 4 hashes at once, which shows whether libuv's thread pool
// already uses every core (then a worker-thread pool would gain nothing).
// Two modes: `passwords` (no password column: each generated and hashed) and `welcome` (a
// personal_email column: no password and no hash; each account gets a one-time link mailed
// to that address, queued for delivery).
// Options: --counts 1500,20000 (BENCH_COUNTS), --modes passwords,welcome (BENCH_MODES),
// --keep (keep the work folder).
// Method and figures: docs/BENCHMARKS.md, "Bulk account import".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { hashPassword } from '../../src/core/passwords.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'src/main.ts');
const DOMAIN = 'moe.test';

const { values } = parseArgs({
  options: { counts: { type: 'string' }, modes: { type: 'string' }, keep: { type: 'boolean' } },
});
const counts = (values.counts ?? process.env.BENCH_COUNTS ?? '1500,20000').split(',').map(Number);
const modes = (values.modes ?? process.env.BENCH_MODES ?? 'passwords,welcome').split(',');
for (const m of modes)
  if (m !== 'passwords' && m !== 'welcome') throw new Error(`unknown mode ${m}`);

const PROVINCES = [
  'vientiane-capital',
  'phongsaly',
  'luangnamtha',
  'oudomxay',
  'bokeo',
  'luangprabang',
  'houaphanh',
  'xayabury',
  'xiengkhouang',
  'vientiane',
  'borikhamxay',
  'khammouane',
  'savannakhet',
  'salavan',
  'sekong',
  'champasak',
  'attapeu',
  'xaysomboun',
];
const GIVEN = ['ສົມພອນ', 'ບຸນມີ', 'ຄຳຫລ້າ', 'ນ້ອຍ', 'ແສງເດືອນ', 'ພອນສະຫວັນ', 'ວັນນະ', 'ສຸກສະຫວັນ'];
const FAMILY = ['ແກ້ວມະນີ', 'ພົມມະຈັນ', 'ສີສຸລາດ', 'ວົງສາ', 'ຈັນທະວົງ', 'ອິນທະວົງ'];

function csvOf(n: number, welcome: boolean): string {
  const lines = [welcome ? 'email,name,unit,quota,personal_email' : 'email,name,unit,quota'];
  for (let i = 0; i < n; i++) {
    const name = `${GIVEN[i % GIVEN.length]} ${FAMILY[(i * 7) % FAMILY.length]}`;
    const unit = `/ministry/provinces/${PROVINCES[i % PROVINCES.length]}/district-${i % 8}`;
    lines.push(
      `staff${i}@${DOMAIN},${name},${unit},2G${welcome ? `,person${i}@home.example` : ''}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

function champa(args: string[]): { ms: number; stdout: string; stderr: string } {
  const t = performance.now();
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`champa ${args[0]} ${args[1]} failed: ${r.stderr}`);
  return { ms, stdout: r.stdout, stderr: r.stderr };
}

async function hashRate(concurrency: number, n = 12): Promise<number> {
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < n) await hashPassword('a bench password');
    }),
  );
  return n / ((performance.now() - t) / 1000);
}

const work = mkdtempSync(join(tmpdir(), 'champa-bench-import-'));
const report: string[] = [];
const line = (s: string): void => {
  console.log(s);
  report.push(s);
};
try {
  line(
    `machine: ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), UV_THREADPOOL_SIZE=${process.env.UV_THREADPOOL_SIZE ?? '4 (default)'}`,
  );
  line(
    `load average before: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  for (const c of [1, 2, 4])
    line(`argon2id hashes/s at ${c} at once: ${(await hashRate(c)).toFixed(2)}`);
  for (const mode of modes)
    for (const n of counts) {
      const welcome = mode === 'welcome';
      const dir = join(work, `${mode}-${n}`);
      const data = join(dir, 'data');
      const pw = join(work, 'admin.pw');
      writeFileSync(pw, 'a bench password long enough\n', { mode: 0o600 });
      champa(['init', '--data', data, '--domain', DOMAIN, '--admin-password-file', pw]);
      const csv = join(dir, 'people.csv');
      writeFileSync(csv, csvOf(n, welcome));
      const load = loadavg()[0]!.toFixed(1);
      const args = ['user', 'import', csv, '--data', data];
      if (!welcome) args.push('--passwords-out', join(dir, 'pw.csv'));
      const r = champa(args);
      const created = welcome
        ? Number(/(\d+) created/.exec(r.stderr)?.[1] ?? 0)
        : readFileSync(join(dir, 'pw.csv'), 'utf8').trim().split('\n').length - 1;
      if (created !== n) throw new Error(`expected ${n} accounts, got ${created}: ${r.stderr}`);
      const s = r.ms / 1000;
      line(
        `import ${n} accounts (${mode}): ${s.toFixed(1)} s (${(n / s).toFixed(1)} accounts/s, ${(r.ms / n).toFixed(1)} ms each; load average at start ${load})`,
      );
    }
} finally {
  if (!values.keep) rmSync(work, { recursive: true, force: true });
  else console.log(`work folder kept: ${work}`);
}
