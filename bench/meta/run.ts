// Micro-benchmark of message metadata at delivery (`parseMeta`): the shared corpus and a
// message like the SMTP benchmark's (4 KiB, one text/plain part), each through the full
// postal-mime parse and through `parseMeta` (fast path where it applies). Prints µs/message.
// Run: node bench/meta/run.ts [rounds]
import { readFileSync } from 'node:fs';
import { testdataFiles } from '../../test/helpers/testdata.ts';
import { parseMeta, parseMetaFull } from '../../src/mail/meta.ts';

const rounds = Number(process.argv[2] ?? 5);
const corpus = testdataFiles('mime').map((f) => readFileSync(f));
const body = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(70);
const bench = Array.from({ length: 300 }, (_, n) =>
  Buffer.from(
    `From: <load@client.test>\r\nTo: <user${n % 100}@bench.test>\r\nSubject: Benchmark message ${n}\r\n` +
      `Date: Sat, 28 Nov 2026 07:00:00 +0000\r\nMessage-ID: <${n}.bench@client.test>\r\n` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${body}\r\n`,
  ),
);

async function time(msgs: Buffer[], fn: (raw: Buffer) => Promise<unknown>): Promise<number> {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    for (const m of msgs) await fn(m);
    best = Math.min(best, ((performance.now() - t) * 1000) / msgs.length);
  }
  return best;
}

for (const [name, msgs] of [
  ['corpus (299 messages)', corpus],
  ['4 KiB text/plain (SMTP benchmark)', bench],
] as const) {
  const full = await time(msgs, parseMetaFull);
  const fast = await time(msgs, parseMeta);
  console.log(
    `${name}: postal-mime ${full.toFixed(1)} µs/msg, parseMeta ${fast.toFixed(1)} µs/msg (${(full / fast).toFixed(1)}×)`,
  );
}
