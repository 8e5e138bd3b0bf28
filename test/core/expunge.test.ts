// removeFromMailbox, the one removal path (POP3 UPDATE, IMAP EXPUNGE, JMAP destroy): an email
// still in another mailbox stays (Email 'u'); one in no mailbox is destroyed (Email 'd', and
// Thread 'd' for a thread left empty), its bytes leave the quota and its blob loses its
// reference; nothing removed, nothing logged; two removals of the same message at once remove
// it once; the bus hears after commit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import type { Core } from '../../src/core/core.ts';
import type { ChangeEvent } from '../../src/store/bus.ts';
import { addDomain } from '../../src/core/domains.ts';
import { ingest } from '../../src/core/deliver.ts';
import { collectBlobs } from '../../src/core/blobrefs.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { createDefaultMailboxes, mailboxByRole } from '../../src/core/mailboxes.ts';
import { removeFromMailbox } from '../../src/core/expunge.ts';

const raw = (subject: string): Buffer =>
  Buffer.from(`From: a@b.test\r\nTo: t@ministry.test\r\nSubject: ${subject}\r\n\r\nbody\r\n`);

forEachStore('removeFromMailbox', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  let account: number;
  let inbox: string;
  let archive: string;
  before(async () => {
    ({ core, close } = await makeCore(kind));
    await addDomain(core, 'ministry.test');
    const row = await core.db
      .insertInto('accounts')
      .values({
        email: 't@ministry.test',
        domain: 'ministry.test',
        name: 'Teacher',
        password_hash: await hashPassword('a test password'),
        created_at: Date.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    account = Number(row.id);
    await createDefaultMailboxes(core.db, account);
    inbox = (await mailboxByRole(core.db, account, 'inbox'))!.id;
    archive = (await mailboxByRole(core.db, account, 'archive'))!.id;
  });
  after(() => close());

  const deliver = async (subject: string): Promise<string> =>
    (await ingest(core, raw(subject), [{ accountId: account }]))[0]!.emailId!;
  const accountRow = () =>
    core.db
      .selectFrom('accounts')
      .select(['used_bytes', 'modseq'])
      .where('id', '=', account)
      .executeTakeFirstOrThrow();
  const changesAfter = async (modseq: number) =>
    (
      await core.db
        .selectFrom('changes')
        .select(['type', 'object_id', 'op'])
        .where('account_id', '=', account)
        .where('modseq', '>', modseq)
        .execute()
    )
      .map((c) => `${c.type} ${c.object_id} ${c.op}`)
      .sort();
  const refcount = async (emailId: string) => {
    const e = await core.db
      .selectFrom('emails')
      .select('blob_hash')
      .where('account_id', '=', account)
      .where('id', '=', emailId)
      .executeTakeFirstOrThrow();
    const b = await core.db
      .selectFrom('blobs')
      .select('refcount')
      .where('hash', '=', e.blob_hash)
      .executeTakeFirstOrThrow();
    return { hash: e.blob_hash, refcount: Number(b.refcount) };
  };

  test('an email in two mailboxes stays until it leaves the last one', async () => {
    const id = await deliver('in two mailboxes');
    await core.db
      .insertInto('email_mailboxes')
      .values({ account_id: account, mailbox_id: archive, uid: 1, email_id: id, modseq: 0 })
      .execute();
    const blob = await refcount(id);
    const { thread_id: thread } = await core.db
      .selectFrom('emails')
      .select('thread_id')
      .where('account_id', '=', account)
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const before = await accountRow();
    const events: ChangeEvent[] = [];
    const off = core.bus.subscribe(account, (e) => events.push(e));

    const first = await removeFromMailbox(core, account, inbox, [id]);
    assert.deepEqual(first, [{ emailId: id, uid: first[0]!.uid, destroyed: false }]);
    const mid = await accountRow();
    assert.equal(Number(mid.used_bytes), Number(before.used_bytes), 'still stored once');
    assert.equal((await refcount(id)).refcount, blob.refcount);
    assert.deepEqual(await changesAfter(Number(before.modseq)), [
      `Email ${id} u`,
      `Mailbox ${inbox} u`,
    ]);

    const second = await removeFromMailbox(core, account, archive, [id]);
    assert.deepEqual(second, [{ emailId: id, uid: 1, destroyed: true }]);
    const end = await accountRow();
    assert.equal(
      Number(end.used_bytes),
      Number(before.used_bytes) - raw('in two mailboxes').length,
    );
    assert.deepEqual(await changesAfter(Number(mid.modseq)), [
      `Email ${id} d`,
      `Mailbox ${archive} u`,
      `Thread ${thread} d`, // its only email is gone (Thread/changes)
    ]);
    const b = await core.db
      .selectFrom('blobs')
      .select('refcount')
      .where('hash', '=', blob.hash)
      .executeTakeFirstOrThrow();
    assert.equal(Number(b.refcount), blob.refcount - 1);
    assert.equal(await collectBlobs(core, 0), 1, 'the unreferenced blob is collected');
    off();
    assert.deepEqual(
      events.map((e) => e.modseq),
      [Number(mid.modseq), Number(end.modseq)],
    );
  });

  test('ids not in the mailbox change nothing and take no modseq', async () => {
    const id = await deliver('stays');
    const before = await accountRow();
    assert.deepEqual(await removeFromMailbox(core, account, archive, [id, 'Mnothing']), []);
    assert.deepEqual(await removeFromMailbox(core, account, inbox, []), []);
    assert.equal(Number((await accountRow()).modseq), Number(before.modseq));
  });

  test('two removals of the same messages at once remove each once', async () => {
    const ids = [await deliver('race 1'), await deliver('race 2')];
    const before = await accountRow();
    const [a, b] = await Promise.all([
      removeFromMailbox(core, account, inbox, ids),
      removeFromMailbox(core, account, inbox, [...ids].reverse()),
    ]);
    assert.equal(a.length + b.length, 2);
    const size = raw('race 1').length + raw('race 2').length;
    assert.equal(Number((await accountRow()).used_bytes), Number(before.used_bytes) - size);
    assert.equal(
      (await changesAfter(Number(before.modseq))).filter(
        (c) => c.startsWith('Email ') && c.endsWith(' d'),
      ).length,
      2,
    );
  });
});
