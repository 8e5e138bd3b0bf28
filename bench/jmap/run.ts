// `npm run bench:jmap`: the web app's list view over JMAP — Email/query (inMailbox, newest
// first, position/limit 50, calculateTotal) then Email/get of those 50 ids with the list's
// properties, in one request over HTTPS, in an account of 100,000 messages — on SQLite and,
// when CHAMPA_TEST_POSTGRES is set, PostgreSQL. Reports the median and p95 latency per page
// position (the first page, and pages deep in the mailbox). Figures: docs/BENCHMARKS.md.
//
// Options (flag or environment variable):
//   --messages N   BENCH_MESSAGES   messages in the inbox          100000
//   --rounds N     BENCH_ROUNDS     timed requests per position    200
//
// The account is filled directly through SQL (a few distinct blobs, each row as ingest would
// write it, with its UID and change-log row), since what is measured is the read side.
import { Agent, request } from 'node:https';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { addDomain } from '../../src/core/domains.ts';
import { addUser } from '../../src/core/accounts.ts';
import { ingest } from '../../src/core/deliver.ts';
import { createSession } from '../../src/core/sessions.ts';
import { mailboxByRole } from '../../src/core/mailboxes.ts';
import { startHttp } from '../../src/http/server.ts';
import { makeCore, STORES, type StoreKind } from '../../test/helpers/stores.ts';
import { testCert } from '../../test/helpers/tls.ts';
import { machine, writeResults } from '../lib/harness.ts';

const PASSWORD = 'Ministry-2026-load-test';
const { values } = parseArgs({
  options: { messages: { type: 'string' }, rounds: { type: 'string' } },
});
const num = (k: 'messages' | 'rounds', dflt: number): number =>
  Number(values[k] ?? process.env[`BENCH_${k.toUpperCase()}`] ?? dflt);
const MESSAGES = num('messages', 100_000);
const ROUNDS = num('rounds', 200);

const LIST_PROPERTIES = [
  'threadId',
  'mailboxIds',
  'keywords',
  'from',
  'subject',
  'receivedAt',
  'preview',
  'hasAttachment',
  'size',
];

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))]!;
}

async function fill(kind: StoreKind) {
  const h = await makeCore(kind);
  const core = h.core;
  await addDomain(core, 'bench.test');
  const user = await addUser(core, { email: 'reader@bench.test', password: PASSWORD });
  const inbox = (await mailboxByRole(core.db, user.id, 'inbox'))!;
  // A handful of real messages through ingest give the blobs, blob_meta and rows to copy.
  const seeds = [];
  for (let i = 0; i < 10; i++) {
    const raw = Buffer.from(
      `From: Sender ${i} <s${i}@moes.example>\r\nTo: reader@bench.test\r\n` +
        `Subject: =?UTF-8?B?${Buffer.from(`ກອງປະຊຸມ ${i}`).toString('base64')}?=\r\n` +
        `Message-ID: <seed-${i}@moes.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n` +
        `ສະບາຍດີ, ນີ້ແມ່ນຂໍ້ຄວາມທົດລອງ ${i}.\r\n`,
    );
    const [r] = await ingest(core, raw, [{ accountId: user.id }], {
      receivedAt: 1_700_000_000_000 + i,
    });
    seeds.push(r!.emailId!);
  }
  const rows = await core.db
    .selectFrom('emails')
    .selectAll()
    .where('account_id', '=', user.id)
    .execute();
  const t0 = Date.now();
  const BATCH = 500;
  let uid = 100;
  await core.db.transaction().execute(async (trx) => {
    for (let i = 0; i < MESSAGES - seeds.length; i += BATCH) {
      const emails = [];
      const places = [];
      for (let j = i; j < Math.min(i + BATCH, MESSAGES - seeds.length); j++) {
        const seed = rows[j % rows.length]!;
        const id = `Mbench${j.toString(36)}`;
        emails.push({
          ...seed,
          id,
          thread_id: `Tbench${Math.floor(j / 3).toString(36)}`,
          received_at: 1_700_000_000_000 + 60_000 * j,
          keywords: j % 4 === 0 ? '[]' : '["$seen"]',
          modseq: 1,
        });
        places.push({
          account_id: user.id,
          mailbox_id: inbox.id,
          uid: uid++,
          email_id: id,
          modseq: 1,
        });
      }
      await trx.insertInto('emails').values(emails).execute();
      await trx.insertInto('email_mailboxes').values(places).execute();
    }
    await trx
      .updateTable('mailboxes')
      .set({ uid_next: uid })
      .where('account_id', '=', user.id)
      .where('id', '=', inbox.id)
      .execute();
  });
  await sql`analyze`.execute(core.db); // fresh statistics, as autovacuum would give
  const doors = await startHttp(core, await testCert());
  return { h, core, user, inbox, doors, fillMs: Date.now() - t0 };
}

