// Email/queryChanges (RFC 8620 §5.6, RFC 8621 §4.5) checked the way a client uses it, on
// both stores: a client holding the results of a query applies `removed` then `added` (in
// index order) and must hold exactly what a fresh Email/query answers, and `total` must be
// the fresh count. Checked for plain filters, a keyword filter, an operator filter and a
// text search, newest or oldest first, with and without collapseThreads, after deliveries
// (new threads and replies), a flag set, a move out of the inbox and a message read.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { forEachStore } from '../helpers/stores.ts';
import { first, jmapEnv, type JmapEnv } from './setup.ts';

const BASE = Date.UTC(2026, 10, 2, 7, 0, 0);

function message(n: number, replyTo: number | null, word: string): Buffer {
  return Buffer.from(
    [
      'From: Bounmy <bounmy@moes.example>',
      'To: alice@test.example',
      `Subject: ${replyTo === null ? `Topic ${n}` : `Re: Topic ${replyTo}`} ${word}`,
      `Message-ID: <q${n}@moes.example>`,
      ...(replyTo === null ? [] : [`In-Reply-To: <q${replyTo}@moes.example>`]),
      'Date: Mon, 02 Nov 2026 07:00:00 +0000',
      'Content-Type: text/plain; charset=utf-8',
      '',
      `Message ${n}: ${word}`,
      '',
    ].join('\r\n'),
  );
}

forEachStore('JMAP Email/queryChanges applied by a client', (kind) => {
  let env: JmapEnv;
  let inbox = '';
  let archive = '';
  let n = 0;
  const ids = new Map<number, string>();

  const deliver = async (replyTo: number | null, word = 'ລາຍງານ'): Promise<string> => {
    const i = ++n;
    const [d] = await ingest(env.core, message(i, replyTo, word), [{ accountId: env.alice.id }], {
      receivedAt: BASE + i * 60_000,
    });
    ids.set(i, d!.emailId!);
    return d!.emailId!;
  };

  before(async () => {
    env = await jmapEnv(kind);
    for (let t = 0; t < 12; t++) {
      await deliver(null, t % 3 === 0 ? 'ກິລາ' : 'ລາຍງານ');
      for (let r = 0; r < t % 3; r++) await deliver(n - r);
    }
    const boxes = first(await env.api([['Mailbox/get', { accountId: env.accountId }, 'm']]));
    const list = boxes.list as { id: string; role: string }[];
    inbox = list.find((b) => b.role === 'inbox')!.id;
    archive = list.find((b) => b.role === 'archive')!.id;
  });
  after(() => env.close());

  const queries = (): Record<string, unknown>[] => {
    const out: Record<string, unknown>[] = [];
    for (const filter of [
      { inMailbox: inbox },
      { inMailbox: inbox, notKeyword: '$seen' },
      { operator: 'OR', conditions: [{ inMailbox: inbox }, { inMailbox: archive }] },
      { inMailbox: inbox, text: 'ກິລາ' },
    ])
      for (const isAscending of [false, true])
        for (const collapseThreads of [false, true])
          out.push({ filter, sort: [{ property: 'receivedAt', isAscending }], collapseThreads });
    return out;
  };

  async function query(q: Record<string, unknown>): Promise<{ ids: string[]; state: string }> {
    const r = first(
      await env.api([['Email/query', { accountId: env.accountId, ...q, limit: 1000 }, 'q']]),
    );
    return { ids: r.ids as string[], state: r.queryState as string };
  }

  test('removed, then added in index order, gives the fresh results and total', async () => {
    const before = await Promise.all(queries().map((q) => query(q)));

    // New threads and replies to old ones; a flag; a move to Archive; a message read.
    await deliver(null, 'ກິລາ');
    await deliver(1);
    await deliver(4, 'ກິລາ');
    const set = first(
      await env.api([
        [
          'Email/set',
          {
            accountId: env.accountId,
            update: {
              [ids.get(2)!]: { 'keywords/$flagged': true },
              [ids.get(7)!]: { [`mailboxIds/${inbox}`]: null, [`mailboxIds/${archive}`]: true },
              [ids.get(10)!]: { 'keywords/$seen': true },
            },
          },
          's',
        ],
      ]),
    );
    assert.equal(Object.keys(set.updated as object).length, 3);

    for (const [k, q] of queries().entries()) {
      const held = [...before[k]!.ids];
      const r = first(
        await env.api([
          [
            'Email/queryChanges',
            {
              accountId: env.accountId,
              ...q,
              sinceQueryState: before[k]!.state,
              calculateTotal: true,
            },
            'c',
          ],
        ]),
      );
      const what = JSON.stringify(q);
      const removed = new Set(r.removed as string[]);
      const added = r.added as { id: string; index: number }[];
      const indexes = added.map((a) => a.index);
      assert.deepEqual(
        indexes,
        [...indexes].sort((a, b) => a - b),
        `added in index order: ${what}`,
      );
      const now = held.filter((id) => !removed.has(id));
      for (const a of added) now.splice(a.index, 0, a.id);
      const fresh = await query(q);
      assert.deepEqual(now, fresh.ids, what);
      assert.equal(r.total, fresh.ids.length, what);
      assert.equal(r.newQueryState, fresh.state, what);
      assert.ok(added.length > 0, `something changed for ${what}`);
    }
  });

  test('while mail arrives, every answer agrees with itself (one snapshot)', async () => {
    const q = {
      filter: { inMailbox: inbox },
      sort: [{ property: 'receivedAt', isAscending: false }],
    };
    const old = await query(q);
    for (let round = 0; round < 12; round++) {
      const arriving = Promise.all([deliver(null), deliver(null)]);
      const r = first(
        await env.api([
          [
            'Email/queryChanges',
            { accountId: env.accountId, ...q, sinceQueryState: old.state, calculateTotal: true },
            'c',
          ],
        ]),
      );
      await arriving;
      // RFC 8620 §5.6: what was in the old results and is named removed, plus what stays,
      // plus what is added, is the total at the state named.
      const removed = new Set(r.removed as string[]);
      const stayed = old.ids.filter((id) => !removed.has(id)).length;
      const added = r.added as { id: string; index: number }[];
      assert.equal(stayed + added.length, r.total, `round ${round}: ${JSON.stringify(r)}`);
      for (const a of added) assert.ok(a.index < (r.total as number));
    }
  });

  test('nothing changed: nothing removed or added', async () => {
    for (const q of queries()) {
      const { state } = await query(q);
      const r = first(
        await env.api([
          ['Email/queryChanges', { accountId: env.accountId, ...q, sinceQueryState: state }, 'c'],
        ]),
      );
      assert.deepEqual([r.removed, r.added], [[], []], JSON.stringify(q));
    }
  });
});
