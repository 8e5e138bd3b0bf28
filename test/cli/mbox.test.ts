// mbox (mboxrd, RFC 4155): the reader and writer, and `champa mail export` then `champa mail
// import` into another account giving back the very same message bytes.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { forEachStore } from '../helpers/stores.ts';
import { initData, makeCliEnv, runCli, withDataCore, type CliEnv } from '../helpers/cli.ts';
import { mboxEntry, readMbox, MboxFormatError, type MboxItem } from '../../src/mail/mbox.ts';
import type { Core } from '../../src/core/core.ts';
import { addUser, getAccount } from '../../src/core/accounts.ts';
import { ingest } from '../../src/core/deliver.ts';
import { mailboxByName } from '../../src/core/mailboxes.ts';
import { mailboxMessages } from '../../src/core/messages.ts';

const crlf = (lines: string[]): Buffer => Buffer.from(lines.map((l) => `${l}\r\n`).join(''));

/** Messages that trip naive mbox code: From lines, quoted From lines, 8-bit Lao, blank tails. */
const MESSAGES: Buffer[] = [
  crlf([
    'From: ສົມໃຈ <somchai@ministry.test>',
    'To: noy@ministry.test',
    'Subject: =?UTF-8?B?4Lqb4Lqw4LqK4Lq44Lqh4Lqh4Lq34LuJ4LqZ4Lq14LuJ?=',
    'Message-ID: <lao-1@ministry.test>',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    'ສະບາຍດີ',
    'From the minister: the meeting moves to Friday.',
    '>From a quoted reply',
    '>>From a doubly quoted one',
    '',
    'From ',
    '',
  ]),
  crlf(['Subject: ປະຊຸມ (raw UTF-8 subject)', 'Message-ID: <lao-2@ministry.test>', '', 'short']),
  crlf(['Subject: blank tail', '', 'text', '', '', '']),
];

async function collect(items: AsyncIterable<MboxItem>): Promise<MboxItem[]> {
  const out: MboxItem[] = [];
  for await (const i of items) out.push(i);
  return out;
}

async function* chunked(data: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('mbox reader and writer', () => {
  const when = new Date(Date.UTC(2025, 0, 6, 10, 0, 0));
  const file = Buffer.concat(MESSAGES.map((m) => mboxEntry(m, when)));

  test('From lines inside messages are escaped (mboxrd) and the From line has a date', () => {
    const text = file.toString('utf8');
    assert.match(text, /^From somchai@ministry\.test Mon Jan {2}6 10:00:00 2025\n/);
    assert.match(text, /\n>From the minister/);
    assert.match(text, /\n>>From a quoted reply/);
    assert.match(text, /\n>>>From a doubly quoted one/);
    assert.match(text, /\n>From \n/);
    assert.doesNotMatch(text, /\r/);
  });

  test('reading gives back every message byte for byte, whatever the chunk size', async () => {
    for (const size of [1, 7, 4096, file.length]) {
      const items = await collect(readMbox(chunked(file, size), 1024 * 1024));
      assert.equal(items.length, MESSAGES.length, `chunk size ${size}`);
      items.forEach((item, i) => {
        assert.ok(!item.tooLarge);
        assert.ok(item.raw.equals(MESSAGES[i]!), `message ${i}, chunk size ${size}`);
        assert.equal(item.receivedAt, when.getTime());
      });
    }
  });

  test('a message over the size limit is skipped, and the next one still read', async () => {
    const big = crlf(['Subject: big', '', 'x'.repeat(5000), 'y'.repeat(5000)]);
    const data = Buffer.concat([mboxEntry(big, when), mboxEntry(MESSAGES[1]!, when)]);
    const items = await collect(readMbox(chunked(data, 1000), 2000));
    assert.equal(items.length, 2);
    assert.equal(items[0]?.tooLarge, true);
    assert.ok(items[1] && !items[1].tooLarge && items[1].raw.equals(MESSAGES[1]!));
  });

  test('a file that is not mbox is refused', async () => {
    await assert.rejects(
      collect(readMbox(chunked(Buffer.from('root:x:0:0:root:/root:/bin/sh\n'), 64), 1000)),
      MboxFormatError,
    );
  });
});

forEachStore('champa mail export | import', (kind) => {
  let env: CliEnv;
  let data: string;
  before(async () => {
    env = await makeCliEnv(kind);
    data = env.data;
    await initData(env, 'ministry.test');
  });
  after(() => env.cleanup());

  async function mailboxBytes(core: Core, email: string, mailbox: string): Promise<Buffer[]> {
    const a = await getAccount(core, email);
    assert.ok(a, email);
    const box = await mailboxByName(core.db, a.id, mailbox);
    assert.ok(box, `${email} ${mailbox}`);
    const rows = await mailboxMessages(core.db, a.id, box.id);
    return Promise.all(rows.map((r) => core.blobs.get(r.blobHash)));
  }

  test('export then import into another user round-trips the message bytes', async () => {
    await withDataCore(data, async (core) => {
      const somchai = await addUser(core, {
        email: 'somchai@ministry.test',
        password: 'a password long enough',
      });
      await addUser(core, { email: 'noy@ministry.test', password: 'a password long enough' });
      for (const m of MESSAGES) await ingest(core, m, [{ accountId: somchai.id }]);
    });
    const file = join(data, '..', 'somchai.mbox');
    const ex = await runCli([
      'mail',
      'export',
      'somchai@ministry.test',
      '--format',
      'mbox',
      '--output',
      file,
      '--data',
      data,
    ]);
    assert.equal(ex.code, 0, ex.stderr);
    assert.match(ex.stderr, /Exported 3 message/);
    assert.match(await readFile(file, 'utf8'), /\n>From the minister/);

    const mailbox = 'Archive/ເກົ່າ';
    const im = await runCli([
      'mail',
      'import',
      'noy@ministry.test',
      file,
      '--mailbox',
      mailbox,
      '--data',
      data,
    ]);
    assert.equal(im.code, 0, im.stderr);
    assert.match(im.stderr, /Imported 3 message/);

    await withDataCore(data, async (core) => {
      const original = await mailboxBytes(core, 'somchai@ministry.test', 'INBOX');
      const imported = await mailboxBytes(core, 'noy@ministry.test', mailbox);
      assert.equal(imported.length, 3);
      imported.forEach((b, i) => assert.ok(b.equals(original[i]!), `message ${i}`));
      const a = await getAccount(core, 'noy@ministry.test');
      const first = await core.db
        .selectFrom('emails')
        .select('subject')
        .where('account_id', '=', a!.id)
        .where('message_id', '=', 'lao-1@ministry.test')
        .executeTakeFirst();
      assert.equal(first?.subject, 'ປະຊຸມມື້ນີ້');
    });

    const again = await runCli([
      'mail',
      'export',
      'somchai@ministry.test',
      '--output',
      file,
      '--data',
      data,
    ]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /cannot write .*EEXIST/);
  });
});
