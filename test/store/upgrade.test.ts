// Upgrading an installation, on both stores: a database made by an earlier release (the schema
// at migration 0016) with a change log in it is opened by this one. The log gains its age
// (0017): rows written before the upgrade count from the upgrade, so the first upkeep does not
// prune them and a client's old state still answers; the server gains its key table (0018).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/store/db.ts';
import { databaseUrl } from '../../src/core/config.ts';
import { openCore, closeCore } from '../../src/core/core.ts';
import { canCalculateChanges, pruneHistory } from '../../src/core/changes.ts';
import { forEachStore, makeEnv, type TestEnv } from '../helpers/stores.ts';

forEachStore('upgrade from the 0016 schema', (kind) => {
  let env: TestEnv;
  before(async () => {
    env = await makeEnv(kind);
  });
  after(async () => env.cleanup());

  test('the change log written before is kept and counts from the upgrade', async () => {
    // The earlier release wrote its log rows without an age.
    const old = await openStore(databaseUrl(env.config), {
      migrateTo: '0016_thread_and_submission_indexes',
    });
    const rows = [1, 2, 3].map((modseq) => ({
      account_id: 7,
      modseq,
      type: 'Email',
      object_id: `M${modseq}`,
      op: 'c',
    }));
    // Typed for the latest schema, which this old one lacks a column of.
    await old.db
      .insertInto('changes')
      .values(rows as never)
      .execute();
    await old.close();

    const upgraded = Date.now();
    const core = await openCore(env.config);
    try {
      const kept = await core.db
        .selectFrom('changes')
        .select(['modseq', 'created_at'])
        .where('account_id', '=', 7)
        .orderBy('modseq')
        .execute();
      assert.deepEqual(
        kept.map((r) => Number(r.modseq)),
        [1, 2, 3],
      );
      for (const r of kept)
        assert.ok(Number(r.created_at) >= upgraded - 60_000, 'from the upgrade');
      // The first upkeep (history older than the default 90 days) leaves them.
      assert.equal(await pruneHistory(core.db, Date.now() - 90 * 86_400_000), 0);
      assert.equal(await canCalculateChanges(core.db, 7, 0), true);
      assert.deepEqual(await core.db.selectFrom('server_keys').selectAll().execute(), []);
    } finally {
      await closeCore(core);
    }
  });
});