async function main(): Promise<void> {
  const { cert } = await testCert();
  const results: Record<string, unknown>[] = [];
  for (const kind of STORES) {
    const { h, user, inbox, doors, fillMs } = await fill(kind);
    const agent = new Agent({ keepAlive: true, maxSockets: 1, ca: cert, servername: 'mail.test' });
    // Signed in as the web app is: a session cookie (Basic would be checked in full each time).
    const { token } = await createSession(h.core, user.id);
    const post = (body: string): Promise<{ status: number; text: string }> =>
      new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: doors.ports.https,
            path: '/jmap/api',
            method: 'POST',
            agent,
            headers: {
              host: 'mail.test',
              cookie: `champa_session=${token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }),
            );
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const accountId = `A${user.id}`;
    const echo = JSON.stringify({
      using: ['urn:ietf:params:jmap:core'],
      methodCalls: [['Core/echo', {}, 'e']],
    });
    const time = async (body: string): Promise<number[]> => {
      for (let i = 0; i < 10; i++) await post(body); // warm-up
      const times: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        const t = process.hrtime.bigint();
        await post(body);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return times.sort((a, b) => a - b);
    };
    const report = (position: string | number, times: number[]): void => {
      const row = {
        store: kind,
        position,
        median: Math.round(pct(times, 0.5) * 10) / 10,
        p95: Math.round(pct(times, 0.95) * 10) / 10,
        max: Math.round(times[times.length - 1]! * 10) / 10,
      };
      results.push(row);
      console.log(
        `${kind.padEnd(8)} ${String(row.position).padStart(12)}: median ${row.median} ms, p95 ${row.p95} ms (fill ${fillMs} ms)`,
      );
    };
    const page = (position: number): string =>
      JSON.stringify({
        using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'],
        methodCalls: [
          [
            'Email/query',
            {
              accountId,
              filter: { inMailbox: inbox.id },
              sort: [{ property: 'receivedAt', isAscending: false }],
              position,
              limit: 50,
              calculateTotal: true,
            },
            'q',
          ],
          [
            'Email/get',
            {
              accountId,
              '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
              properties: LIST_PROPERTIES,
            },
            'g',
          ],
        ],
      });
    for (const position of [-1, 0, Math.floor(MESSAGES / 20), Math.floor(MESSAGES / 2)]) {
      // Position -1: Core/echo alone, the cost of HTTPS, sign-in and the API frame.
      const body = position < 0 ? echo : page(position);
      const check = await post(body);
      const parsed = JSON.parse(check.text) as {
        methodResponses: [string, { ids?: string[]; total?: number; list?: unknown[] }][];
      };
      const [q, g] = parsed.methodResponses;
      if (
        check.status !== 200 ||
        (position >= 0 && (q?.[1].total !== MESSAGES || g?.[1].list?.length !== 50))
      )
        throw new Error(`unexpected answer: ${check.text.slice(0, 500)}`);
      report(position < 0 ? 'Core/echo' : position, await time(body));
    }
    // One new mail reaching an open webmail: Email/queryChanges of the inbox list since the
    // state before it (the same work each round), with calculateTotal as the list asks.
    const state = (
      JSON.parse((await post(page(0))).text) as {
        methodResponses: [string, { queryState: string }][];
      }
    ).methodResponses[0]![1].queryState;
    await ingest(
      h.core,
      Buffer.from('Subject: new\r\nMessage-ID: <new@moes.example>\r\n\r\nnew mail\r\n'),
      [{ accountId: user.id }],
    );
    const changes = JSON.stringify({
      using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'],
      methodCalls: [
        [
          'Email/queryChanges',
          {
            accountId,
            filter: { inMailbox: inbox.id },
            sort: [{ property: 'receivedAt', isAscending: false }],
            sinceQueryState: state,
            calculateTotal: true,
          },
          'c',
        ],
      ],
    });
    const answer = JSON.parse((await post(changes)).text) as {
      methodResponses: [string, { added?: { index: number }[]; total?: number }][];
    };
    const c = answer.methodResponses[0]![1];
    if (c.added?.[0]?.index !== 0 || c.total !== MESSAGES + 1)
      throw new Error(`unexpected queryChanges answer: ${JSON.stringify(answer).slice(0, 500)}`);
    report('queryChanges', await time(changes));
    agent.destroy();
    await doors.close();
    await h.close();
  }
  const out = writeResults('jmap', {
    machine: machine({}),
    messages: MESSAGES,
    rounds: ROUNDS,
    results,
  });
  console.log(`results: ${out}`);
}

await main();
