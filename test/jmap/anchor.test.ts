// Email/query paging by anchor (RFC 8620 §5.5, RFC 8621 §4.4) over HTTPS on both stores, in
// an inbox of a few thousand messages in threads of four: the anchor on the first page and
// deep down, a negative anchorOffset (clamped at 0), with a filter, with collapseThreads
// (only an email standing for its thread is an anchor), emails with the same receivedAt (the
// page starts at the anchor itself), a negative position, and anchorNotFound.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { forEachStore } from '../helpers/stores.ts';
import { first, jmapEnv, type Invocation, type JmapEnv } from './setup.ts';

const COUNT = 2400;
const THREAD = 4;
const BASE = Date.UTC(2026, 0, 5, 8, 0, 0);

function message(i: number): Buffer {
  const root = i - (i % THREAD);
  return Buffer.from(
    [
      'From: Somsak <somsak@moes.example>',
      'To: alice@test.example',
      `Subject: Report ${root}${i === root ? '' : ` (reply ${i % THREAD})`}`,
      `Message-ID: <m${i}@moes.example>`,
      ...(i === root ? [] : [`In-Reply-To: <m${root}@moes.example>`]),
      'Date: Mon, 05 Jan 2026 08:00:00 +0000',
      '',
      `Message ${i}.`,
      '',
    ].join('\r\n'),
  );
}

