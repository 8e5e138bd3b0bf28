// The lookups that run per message or per request find their rows through an index, not by
// reading the account's rows: SQLite's query planner is asked (EXPLAIN QUERY PLAN) on a
// freshly migrated store. (PostgreSQL's planner picks by table statistics, so an empty test
// table says nothing there; the same migration creates the same indexes on both.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type RawBuilder } from 'kysely';
import { openStore } from '../../src/store/db.ts';

test('thread and submission lookups use their indexes (SQLite plan)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'champa-plan-'));
  const store = await openStore(`sqlite:${join(dir, 'plan.db')}`);
  try {
    const plan = async (q: RawBuilder<{ detail: string }>): Promise<string> =>
      (await q.execute(store.db)).rows.map((r) => r.detail).join('; ');
    // Thread/get and collapsed conversation lists.
    assert.match(
      await plan(sql<{ detail: string }>`explain query plan select id from emails
        where account_id = 1 and thread_id in ('T1', 'T2')`),
      /USING (COVERING )?INDEX emails_thread/,
    );
    // A queue attempt on a JMAP submission's message (core/submissionstatus.ts).
    assert.match(
      await plan(sql<{ detail: string }>`explain query plan select id from email_submissions
        where account_id = 1 and queue_id = 42`),
      /USING (COVERING )?INDEX email_submissions_queue/,
    );
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
