import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { removeAccount } from '../../src/core/accounts.ts';
import { ingest, readMessage } from '../../src/core/deliver.ts';
import { collectBlobs } from '../../src/core/blobrefs.ts';
import { dataPath } from '../../src/core/config.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { createDefaultMailboxes } from '../../src/core/mailboxes.ts';

const LAO_SUBJECT = 'ກອງປະຊຸມ ກະຊວງສຶກສາທິການ ແລະ ກິລາ';

function message(subject: string, extra = ''): Buffer {
  const encoded = `=?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`;
  return Buffer.from(
    `From: Director <director@ministry.test>\r\nTo: staff@ministry.test\r\nSubject: ${encoded}\r\n` +
      `Message-ID: <m1@ministry.test>\r\nDate: Sat, 28 Nov 2026 07:00:00 +0700\r\n${extra}` +
      `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nສະບາຍດີ ທຸກທ່ານ\r\n`,
  );
}

async function countBlobFiles(core: Core): Promise<number> {
  const root = dataPath(core.config, core.config.blobDir);
  let n = 0;
  for (const a of await readdir(root))
    for (const b of await readdir(`${root}/${a}`)) n += (await readdir(`${root}/${a}/${b}`)).length;
  return n;
}

forEachStore('ingest', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  const ids: number[] = [];
  before(async () => {
    ({ core, close } = await makeCore(kind));
    await addDomain(core, 'ministry.test');
    // One real hash for every test user keeps the suite fast; sign-in is tested elsewhere.
    const hash = await hashPassword('a test password');
    for (let i = 0; i < 30; i++) {
      const row = await core.db
        .insertInto('accounts')
        .values({
          email: `t${i}@ministry.test`,
          domain: 'ministry.test',
          name: `Teacher ${i}`,
          password_hash: hash,
          created_at: Date.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await createDefaultMailboxes(core.db, Number(row.id));
      ids.push(Number(row.id));
    }
  });
  after(() => close());

  test('one message to many recipients is stored once, with a UID and change per account', async () => {
    const before = await countBlobFiles(core);
    const seen: number[] = [];
    const unsubscribe = core.bus.subscribeAll((e) => seen.push(e.accountId));
    const raw = message(LAO_SUBJECT);
    const results = await ingest(
      core,
      raw,
      ids.map((accountId) => ({ accountId })),
    );
    unsubscribe();
    assert.equal(results.filter((r) => r.ok).length, ids.length);
    assert.equal(
      (await countBlobFiles(core)) - before,
      1,
      'exactly one blob file for all recipients',
    );
    const blob = await core.db.selectFrom('blobs').selectAll().executeTakeFirstOrThrow();
    assert.equal(Number(blob.refcount), ids.length);
    assert.deepEqual(seen.sort(), [...ids].sort(), 'every account was told on the change bus');
    const first = results[0]!;
    assert.equal(first.uid, 1);
    const row = await core.db
      .selectFrom('emails')
      .selectAll()
      .where('id', '=', first.emailId!)
      .executeTakeFirstOrThrow();
    assert.equal(row.subject, LAO_SUBJECT);
    assert.equal(row.message_id, 'm1@ministry.test');
    assert.match(row.preview, /ສະບາຍດີ/);
    assert.deepEqual(await readMessage(core, first.accountId, first.emailId!), raw);
    const changes = await core.db
      .selectFrom('changes')
      .selectAll()
      .where('account_id', '=', first.accountId)
      .where('type', '=', 'Email')
      .execute();
    assert.deepEqual(
      changes.map((c) => [c.object_id, c.op]),
      [[first.emailId, 'c']],
    );
  });

  test('UIDs rise per mailbox and replies join the thread of their parent', async () => {
    const accountId = ids[0]!;
    const reply = message('Re: meeting', 'In-Reply-To: <m1@ministry.test>\r\n')
      .toString()
      .replace('<m1@', '<m2@');
    const [r] = await ingest(core, Buffer.from(reply), [{ accountId }]);
    assert.equal(r?.uid, 2);
    const rows = await core.db
      .selectFrom('emails')
      .select(['thread_id', 'modseq'])
      .where('account_id', '=', accountId)
      .orderBy('modseq')
      .execute();
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.thread_id, rows[1]!.thread_id);
    assert.ok(Number(rows[1]!.modseq) > Number(rows[0]!.modseq));
  });

  test('a recipient over quota fails alone; the others are delivered', async () => {
    const [full, fine] = [ids[1]!, ids[2]!];
    await core.db
      .updateTable('accounts')
      .set({ quota_bytes: 100 })
      .where('id', '=', full)
      .execute();
    const res = await ingest(core, message('quota'), [{ accountId: full }, { accountId: fine }]);
    assert.deepEqual(
      res.map((r) => [r.ok, r.error]),
      [
        [false, 'over_quota'],
        [true, undefined],
      ],
    );
  });

  test('junk role files into Junk; a message that is not MIME is still stored', async () => {
    const [r] = await ingest(core, Buffer.from('garbage without headers\x00\xff'), [
      { accountId: ids[3]!, role: 'junk' },
    ]);
    assert.ok(r?.ok);
    const mb = await core.db
      .selectFrom('mailboxes')
      .select('role')
      .where('account_id', '=', ids[3]!)
      .where('id', '=', r.mailboxId!)
      .executeTakeFirstOrThrow();
    assert.equal(mb.role, 'junk');
  });

  test('removing accounts releases blob references; unreferenced blobs are collected', async () => {
    const raw = message('only for t29');
    await ingest(core, raw, [{ accountId: ids[29]! }]);
    const beforeFiles = await countBlobFiles(core);
    await removeAccount(core, 't29@ministry.test');
    assert.equal(await collectBlobs(core), 0, 'a blob stored moments ago is spared');
    await ingest(core, raw, [{ accountId: ids[28]! }]);
    assert.equal(await countBlobFiles(core), beforeFiles, 'stored again after its row went');
    await removeAccount(core, 't28@ministry.test');
    assert.equal(await collectBlobs(core, 0), 1);
    assert.equal(await countBlobFiles(core), beforeFiles - 1);
  });
});
