// The full-text index through the one ingest path, on both stores: a message to several
// accounts gets one index row each and is found by a Lao word in each; a copy into the same
// mailbox is found under its new id; expunging the last copy and removing an account take
// their rows away; the whole shared MIME corpus is delivered and indexed without error.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser, removeAccount } from '../../src/core/accounts.ts';
import { ingest } from '../../src/core/deliver.ts';
import { removeFromMailbox } from '../../src/core/expunge.ts';
import { copyEmails } from '../../src/core/copy.ts';
import { flushIndex, reindexMissing } from '../../src/core/indexer.ts';
import { searchText } from '../../src/core/search.ts';
import { parseMessage } from '../../src/mail/meta.ts';
import { words } from '../../src/mail/segment.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testdataFiles } from '../helpers/testdata.ts';

const NOTICE = Buffer.from(
  'From: Director <director@ministry.test>\r\nTo: staff@ministry.test\r\nSubject: Notice\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n\r\nກອງປະຊຸມຄູສອນແຂວງວຽງຈັນຈະຈັດຂຶ້ນວັນຈັນ\r\n',
);

forEachStore('full-text index at delivery', (kind) => {
  let h: { core: Core; close(): Promise<void> };
  const ids: number[] = [];
  const rows = async (accountId: number): Promise<number> =>
    (
      await h.core.db
        .selectFrom('fulltext')
        .select('email_id')
        .where('account_id', '=', accountId)
        .execute()
    ).length;

  before(async () => {
    h = await makeCore(kind);
    await addDomain(h.core, 'ministry.test');
    for (const n of ['a', 'b', 'c'])
      ids.push(
        (await addUser(h.core, { email: `${n}@ministry.test`, password: 'a long password' })).id,
      );
  });
  after(async () => h.close());

  test('one index row per recipient; expunge, copy and account removal keep it true', async () => {
    const [a, b, c] = ids as [number, number, number];
    const results = await ingest(h.core, NOTICE, [
      { accountId: a },
      { accountId: b },
      { accountId: c },
    ]);
    await flushIndex(h.core);
    for (const id of [a, b, c]) {
      assert.equal(await rows(id), 1);
      assert.deepEqual(
        [...(await searchText(h.core, id, 'ແຂວງ'))],
        [results[ids.indexOf(id)]!.emailId],
      );
    }
    const ra = results[0]!;
    const copied = await copyEmails(h.core, a, [ra.emailId!], ra.mailboxId!);
    const both = await searchText(h.core, a, 'ວຽງຈັນ', { fields: ['body'] });
    assert.deepEqual(both, new Set([ra.emailId, copied[0]!.targetEmailId]));
    await removeFromMailbox(h.core, a, ra.mailboxId!, [ra.emailId!, copied[0]!.targetEmailId]);
    assert.equal(await rows(a), 0);
    assert.equal((await searchText(h.core, a, 'ແຂວງ')).size, 0);
    await removeAccount(h.core, 'b@ministry.test');
    assert.equal(await rows(b), 0);
    assert.equal((await searchText(h.core, c, 'ແຂວງ')).size, 1);
  });

  test('the whole shared corpus is delivered and indexed', async () => {
    const c = ids[2]!;
    const files = testdataFiles('mime');
    // Delivered concurrently: group commit stores them in a few transactions.
    const raws = await Promise.all(files.map((f) => readFile(f)));
    const results = await Promise.all(
      raws.map((raw) => ingest(h.core, raw, [{ accountId: c, ignoreQuota: true }])),
    );
    results.forEach(([r], i) => assert.ok(r?.ok, files[i]));
    let probe: { word: string; emailId: string } | null = null;
    for (let i = 0; i < raws.length && !probe; i++) {
      const w = words((await parseMessage(raws[i]!)).text.subject).find((x) => x.length >= 4);
      if (w) probe = { word: w, emailId: results[i]![0]!.emailId! };
    }
    await flushIndex(h.core); // index rows are written right after the delivery commits
    assert.equal(await rows(c), files.length + 1);
    assert.ok(probe);
    assert.ok(
      (await searchText(h.core, c, probe.word, { fields: ['subject'] })).has(probe.emailId),
    );
  });

  test('rows lost with a crash (or mail older than the index) are rebuilt from the blobs', async () => {
    const c = ids[2]!;
    const before = await rows(c);
    await h.core.db.deleteFrom('fulltext').where('account_id', '=', c).execute();
    assert.equal(await rows(c), 0);
    assert.equal(await reindexMissing(h.core), before);
    assert.equal(await rows(c), before);
    assert.equal(await reindexMissing(h.core), 0, 'nothing left to do');
  });
});
