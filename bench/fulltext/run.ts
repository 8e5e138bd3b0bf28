// Ingest cost of the full-text index: 1,000 messages of 4 KiB (English, then Lao) delivered
// through core's ingest() one at a time and 16 at a time, and a notice fanned out to 500
// accounts, on SQLite (or PostgreSQL with a URL). Prints messages (or rows) per second.
// Run: node bench/fulltext/run.ts [postgres://…]
// Run the same file from a checkout without the index to get the "before" figures.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/core/config.ts';
import { closeCore, openCore } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { ingest } from '../../src/core/deliver.ts';
import { createDefaultMailboxes } from '../../src/core/mailboxes.ts';

const pgUrl = process.argv[2];
const dir = await mkdtemp(join(tmpdir(), 'champa-bench-ft-'));
const schema = `bench_${process.pid}`;
const config = parseConfig(
  {
    hostname: 'mail.test',
    primaryDomain: 'bench.test',
    database: pgUrl ? `${pgUrl}?options=-c%20search_path%3D${schema}` : 'sqlite:champa.db',
    log: { level: 'silent' },
  },
  dir,
);
const core = await openCore(config, pgUrl ? { schema } : {});
await addDomain(core, 'bench.test');
const accounts: number[] = [];
for (let i = 0; i < 500; i++) {
  const row = await core.db
    .insertInto('accounts')
    .values({
      email: `u${i}@bench.test`,
      domain: 'bench.test',
      name: `User ${i}`,
      password_hash: 'x',
      created_at: Date.now(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await createDefaultMailboxes(core.db, Number(row.id));
  accounts.push(Number(row.id));
}

const english = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70);
const lao = 'ກອງປະຊຸມຄູສອນແຂວງວຽງຈັນຈະຈັດຂຶ້ນວັນຈັນ ກະຊວງສຶກສາທິການແລະກິລາ '.repeat(20);
const message = (n: number, body: string): Buffer =>
  Buffer.from(
    `From: <load@client.test>\r\nTo: <u0@bench.test>\r\nSubject: Benchmark message ${n}\r\n` +
      `Date: Sat, 28 Nov 2026 07:00:00 +0000\r\nMessage-ID: <${n}.${Math.random()}@client.test>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n`,
  );

async function run(name: string, n: number, parallel: number, body: string): Promise<void> {
  const msgs = Array.from({ length: n }, (_, i) => message(i, body));
  const t = performance.now();
  for (let i = 0; i < n; i += parallel)
    await Promise.all(
      msgs
        .slice(i, i + parallel)
        .map((m, j) => ingest(core, m, [{ accountId: accounts[(i + j) % 100]! }])),
    );
  const s = (performance.now() - t) / 1000;
  console.log(`${name}: ${(n / s).toFixed(0)} msg/s (${((s * 1000) / n).toFixed(2)} ms/msg)`);
}

await run('4 KiB English, one at a time', 1000, 1, english);
await run('4 KiB English, 16 at a time', 1000, 16, english);
await run('4 KiB Lao, one at a time', 1000, 1, lao);
const t = performance.now();
for (let i = 0; i < 5; i++)
  await ingest(
    core,
    message(i, english),
    accounts.map((accountId) => ({ accountId })),
  );
const s = (performance.now() - t) / 1000;
console.log(
  `notice to 500 accounts: ${((5 * 500) / s).toFixed(0)} rows/s (${(s / 5).toFixed(2)} s/notice)`,
);
await closeCore(core);
await rm(dir, { recursive: true, force: true });
if (pgUrl) {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: pgUrl });
  await c.connect();
  await c.query(`drop schema if exists "${schema}" cascade`);
  await c.end();
}
