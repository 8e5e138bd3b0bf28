// JMAP Mail (RFC 8621) over HTTPS on both stores: mailboxes with their roles, a message
// delivered through the one ingest path seen by Email/query + Email/get (Lao intact), a Lao
// word found by the text filter, Email/set keywords and mailboxIds, changes made through the
// core as IMAP makes them showing in Email/changes (one truth for both doors), download.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { updateKeywords } from '../../src/core/keywords.ts';
import { forEachStore } from '../helpers/stores.ts';
import { call } from '../http/client.ts';
import { jmapEnv, PASSWORD, type JmapEnv } from './setup.ts';

const LAO_SUBJECT = 'ກອງປະຊຸມກະຊວງສຶກສາທິການ ແລະ ກິລາ';

function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}

function message(subject: string, body: string, id: string): Buffer {
  return Buffer.from(
    [
      `From: ${encodedWord('ສົມພອນ')} <somphone@moes.example>`,
      'To: alice@test.example',
      `Subject: ${encodedWord(subject)}`,
      `Message-ID: <${id}@moes.example>`,
      'Date: Mon, 02 Mar 2026 09:00:00 +0700',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      body,
      '',
    ].join('\r\n'),
    'utf8',
  );
}

forEachStore('JMAP mail', (kind) => {
  let env: JmapEnv;
  let laoId = '';
  let otherId = '';
  before(async () => {
    env = await jmapEnv(kind);
    const [lao] = await ingest(
      env.core,
      message(LAO_SUBJECT, 'ກະຊວງສຶກສາທິການແລະກິລາຈະເປັນເຈົ້າພາບກອງປະຊຸມ', 'lao-1'),
      [{ accountId: env.alice.id }],
      { receivedAt: Date.UTC(2026, 2, 2, 2) },
    );
    const [other] = await ingest(
      env.core,
      message('Budget 2026', 'Please find the budget attached later.', 'en-1'),
      [{ accountId: env.alice.id }],
      { receivedAt: Date.UTC(2026, 2, 3, 2) },
    );
    laoId = lao!.emailId!;
    otherId = other!.emailId!;
  });
  after(() => env.close());

  const acc = (): string => env.accountId;

  test('Mailbox/get shows the six special-use mailboxes with counts', async () => {
    const [[, res]] = (await env.api([['Mailbox/get', { accountId: acc(), ids: null }, '0']])) as [
      [string, { list: Record<string, unknown>[]; state: string }, string],
    ];
    const roles = res.list.map((m) => m.role).sort();
    assert.deepEqual(roles, ['archive', 'drafts', 'inbox', 'junk', 'sent', 'trash']);
    const inbox = res.list.find((m) => m.role === 'inbox')!;
    assert.equal(inbox.totalEmails, 2);
    assert.equal(inbox.unreadEmails, 2);
    assert.equal(inbox.parentId, null);
    assert.equal((inbox.myRights as Record<string, boolean>).mayReadItems, true);
  });

  test('Email/query → Email/get through a result reference; Lao subject and sender intact', async () => {
    const r = await env.api([
      ['Mailbox/get', { accountId: acc(), properties: ['role'] }, 'm'],
      ['Email/query', { accountId: acc(), filter: null, calculateTotal: true }, 'q'],
      [
        'Email/get',
        {
          accountId: acc(),
          '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
          properties: [
            'subject',
            'from',
            'to',
            'mailboxIds',
            'keywords',
            'receivedAt',
            'blobId',
            'preview',
            'messageId',
            'threadId',
            'size',
            'hasAttachment',
          ],
        },
        'g',
      ],
    ]);
    const q = r[1]![1] as { ids: string[]; total: number; queryState: string };
    assert.deepEqual(q.ids, [otherId, laoId], 'newest first');
    assert.equal(q.total, 2);
    const list = r[2]![1].list as Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const lao = list.find((e) => e.id === laoId)!;
    assert.equal(lao.subject, LAO_SUBJECT);
    assert.deepEqual(lao.from, [{ name: 'ສົມພອນ', email: 'somphone@moes.example' }]);
    assert.deepEqual(lao.to, [{ name: null, email: 'alice@test.example' }]);
    assert.deepEqual(lao.messageId, ['lao-1@moes.example']);
    assert.deepEqual(lao.keywords, {});
    assert.equal(lao.receivedAt, '2026-03-02T02:00:00Z');
    assert.match(lao.preview, /^ກະຊວງ/);
    const inbox = (r[0]![1].list as { id: string; role: string }[]).find(
      (m) => m.role === 'inbox',
    )!;
    assert.deepEqual(lao.mailboxIds, { [inbox.id]: true });

    // The blob downloads as the message bytes, for its owner only.
    const path = `/jmap/download/${acc()}/${lao.blobId}/message.eml?type=message/rfc822`;
    const dl = await call(env.doors.ports.https, path, {
      auth: { user: 'alice@test.example', pass: PASSWORD },
    });
    assert.equal(dl.status, 200);
    assert.equal(dl.headers['content-type'], 'message/rfc822');
    assert.match(dl.body.toString('utf8'), /Message-ID: <lao-1@moes.example>/);
    const bob = await call(env.doors.ports.https, path.replace(acc(), 'A999'), {
      auth: { user: 'bob@test.example', pass: PASSWORD },
    });
    assert.equal(bob.status, 404);
  });

  test('Email/query text filter finds a Lao word inside a sentence without spaces', async () => {
    const r = await env.api([
      ['Email/query', { accountId: acc(), filter: { text: 'ກິລາ' } }, 'a'],
      ['Email/query', { accountId: acc(), filter: { body: 'ເຈົ້າພາບ' } }, 'b'],
      ['Email/query', { accountId: acc(), filter: { subject: 'budget' } }, 'c'],
      ['Email/query', { accountId: acc(), filter: { text: 'ໂຮງຮຽນ' } }, 'd'],
      [
        'Email/query',
        { accountId: acc(), filter: { operator: 'NOT', conditions: [{ text: 'ກິລາ' }] } },
        'e',
      ],
      ['Email/query', { accountId: acc(), sort: [{ property: 'from' }] }, 'f'],
    ]);
    assert.deepEqual(r[0]![1].ids, [laoId]);
    assert.deepEqual(r[1]![1].ids, [laoId]);
    assert.deepEqual(r[2]![1].ids, [otherId]);
    assert.deepEqual(r[3]![1].ids, []);
    assert.deepEqual(r[4]![1].ids, [otherId]);
    assert.equal(r[5]![1].type, 'unsupportedSort');
  });

  test('Email/set $seen, then an IMAP-side flag shows in Email/changes (one truth)', async () => {
    const [first] = await env.api([
      ['Email/get', { accountId: acc(), ids: [laoId], properties: ['id'] }, '0'],
    ]);
    const state0 = first![1].state as string;
    const set = await env.api([
      [
        'Email/set',
        { accountId: acc(), ifInState: state0, update: { [laoId]: { 'keywords/$seen': true } } },
        's',
      ],
      ['Email/get', { accountId: acc(), ids: [laoId], properties: ['keywords'] }, 'g'],
      ['Email/query', { accountId: acc(), filter: { notKeyword: '$seen' } }, 'q'],
    ]);
    const s = set[0]![1];
    assert.deepEqual(s.updated, { [laoId]: null });
    assert.notEqual(s.newState, state0);
    assert.deepEqual((set[1]![1].list as { keywords: unknown }[])[0]!.keywords, { $seen: true });
    assert.deepEqual(set[2]![1].ids, [otherId]);

    const stale = await env.api([
      ['Email/set', { accountId: acc(), ifInState: state0, update: {} }, 'x'],
    ]);
    assert.equal(stale[0]![1].type, 'stateMismatch');

    // IMAP STORE +FLAGS (\Flagged) goes through the same core call.
    await updateKeywords(env.core, env.alice.id, [otherId], 'add', ['$flagged']);
    const ch = await env.api([
      ['Email/changes', { accountId: acc(), sinceState: s.newState }, 'c'],
      ['Email/changes', { accountId: acc(), sinceState: state0 }, 'c0'],
      ['Email/changes', { accountId: acc(), sinceState: '99999999' }, 'bad'],
      ['Mailbox/changes', { accountId: acc(), sinceState: state0 }, 'm'],
    ]);
    assert.deepEqual(ch[0]![1].updated, [otherId]);
    assert.deepEqual(ch[0]![1].created, []);
    assert.deepEqual([...(ch[1]![1].updated as string[])].sort(), [laoId, otherId].sort());
    assert.equal(ch[2]![1].type, 'cannotCalculateChanges');
    assert.equal((ch[3]![1].updated as string[]).length, 1, 'the inbox: its unread count moved');
  });

  test('Email/set moves between mailboxes and destroys; Thread/get and Identity/get', async () => {
    const boxes = (
      await env.api([['Mailbox/get', { accountId: acc(), properties: ['role'] }, '0']])
    )[0]![1].list as { id: string; role: string }[];
    const inbox = boxes.find((b) => b.role === 'inbox')!.id;
    const archive = boxes.find((b) => b.role === 'archive')!.id;
    const r = await env.api([
      [
        'Email/set',
        { accountId: acc(), update: { [otherId]: { mailboxIds: { [archive]: true } } } },
        'mv',
      ],
      ['Email/query', { accountId: acc(), filter: { inMailbox: archive } }, 'q'],
      [
        'Email/set',
        { accountId: acc(), update: { [otherId]: { mailboxIds: {} }, nope: { keywords: {} } } },
        'bad',
      ],
      ['Email/get', { accountId: acc(), ids: [laoId], properties: ['threadId'] }, 'g'],
      [
        'Thread/get',
        {
          accountId: acc(),
          '#ids': { resultOf: 'g', name: 'Email/get', path: '/list/*/threadId' },
        },
        't',
      ],
    ]);
    assert.deepEqual(r[0]![1].updated, { [otherId]: null });
    assert.deepEqual(r[1]![1].ids, [otherId]);
    assert.equal(
      (r[2]![1].notUpdated as Record<string, { type: string }>)[otherId]!.type,
      'invalidProperties',
    );
    assert.equal((r[2]![1].notUpdated as Record<string, { type: string }>).nope!.type, 'notFound');
    assert.deepEqual((r[4]![1].list as { emailIds: string[] }[])[0]!.emailIds, [laoId]);

    const d = await env.api([
      ['Email/set', { accountId: acc(), destroy: [otherId, 'Mnothere'] }, 'd'],
      ['Email/get', { accountId: acc(), ids: [otherId] }, 'g'],
      [
        'Mailbox/get',
        { accountId: acc(), ids: [inbox, archive], properties: ['totalEmails'] },
        'm',
      ],
    ]);
    assert.deepEqual(d[0]![1].destroyed, [otherId]);
    assert.equal(
      (d[0]![1].notDestroyed as Record<string, { type: string }>).Mnothere!.type,
      'notFound',
    );
    assert.deepEqual(d[1]![1].notFound, [otherId]);
    assert.deepEqual(
      (d[2]![1].list as { totalEmails: number }[]).map((m) => m.totalEmails),
      [1, 0],
    );

    const id = await env.api(
      [['Identity/get', { accountId: acc() }, 'i']],
      ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail', 'urn:ietf:params:jmap:submission'],
    );
    assert.deepEqual(
      (id[0]![1].list as { email: string }[]).map((i) => i.email),
      ['alice@test.example'],
    );
  });
});