forEachStore('JMAP Email/query anchor', (kind) => {
  let env: JmapEnv;
  let inbox = '';
  /** Email ids by message number. */
  const ids: string[] = [];
  /** The inbox newest first: message numbers are received in order, one minute apart. */
  let newest: string[] = [];
  /** Ids of messages with $flagged (every seventh), newest first. */
  let flagged: string[] = [];
  /** With collapseThreads: the newest email of each thread, newest first. */
  let threads: string[] = [];

  before(async () => {
    env = await jmapEnv(kind);
    // Thread roots first, so every reply finds its root stored.
    const order = [
      ...Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % THREAD === 0),
      ...Array.from({ length: COUNT }, (_, i) => i).filter((i) => i % THREAD !== 0),
    ];
    for (let at = 0; at < order.length; at += 100) {
      const wave = order.slice(at, at + 100);
      const done = await Promise.all(
        wave.map((i) =>
          ingest(
            env.core,
            message(i),
            [{ accountId: env.alice.id, keywords: i % 7 === 0 ? ['$flagged'] : [] }],
            { receivedAt: BASE + i * 60_000 },
          ),
        ),
      );
      wave.forEach((i, k) => (ids[i] = done[k]![0]!.emailId!));
    }
    newest = [...ids].reverse();
    flagged = newest.filter((_, k) => (COUNT - 1 - k) % 7 === 0);
    threads = newest.filter((_, k) => (COUNT - 1 - k) % THREAD === THREAD - 1);
    const boxes = first(await env.api([['Mailbox/get', { accountId: env.accountId }, 'm']]));
    inbox = (boxes.list as { id: string; role: string }[]).find((b) => b.role === 'inbox')!.id;
  });
  after(() => env.close());

  async function query(args: Record<string, unknown>): Promise<Invocation> {
    const r = await env.api([
      [
        'Email/query',
        {
          accountId: env.accountId,
          filter: { inMailbox: inbox },
          sort: [{ property: 'receivedAt', isAscending: false }],
          ...args,
        },
        'q',
      ],
    ]);
    return r[0]!;
  }

  test('the anchor on the first page and deep down, with total', async () => {
    const [name, top] = await query({ anchor: newest[3], limit: 5, calculateTotal: true });
    assert.equal(name, 'Email/query', JSON.stringify(top));
    assert.equal(top.position, 3);
    assert.deepEqual(top.ids, newest.slice(3, 8));
    assert.equal(top.total, COUNT);

    const [, deep] = await query({ anchor: newest[2100], limit: 10 });
    assert.equal(deep.position, 2100);
    assert.deepEqual(deep.ids, newest.slice(2100, 2110));
    // The last email: a page of one.
    const [, last] = await query({ anchor: newest[COUNT - 1], limit: 10 });
    assert.equal(last.position, COUNT - 1);
    assert.deepEqual(last.ids, [newest[COUNT - 1]]);
    // Position is ignored when an anchor is given.
    const [, ignored] = await query({ anchor: newest[40], position: 7, limit: 2 });
    assert.equal(ignored.position, 40);
  });

  test('a negative anchorOffset starts before the anchor, clamped at 0', async () => {
    const [, back] = await query({ anchor: newest[2100], anchorOffset: -5, limit: 10 });
    assert.equal(back.position, 2095);
    assert.deepEqual(back.ids, newest.slice(2095, 2105));
    const [, clamped] = await query({ anchor: newest[2], anchorOffset: -10, limit: 4 });
    assert.equal(clamped.position, 0);
    assert.deepEqual(clamped.ids, newest.slice(0, 4));
    const [, ahead] = await query({ anchor: newest[10], anchorOffset: 3, limit: 2 });
    assert.equal(ahead.position, 13);
    assert.deepEqual(ahead.ids, newest.slice(13, 15));
  });

  test('with a filter and ascending sort', async () => {
    const f = { inMailbox: inbox, hasKeyword: '$flagged' };
    const [, r] = await query({ filter: f, anchor: flagged[300], anchorOffset: -1, limit: 3 });
    assert.equal(r.position, 299);
    assert.deepEqual(r.ids, flagged.slice(299, 302));
    const oldest = [...newest].reverse();
    const [, asc] = await query({
      sort: [{ property: 'receivedAt', isAscending: true }],
      anchor: oldest[1500],
      limit: 3,
    });
    assert.equal(asc.position, 1500);
    assert.deepEqual(asc.ids, oldest.slice(1500, 1503));
  });

  test('collapseThreads: the newest email stands for its thread', async () => {
    assert.equal(threads.length, COUNT / THREAD);
    const at = threads.length - 20;
    const [, r] = await query({
      collapseThreads: true,
      anchor: threads[at],
      anchorOffset: -2,
      limit: 5,
      calculateTotal: true,
    });
    assert.equal(r.position, at - 2);
    assert.deepEqual(r.ids, threads.slice(at - 2, at + 3));
    assert.equal(r.total, COUNT / THREAD);
    // An older email of a thread is not in the collapsed results.
    const older = newest[newest.indexOf(threads[at]!) + 1];
    const [name, err] = await query({ collapseThreads: true, anchor: older });
    assert.equal(name, 'error');
    assert.equal(err.type, 'anchorNotFound');
    // Paged by position, the collapsed list is the same.
    const [, page] = await query({ collapseThreads: true, position: 400, limit: 4 });
    assert.deepEqual(page.ids, threads.slice(400, 404));
  });

  test('anchorNotFound: an unknown id, or one the filter leaves out', async () => {
    const [name, err] = await query({ anchor: 'Mnothing-here' });
    assert.equal(name, 'error');
    assert.equal(err.type, 'anchorNotFound');
    const notFlagged = newest.find((id) => !flagged.includes(id))!;
    const [name2, err2] = await query({
      filter: { inMailbox: inbox, hasKeyword: '$flagged' },
      anchor: notFlagged,
    });
    assert.equal(name2, 'error');
    assert.equal(err2.type, 'anchorNotFound');
  });

  test('a negative position counts from the end', async () => {
    const [, r] = await query({ position: -3, limit: 10, calculateTotal: true });
    assert.equal(r.position, COUNT - 3);
    assert.deepEqual(r.ids, newest.slice(COUNT - 3));
    assert.equal(r.total, COUNT);
    const [, all] = await query({ position: -(COUNT + 50), limit: 2 });
    assert.equal(all.position, 0);
  });

  test('emails received at the same moment: each anchor starts its own page', async () => {
    const made = first(
      await env.api([
        ['Mailbox/set', { accountId: env.accountId, create: { t: { name: 'Same time' } } }, 's'],
      ]),
    );
    const box = (made.created as Record<string, { id: string }>).t!.id;
    const at = BASE - 86_400_000;
    for (let i = 0; i < 7; i++)
      await ingest(
        env.core,
        message(COUNT + i * THREAD),
        [{ accountId: env.alice.id, mailbox: 'Same time' }],
        { receivedAt: at + (i < 5 ? 0 : 60_000) },
      );
    for (const isAscending of [false, true]) {
      const sort = [{ property: 'receivedAt', isAscending }];
      const whole = (await query({ filter: { inMailbox: box }, sort }))[1].ids as string[];
      assert.equal(whole.length, 7);
      for (const [k, id] of whole.entries()) {
        const [, r] = await query({ filter: { inMailbox: box }, sort, anchor: id, limit: 2 });
        assert.equal(r.position, k, `anchor ${k}, ascending ${isAscending}`);
        assert.deepEqual(r.ids, whole.slice(k, k + 2));
      }
    }
  });
});
