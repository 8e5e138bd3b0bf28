// Creating mail over JMAP on both stores: Email/set create of a Lao draft with an uploaded
// attachment (RFC 8621 §4.6) read back whole; its SetErrors; Email/import and Email/parse of
// an uploaded message (§4.8, §4.9); Blob/copy and Email/copy within one account; and the
// change views — Email/queryChanges after a delivery, Email/changes after an IMAP client
// (imapflow) stores a flag — plus SearchSnippet/get marking a Lao word (§5.1).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import { ingest } from '../../src/core/deliver.ts';
import { startImap, type ImapDoors } from '../../src/imap/server.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { call } from '../http/client.ts';
import { first, jmapEnv, PASSWORD, type JmapEnv } from './setup.ts';

const AUTH = { user: 'alice@test.example', pass: PASSWORD };
const PDF = Buffer.from('%PDF-1.4\n% a small test file ສະບາຍດີ\n');
const LAO_SUBJECT = 'ກອງປະຊຸມ ກິລາ';

forEachStore('JMAP creating mail', (kind) => {
  let env: JmapEnv;
  let imap: ImapDoors;
  const boxes: Record<string, string> = {};
  const upload = async (bytes: Buffer, type: string): Promise<string> => {
    const r = await call(env.doors.ports.https, `/jmap/upload/${env.accountId}/`, {
      method: 'POST',
      auth: AUTH,
      headers: { 'content-type': type },
      body: bytes,
    });
    assert.equal(r.status, 201);
    return (r.json() as { blobId: string }).blobId;
  };
  before(async () => {
    env = await jmapEnv(kind);
    imap = await startImap(env.core, await testCert());
    const got = first(await env.api([['Mailbox/get', { accountId: env.accountId }, '0']]));
    for (const b of got.list as { id: string; role: string }[]) boxes[b.role] = b.id;
  });
  after(async () => {
    await imap.close();
    await env.close();
  });
  const acc = (): string => env.accountId;

  test('Email/set create: a Lao draft with text, HTML and an uploaded attachment', async () => {
    const blobId = await upload(PDF, 'application/pdf');
    const r = first(
      await env.api([
        [
          'Email/set',
          {
            accountId: acc(),
            create: {
              d: {
                mailboxIds: { [boxes.drafts!]: true },
                keywords: { $draft: true, $seen: true },
                from: [{ name: 'ອາລີສ', email: 'alice@test.example' }],
                to: [{ name: 'Bob', email: 'bob@test.example' }],
                subject: LAO_SUBJECT,
                bodyValues: {
                  t: { value: 'ສະບາຍດີ, ກອງປະຊຸມມື້ອື່ນ.' },
                  h: { value: '<p>ສະບາຍດີ, <b>ກອງປະຊຸມ</b> ມື້ອື່ນ.</p>' },
                },
                textBody: [{ partId: 't', type: 'text/plain' }],
                htmlBody: [{ partId: 'h', type: 'text/html' }],
                attachments: [{ blobId, type: 'application/pdf', name: 'ບົດລາຍງານ.pdf' }],
                'header:X-Champa-Test:asText': 'ທົດລອງ',
              },
              noBox: { subject: 'x' },
              badBlob: {
                mailboxIds: { [boxes.drafts!]: true },
                attachments: [{ blobId: 'G' + '0'.repeat(64), type: 'text/plain' }],
              },
              twoText: {
                mailboxIds: { [boxes.drafts!]: true },
                bodyValues: { a: { value: 'a' }, b: { value: 'b' } },
                textBody: [{ partId: 'a' }, { partId: 'b' }],
              },
              contentHeader: {
                mailboxIds: { [boxes.drafts!]: true },
                'header:Content-Type': 'text/plain',
              },
            },
          },
          's',
        ],
      ]),
    );
    assert.ok(r.created?.d?.id, JSON.stringify(r));
    assert.match(r.created.d.blobId, /^G[0-9a-f]{64}$/);
    assert.ok(r.created.d.size > PDF.length);
    assert.equal(r.notCreated.noBox.type, 'invalidProperties');
    assert.deepEqual(r.notCreated.noBox.properties, ['mailboxIds']);
    assert.equal(r.notCreated.badBlob.type, 'blobNotFound');
    assert.deepEqual(r.notCreated.badBlob.notFound, ['G' + '0'.repeat(64)]);
    assert.equal(r.notCreated.twoText.type, 'invalidProperties');
    assert.equal(r.notCreated.contentHeader.type, 'invalidProperties');

    const id = r.created.d.id as string;
    const g = first(
      await env.api([
        [
          'Email/get',
          {
            accountId: acc(),
            ids: [id],
            properties: [
              'subject',
              'from',
              'to',
              'keywords',
              'mailboxIds',
              'textBody',
              'htmlBody',
              'attachments',
              'bodyValues',
              'header:X-Champa-Test:asText',
              'hasAttachment',
            ],
            fetchTextBodyValues: true,
            fetchHTMLBodyValues: true,
          },
          'g',
        ],
      ]),
    );
    const e = g.list[0];
    assert.equal(e.subject, LAO_SUBJECT);
    assert.deepEqual(e.from, [{ name: 'ອາລີສ', email: 'alice@test.example' }]);
    assert.deepEqual(e.keywords, { $draft: true, $seen: true });
    assert.deepEqual(e.mailboxIds, { [boxes.drafts!]: true });
    assert.equal(e['header:X-Champa-Test:asText'], 'ທົດລອງ');
    assert.equal(e.hasAttachment, true);
    assert.equal(e.bodyValues[e.textBody[0].partId].value, 'ສະບາຍດີ, ກອງປະຊຸມມື້ອື່ນ.');
    assert.match(e.bodyValues[e.htmlBody[0].partId].value, /<b>ກອງປະຊຸມ<\/b>/);
    assert.equal(e.attachments.length, 1);
    assert.equal(e.attachments[0].name, 'ບົດລາຍງານ.pdf');
    const dl = await call(
      env.doors.ports.https,
      `/jmap/download/${acc()}/${e.attachments[0].blobId}/a.pdf`,
      { auth: AUTH },
    );
    assert.deepEqual(dl.body, PDF);
  });

  test('Email/import and Email/parse of an uploaded message; Blob/copy; Email/copy', async () => {
    const raw = Buffer.from(
      'From: Somphone <somphone@moes.example>\r\nTo: alice@test.example\r\n' +
        `Subject: =?UTF-8?B?${Buffer.from('ນຳເຂົ້າ').toString('base64')}?=\r\n` +
        'Message-ID: <import-1@moes.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n' +
        'ເນື້ອໃນ\r\n',
    );
    const blobId = await upload(raw, 'message/rfc822');
    const junk = await upload(Buffer.from([0, 1, 2, 3, 255]), 'application/octet-stream');
    const r = await env.api([
      [
        'Email/import',
        {
          accountId: acc(),
          emails: {
            a: {
              blobId,
              mailboxIds: { [boxes.inbox!]: true, [boxes.archive!]: true },
              keywords: { $seen: true },
              receivedAt: '2026-01-02T03:04:05Z',
            },
            missing: { blobId: 'G' + 'a'.repeat(64), mailboxIds: { [boxes.inbox!]: true } },
            notMail: { blobId: junk, mailboxIds: { [boxes.inbox!]: true } },
          },
        },
        'i',
      ],
      [
        'Email/get',
        {
          accountId: acc(),
          ids: ['#a'],
          properties: ['subject', 'receivedAt', 'keywords', 'mailboxIds'],
        },
        'g',
      ],
      [
        'Email/parse',
        { accountId: acc(), blobIds: [blobId, 'Gnope'], fetchTextBodyValues: true },
        'p',
      ],
      ['Blob/copy', { fromAccountId: acc(), accountId: acc(), blobIds: [blobId, 'Gnope'] }, 'b'],
      ['Blob/copy', { fromAccountId: 'A999', accountId: acc(), blobIds: [blobId] }, 'b2'],
      ['Email/copy', { fromAccountId: acc(), accountId: acc(), create: {} }, 'c'],
    ]);
    const imp = r[0]![1] as Record<string, Record<string, Record<string, unknown>>>;
    assert.ok(imp.created!.a!.id);
    assert.equal(imp.notCreated!.missing!.type, 'blobNotFound');
    assert.equal(imp.notCreated!.notMail!.type, 'invalidEmail');
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const e = (r[1]![1] as any).list[0];
    assert.equal(e.subject, 'ນຳເຂົ້າ');
    assert.equal(e.receivedAt, '2026-01-02T03:04:05Z');
    assert.deepEqual(e.keywords, { $seen: true });
    assert.equal(Object.keys(e.mailboxIds).length, 2);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const p = r[2]![1] as any;
    const parsed = p.parsed[blobId];
    assert.equal(parsed.subject, 'ນຳເຂົ້າ');
    assert.deepEqual(parsed.from, [{ name: 'Somphone', email: 'somphone@moes.example' }]);
    assert.equal(parsed.bodyValues[parsed.textBody[0].partId].value.trim(), 'ເນື້ອໃນ');
    assert.deepEqual(p.notFound, ['Gnope']);
    assert.deepEqual(r[3]![1].copied, { [blobId]: blobId });
    assert.deepEqual(Object.keys(r[3]![1].notCopied as object), ['Gnope']);
    assert.equal(r[4]![1].type, 'fromAccountNotFound');
    assert.equal(r[5]![1].type, 'invalidArguments');
  });

  test('Email/queryChanges after a delivery; Email/changes after imapflow stores a flag', async () => {
    const q0 = first(
      await env.api([
        ['Email/query', { accountId: acc(), filter: { inMailbox: boxes.inbox } }, 'q'],
      ]),
    );
    const [d] = await ingest(
      env.core,
      Buffer.from(
        `Subject: =?UTF-8?B?${Buffer.from(LAO_SUBJECT).toString('base64')}?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nວັນນີ້ມີການແຂ່ງຂັນກິລາທີ່ໂຮງຮຽນ\r\n`,
      ),
      [{ accountId: env.alice.id }],
    );
    const fresh = d!.emailId!;
    const ch = first(
      await env.api([
        [
          'Email/queryChanges',
          { accountId: acc(), sinceQueryState: q0.queryState, filter: { inMailbox: boxes.inbox } },
          'c',
        ],
      ]),
    );
    assert.deepEqual(ch.added, [{ id: fresh, index: 0 }]);
    assert.ok((ch.removed as string[]).includes(fresh));

    const state = ch.newQueryState as string;
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: imap.ports.imaps,
      secure: true,
      auth: AUTH,
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await c.connect();
    const lock = await c.getMailboxLock('INBOX');
    const list = await c.search({ subject: 'ກອງປະຊຸມ' }, { uid: true });
    assert.ok(list && list.length > 0);
    await c.messageFlagsAdd(list, ['\\Flagged'], { uid: true });
    lock.release();
    await c.logout();
    const after1 = await env.api([
      ['Email/changes', { accountId: acc(), sinceState: state }, 'c'],
      ['Email/get', { accountId: acc(), ids: [fresh], properties: ['keywords'] }, 'g'],
    ]);
    assert.deepEqual(after1[0]![1].updated, [fresh]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    assert.deepEqual((after1[1]![1] as any).list[0].keywords, { $flagged: true });
  });

  test('SearchSnippet/get marks a Lao word in the subject and the body', async () => {
    const r = await env.api([
      ['Email/query', { accountId: acc(), filter: { text: 'ກິລາ' } }, 'q'],
      [
        'SearchSnippet/get',
        {
          accountId: acc(),
          filter: { text: 'ກິລາ' },
          '#emailIds': { resultOf: 'q', name: 'Email/query', path: '/ids' },
        },
        's',
      ],
    ]);
    const list = r[1]![1].list as { subject: string | null; preview: string | null }[];
    assert.ok(list.length >= 1);
    const hit = list.find((s) => s.preview !== null)!;
    assert.equal(hit.subject, 'ກອງປະຊຸມ <mark>ກິລາ</mark>');
    assert.match(hit.preview!, /<mark>ກິລາ<\/mark>/);
    assert.ok(!hit.preview!.includes('<mark></mark>'));
  });
});
