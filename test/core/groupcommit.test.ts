import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GroupCommit } from '../../src/core/groupcommit.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser } from '../../src/core/accounts.ts';
import { ingest } from '../../src/core/deliver.ts';

test('items that arrive during a commit are committed together, in order', async () => {
  const batches: number[][] = [];
  const gc = new GroupCommit<number, number>(async (items) => {
    batches.push(items);
    await new Promise((r) => setTimeout(r, 5));
    return items.map((i) => i * 10);
  });
  const out = await Promise.all(Array.from({ length: 20 }, (_, i) => gc.submit(i)));
  assert.deepEqual(
    out,
    Array.from({ length: 20 }, (_, i) => i * 10),
  );
  assert.deepEqual(batches[0], [0], 'the first item does not wait');
  assert.ok(batches.length < 20, `expected batching, got ${batches.length} batches`);
  assert.deepEqual(
    batches.flat(),
    Array.from({ length: 20 }, (_, i) => i),
  );
});

test('one failing item fails alone; the rest of its batch commits', async () => {
  const gc = new GroupCommit<number, number>(async (items) => {
    await new Promise((r) => setTimeout(r, 1));
    if (items.includes(3)) throw new Error('bad item 3');
    return items;
  });
  const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => gc.submit(i)));
  assert.deepEqual(
    results.map((r) => r.status),
    ['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
  );
});

forEachStore('concurrent ingest', (kind) => {
  test('100 deliveries at once to one mailbox get 100 distinct UIDs, nothing lost', async () => {
    const { core, close } = await makeCore(kind);
    try {
      await addDomain(core, 'school.test');
      const { id } = await addUser(core, {
        email: 'head@school.test',
        password: 'Vientiane school 2026',
      });
      const msgs = Array.from({ length: 100 }, (_, i) =>
        Buffer.from(`Subject: n${i}\r\nMessage-ID: <n${i}@x>\r\n\r\nbody ${i}\r\n`),
      );
      const res = await Promise.all(msgs.map((m) => ingest(core, m, [{ accountId: id }])));
      const uids = res.map((r) => r[0]!.uid!).sort((a, b) => a - b);
      assert.deepEqual(
        uids,
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      const acct = await core.db
        .selectFrom('accounts')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      assert.equal(
        Number(acct.used_bytes),
        msgs.reduce((n, m) => n + m.length, 0),
      );
      const changes = await core.db
        .selectFrom('changes')
        .select('modseq')
        .where('account_id', '=', id)
        .where('type', '=', 'Email')
        .execute();
      assert.equal(
        new Set(changes.map((c) => Number(c.modseq))).size,
        100,
        'one modseq per message',
      );
    } finally {
      await close();
    }
  });
});
