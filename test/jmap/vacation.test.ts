// VacationResponse (RFC 8621 §8) over HTTPS on both stores, and its replies at delivery
// (RFC 3834): bob turns his on; alice's mail to him (sent over JMAP) gets one reply marked
// Auto-Submitted: auto-replied with In-Reply-To, and no second within the period; list mail,
// bulk mail, automatic mail and bounces get none; off, or outside its dates, it is silent.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { runDueSubmissions } from '../../src/core/submission.ts';
import { vacationIdle } from '../../src/core/vacation.ts';
import { forEachStore } from '../helpers/stores.ts';
import { first, jmapEnv, USING, type Invocation, type JmapEnv } from './setup.ts';

const USING_ALL = [
  ...USING,
  'urn:ietf:params:jmap:submission',
  'urn:ietf:params:jmap:vacationresponse',
];

forEachStore('JMAP VacationResponse', (kind) => {
  let env: JmapEnv;
  let bobAcc = '';
  before(async () => {
    env = await jmapEnv(kind);
    bobAcc = `A${env.alice.id + 1}`;
    env.core.config.jmap.undoSendSeconds = 0;
  });
  after(() => env.close());
  const bob = (calls: Invocation[]) => env.apiAs('bob@test.example', calls, USING_ALL);
  const alice = (calls: Invocation[]) => env.api(calls, USING_ALL);

  async function aliceInbox(): Promise<{ subject: string; id: string }[]> {
    const r = await alice([
      ['Email/query', { accountId: env.accountId, filter: { subject: 'Auto' } }, 'q'],
      [
        'Email/get',
        {
          accountId: env.accountId,
          '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
          properties: ['subject', 'inReplyTo', 'header:Auto-Submitted:asText'],
        },
        'g',
      ],
    ]);
    return r[1]![1].list as { subject: string; id: string }[];
  }

  async function aliceSends(subject: string): Promise<void> {
    const boxes = first(await alice([['Mailbox/get', { accountId: env.accountId }, 'm']]));
    const drafts = (boxes.list as { id: string; role: string }[]).find(
      (b) => b.role === 'drafts',
    )!.id;
    const ids = first(await alice([['Identity/get', { accountId: env.accountId }, 'i']]));
    const r = await alice([
      [
        'Email/set',
        {
          accountId: env.accountId,
          create: {
            d: {
              mailboxIds: { [drafts]: true },
              from: [{ email: 'alice@test.example' }],
              to: [{ email: 'bob@test.example' }],
              subject,
              messageId: [`${subject.replace(/\W/g, '')}@test.example`],
              bodyValues: { b: { value: 'hello' } },
              textBody: [{ partId: 'b' }],
            },
          },
        },
        'e',
      ],
      [
        'EmailSubmission/set',
        { accountId: env.accountId, create: { s: { identityId: ids.list[0].id, emailId: '#d' } } },
        's',
      ],
    ]);
    assert.ok((r[1]![1].created as Record<string, unknown>).s, JSON.stringify(r));
    await runDueSubmissions(env.core);
    await vacationIdle(env.core);
  }

  test('get and set the singleton; create and destroy are singleton errors', async () => {
    const r = await bob([
      ['VacationResponse/get', { accountId: bobAcc }, 'g'],
      [
        'VacationResponse/set',
        {
          accountId: bobAcc,
          update: {
            singleton: {
              isEnabled: true,
              subject: 'ບໍ່ຢູ່ຫ້ອງການ',
              textBody: 'ຂ້ອຍບໍ່ຢູ່ຫ້ອງການຈົນຮອດວັນຈັນ.',
              fromDate: null,
              toDate: null,
            },
          },
          create: { x: {} },
          destroy: ['singleton'],
        },
        's',
      ],
      ['VacationResponse/get', { accountId: bobAcc }, 'g2'],
    ]);
    assert.deepEqual(r[0]![1].list, [
      {
        id: 'singleton',
        isEnabled: false,
        fromDate: null,
        toDate: null,
        subject: null,
        textBody: null,
        htmlBody: null,
      },
    ]);
    assert.deepEqual(r[1]![1].updated, { singleton: null });
    assert.equal((r[1]![1].notCreated as Record<string, { type: string }>).x!.type, 'singleton');
    assert.equal(
      (r[1]![1].notDestroyed as Record<string, { type: string }>).singleton!.type,
      'singleton',
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    assert.equal((r[2]![1] as any).list[0].subject, 'ບໍ່ຢູ່ຫ້ອງການ');
  });

  test('one reply per sender per period, marked auto-replied, in reply to the message', async () => {
    await aliceSends('Budget question');
    let replies = await aliceInbox();
    assert.equal(replies.length, 0, 'a set subject replaces Auto:');
    const all = first(
      await alice([
        ['Email/query', { accountId: env.accountId, filter: { subject: 'ບໍ່ຢູ່ຫ້ອງການ' } }, 'q'],
      ]),
    );
    assert.equal(all.ids.length, 1);
    const got = first(
      await alice([
        [
          'Email/get',
          {
            accountId: env.accountId,
            ids: all.ids,
            properties: ['inReplyTo', 'header:Auto-Submitted:asText', 'from', 'preview'],
          },
          'g',
        ],
      ]),
    );
    const e = got.list[0];
    assert.equal(e['header:Auto-Submitted:asText'], 'auto-replied');
    assert.deepEqual(e.inReplyTo, ['Budgetquestion@test.example']);
    assert.equal(e.from[0].email, 'bob@test.example');
    assert.match(e.preview, /ບໍ່ຢູ່ຫ້ອງການ/);

    await aliceSends('Second question');
    const again = first(
      await alice([
        ['Email/query', { accountId: env.accountId, filter: { subject: 'ບໍ່ຢູ່ຫ້ອງການ' } }, 'q'],
      ]),
    );
    assert.equal(again.ids.length, 1, 'not twice within the period');
    replies = await aliceInbox();
    assert.equal(replies.length, 0);
  });

  test('no reply to lists, bulk, automatic mail, bounces, or outside the dates', async () => {
    const carol = 'carol@far.example';
    const base = (extra: string) =>
      Buffer.from(`From: ${carol}\r\nTo: bob@test.example\r\n${extra}Subject: x\r\n\r\nbody\r\n`);
    const bobId = env.alice.id + 1;
    const count = async () =>
      (await env.core.db.selectFrom('queue_recipients').select('id').execute()).length;
    const before0 = await count();
    for (const extra of [
      'List-Id: <staff.moes.example>\r\n',
      'Precedence: bulk\r\n',
      'Auto-Submitted: auto-generated\r\n',
    ])
      await ingest(env.core, base(extra), [{ accountId: bobId }], { envelopeSender: carol });
    await ingest(env.core, base(''), [{ accountId: bobId }], { envelopeSender: '' });
    // Bob is not in To or Cc (a Bcc or a list expansion): no reply either.
    await ingest(
      env.core,
      Buffer.from(`From: ${carol}\r\nTo: all@far.example\r\nSubject: y\r\n\r\nb\r\n`),
      [{ accountId: bobId }],
      { envelopeSender: carol },
    );
    await vacationIdle(env.core);
    assert.equal(await count(), before0);
    // A plain message from outside is answered through the queue, from a null sender.
    await ingest(env.core, base(''), [{ accountId: bobId }], { envelopeSender: carol });
    await vacationIdle(env.core);
    const q = await env.core.db
      .selectFrom('queue_messages as m')
      .innerJoin('queue_recipients as r', 'r.message_id', 'm.id')
      .select(['m.sender', 'r.recipient'])
      .execute();
    assert.deepEqual(
      q.map((r) => ({ ...r })),
      [{ sender: '', recipient: carol }],
    );

    // Dates in the future: silent.
    await bob([
      [
        'VacationResponse/set',
        { accountId: bobAcc, update: { singleton: { fromDate: '2999-01-01T00:00:00Z' } } },
        's',
      ],
    ]);
    await ingest(env.core, base(''), [{ accountId: bobId }], {
      envelopeSender: 'dave@far.example',
    });
    await vacationIdle(env.core);
    assert.equal(await count(), before0 + 1);
  });
});
