// EmailSubmission (RFC 8621 §7) and Identity/set (§6) over HTTPS on both stores: alice
// writes a draft and sends it to bob, who finds it with Email/query; the draft moves to Sent
// without $draft through onSuccessUpdateEmail; a remote recipient lands in the outbound
// queue; a submission canceled inside the undo window never leaves, one already sent is
// cannotUnsend; forbiddenFrom, forbiddenMailFrom, noRecipients; identities keep names and
// signatures, and none may be made for an address the account cannot send from.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { pruneSubmissions, runDueSubmissions } from '../../src/core/submission.ts';
import { listQueue } from '../../src/core/outbound.ts';
import { forEachStore } from '../helpers/stores.ts';
import { first, jmapEnv, USING_SUBMISSION, type Invocation, type JmapEnv } from './setup.ts';

forEachStore('JMAP EmailSubmission and Identity', (kind) => {
  let env: JmapEnv;
  const boxes: Record<string, string> = {};
  let identityId = '';
  before(async () => {
    env = await jmapEnv(kind);
    const r = await env.api(
      [
        ['Mailbox/get', { accountId: env.accountId }, 'm'],
        ['Identity/get', { accountId: env.accountId }, 'i'],
      ],
      USING_SUBMISSION,
    );
    for (const b of r[0]![1].list as { id: string; role: string }[]) boxes[b.role] = b.id;
    identityId = (r[1]![1].list as { id: string }[])[0]!.id;
  });
  after(() => env.close());
  const acc = (): string => env.accountId;
  const api = (calls: Invocation[]) => env.api(calls, USING_SUBMISSION);
  const draft = (to: string, subject: string, from = 'alice@test.example') => ({
    mailboxIds: { [boxes.drafts!]: true },
    keywords: { $draft: true, $seen: true },
    from: [{ name: 'Alice', email: from }],
    to: to ? [{ name: null, email: to }] : [],
    subject,
    bodyValues: { b: { value: 'ສະບາຍດີ Bob' } },
    textBody: [{ partId: 'b', type: 'text/plain' }],
  });

  test('alice sends to bob: the draft goes to Sent without $draft, bob finds it', async () => {
    env.core.config.jmap.undoSendSeconds = 0;
    const r = await api([
      ['Email/set', { accountId: acc(), create: { d: draft('bob@test.example', 'ກອງປະຊຸມ') } }, 'e'],
      [
        'EmailSubmission/set',
        {
          accountId: acc(),
          create: { s: { identityId, emailId: '#d' } },
          onSuccessUpdateEmail: {
            '#s': {
              [`mailboxIds/${boxes.drafts}`]: null,
              [`mailboxIds/${boxes.sent}`]: true,
              'keywords/$draft': null,
            },
          },
        },
        's',
      ],
      ['Email/get', { accountId: acc(), ids: ['#d'], properties: ['mailboxIds', 'keywords'] }, 'g'],
    ]);
    const emailId = (r[0]![1].created as Record<string, { id: string }>).d!.id;
    assert.equal(r[1]![0], 'EmailSubmission/set');
    const created = (r[1]![1].created as Record<string, { id: string; undoStatus: string }>).s!;
    assert.equal(created.undoStatus, 'pending');
    assert.equal(r[2]![0], 'Email/set', 'the implicit Email/set follows');
    assert.deepEqual(r[2]![1].updated, { [emailId]: null });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const e = (r[3]![1] as any).list[0];
    assert.deepEqual(e.mailboxIds, { [boxes.sent!]: true });
    assert.deepEqual(e.keywords, { $seen: true });

    await runDueSubmissions(env.core);
    const got = first(
      await api([['EmailSubmission/get', { accountId: acc(), ids: [created.id] }, 'g']]),
    );
    assert.equal(got.list[0].undoStatus, 'final');
    assert.equal(got.list[0].deliveryStatus['bob@test.example'].delivered, 'yes');
    assert.deepEqual(got.list[0].envelope.rcptTo, [
      { email: 'bob@test.example', parameters: null },
    ]);

    const bob = await env.apiAs('bob@test.example', [
      ['Email/query', { accountId: `A${env.alice.id + 1}`, filter: { text: 'ກອງປະຊຸມ' } }, 'q'],
      [
        'Email/get',
        {
          accountId: `A${env.alice.id + 1}`,
          '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
          properties: ['subject', 'from', 'bcc'],
        },
        'g',
      ],
    ]);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const inbox = (bob[1]![1] as any).list;
    assert.equal(inbox.length, 1, JSON.stringify(bob));
    assert.equal(inbox[0].subject, 'ກອງປະຊຸມ');
    assert.deepEqual(inbox[0].from, [{ name: 'Alice', email: 'alice@test.example' }]);
  });

  test('a remote recipient is queued; Bcc is not in what leaves', async () => {
    env.core.config.jmap.undoSendSeconds = 0;
    const d = {
      ...draft('pen@far.example', 'Outside'),
      bcc: [{ name: null, email: 'hidden@far.example' }],
    };
    const r = await api([
      ['Email/set', { accountId: acc(), create: { d } }, 'e'],
      [
        'EmailSubmission/set',
        { accountId: acc(), create: { s: { identityId, emailId: '#d' } } },
        's',
      ],
    ]);
    assert.ok((r[1]![1].created as Record<string, unknown>).s, JSON.stringify(r[1]));
    await runDueSubmissions(env.core);
    const q = await listQueue(env.core);
    assert.deepEqual(q.map((e) => e.recipient).sort(), ['hidden@far.example', 'pen@far.example']);
    const raw = await env.core.blobs.get(
      (await env.core.db.selectFrom('queue_messages').select('blob_hash').executeTakeFirstOrThrow())
        .blob_hash,
    );
    assert.doesNotMatch(raw.toString('latin1'), /^Bcc:/im);
    assert.match(raw.toString('latin1'), /^DKIM-Signature:/im);
  });

  test('canceled inside the undo window it never leaves; sent, it is cannotUnsend', async () => {
    env.core.config.jmap.undoSendSeconds = 10;
    const r = await api([
      ['Email/set', { accountId: acc(), create: { d: draft('bob@test.example', 'Undo me') } }, 'e'],
      [
        'EmailSubmission/set',
        { accountId: acc(), create: { s: { identityId, emailId: '#d' } } },
        's',
      ],
    ]);
    const sid = (r[1]![1].created as Record<string, { id: string }>).s!.id;
    const c = await api([
      [
        'EmailSubmission/set',
        { accountId: acc(), update: { [sid]: { undoStatus: 'canceled' } } },
        'c',
      ],
      ['EmailSubmission/query', { accountId: acc(), filter: { undoStatus: 'canceled' } }, 'q'],
    ]);
    assert.deepEqual(c[0]![1].updated, { [sid]: null });
    assert.deepEqual(c[1]![1].ids, [sid]);
    assert.equal(await runDueSubmissions(env.core, Date.now() + 3_600_000), 0);
    const bob = await env.apiAs('bob@test.example', [
      ['Email/query', { accountId: `A${env.alice.id + 1}`, filter: { subject: 'Undo' } }, 'q'],
    ]);
    assert.deepEqual(bob[0]![1].ids, []);

    env.core.config.jmap.undoSendSeconds = 0;
    const r2 = await api([
      [
        'Email/set',
        { accountId: acc(), create: { d: draft('bob@test.example', 'Too late') } },
        'e',
      ],
      [
        'EmailSubmission/set',
        { accountId: acc(), create: { s: { identityId, emailId: '#d' } } },
        's',
      ],
    ]);
    const sid2 = (r2[1]![1].created as Record<string, { id: string }>).s!.id;
    await runDueSubmissions(env.core);
    const late = first(
      await api([
        [
          'EmailSubmission/set',
          { accountId: acc(), update: { [sid2]: { undoStatus: 'canceled' } } },
          'c',
        ],
      ]),
    );
    assert.equal(late.notUpdated[sid2].type, 'cannotUnsend');
  });

  test('forbiddenFrom, forbiddenMailFrom, noRecipients, a bad identity', async () => {
    const r = await api([
      [
        'Email/set',
        {
          accountId: acc(),
          create: {
            forged: draft('bob@test.example', 'forged', 'boss@test.example'),
            nobody: draft('', 'nobody'),
            ok: draft('bob@test.example', 'ok'),
          },
        },
        'e',
      ],
      [
        'EmailSubmission/set',
        {
          accountId: acc(),
          create: {
            a: { identityId, emailId: '#forged' },
            b: { identityId, emailId: '#nobody' },
            c: {
              identityId,
              emailId: '#ok',
              envelope: {
                mailFrom: { email: 'boss@test.example' },
                rcptTo: [{ email: 'bob@test.example' }],
              },
            },
            d: { identityId: 'Inope', emailId: '#ok' },
            e: {
              identityId,
              emailId: '#ok',
              envelope: {
                mailFrom: { email: 'alice@test.example' },
                rcptTo: [{ email: 'not an address' }],
              },
            },
          },
        },
        's',
      ],
    ]);
    const nc = r[1]![1].notCreated as Record<
      string,
      { type: string; invalidRecipients?: string[] }
    >;
    assert.equal(nc.a!.type, 'forbiddenFrom');
    assert.equal(nc.b!.type, 'noRecipients');
    assert.equal(nc.c!.type, 'forbiddenMailFrom');
    assert.equal(nc.d!.type, 'invalidProperties');
    assert.equal(nc.e!.type, 'invalidRecipients');
    assert.deepEqual(nc.e!.invalidRecipients, ['not an address']);
  });

  test('Identity/set: name and signatures kept; no identity for a foreign address', async () => {
    const r = await api([
      [
        'Identity/set',
        {
          accountId: acc(),
          update: {
            [identityId]: {
              name: 'ອາລີສ',
              textSignature: '-- \nອາລີສ',
              htmlSignature: '<p>ອາລີສ</p>',
            },
          },
          create: {
            second: {
              email: 'alice@test.example',
              name: 'Alice at work',
              replyTo: [{ email: 'desk@test.example' }],
            },
            foreign: { email: 'boss@test.example', name: 'Boss' },
          },
          destroy: [identityId],
        },
        's',
      ],
      ['Identity/get', { accountId: acc() }, 'g'],
    ]);
    const s = r[0]![1] as Record<string, Record<string, { type: string; id: string }>>;
    assert.equal(s.notCreated!.foreign!.type, 'forbiddenFrom');
    assert.ok(s.created!.second!.id);
    assert.equal(s.notDestroyed![identityId]!.type, 'forbidden');
    const list = r[1]![1].list as {
      id: string;
      name: string;
      textSignature: string;
      replyTo: unknown;
      mayDelete: boolean;
    }[];
    const mine = list.find((i) => i.id === identityId)!;
    assert.equal(mine.name, 'ອາລີສ');
    assert.equal(mine.textSignature, '-- \nອາລີສ');
    const second = list.find((i) => i.id === s.created!.second!.id)!;
    assert.deepEqual(second.replyTo, [{ name: null, email: 'desk@test.example' }]);
    assert.equal(second.mayDelete, true);
    const del = first(
      await api([['Identity/set', { accountId: acc(), destroy: [second.id] }, 'd']]),
    );
    assert.deepEqual(del.destroyed, [second.id]);
  });

  test('sent and canceled submissions are removed when old; pending ones stay', async () => {
    const before = first(await api([['EmailSubmission/query', { accountId: acc() }, 'q']]));
    const old = before.ids as string[];
    assert.ok(old.length >= 2, 'the earlier tests sent and canceled some');
    const since = first(await api([['EmailSubmission/get', { accountId: acc(), ids: [] }, 'g']]))
      .state as string;
    env.core.config.jmap.undoSendSeconds = 3600;
    const r = await api([
      ['Email/set', { accountId: acc(), create: { d: draft('bob@test.example', 'later') } }, 'e'],
      [
        'EmailSubmission/set',
        { accountId: acc(), create: { s: { identityId, emailId: '#d' } } },
        's',
      ],
    ]);
    const pending = (r[1]![1].created as Record<string, { id: string }>).s!.id;

    // As the maintenance run does once jmap.submissionDays have passed.
    assert.equal(await pruneSubmissions(env.core, Date.now() + 60_000), old.length);
    const after = await api([
      ['EmailSubmission/query', { accountId: acc() }, 'q'],
      ['EmailSubmission/changes', { accountId: acc(), sinceState: since }, 'c'],
      ['EmailSubmission/get', { accountId: acc(), ids: [pending] }, 'g'],
    ]);
    assert.deepEqual(after[0]![1].ids, [pending]);
    assert.deepEqual([...(after[1]![1].destroyed as string[])].sort(), [...old].sort());
    assert.deepEqual(after[1]![1].created, [pending]);
    assert.equal((after[2]![1].list as { undoStatus: string }[])[0]!.undoStatus, 'pending');
    // The sent messages themselves stay where they were filed.
    const sent = first(
      await api([['Email/query', { accountId: acc(), filter: { inMailbox: boxes.sent } }, 'q']]),
    );
    assert.ok((sent.ids as string[]).length >= 1);
    const gone = first(
      await api([['EmailSubmission/set', { accountId: acc(), destroy: [pending] }, 'x']]),
    );
    assert.deepEqual(gone.destroyed, [pending]);
  });
});
