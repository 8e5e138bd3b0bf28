// Thread/changes (RFC 8621 §3.2) over HTTPS on both stores, with mail arriving the ways it
// really does: a thread is created by a delivery over SMTP (nodemailer to the MX door), grown
// by a reply, emptied by Email/set destroy; IMAP APPEND, COPY and EXPUNGE made with imapflow
// show in the same Thread/changes (one change log for every door); maxChanges pages it; a
// state below the tombstone horizon is cannotCalculateChanges; Thread/get's state is one
// Thread/changes takes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { pruneHistory } from '../../src/core/changes.ts';
import { startImap, type ImapDoors } from '../../src/imap/server.ts';
import { startSmtp, type SmtpDoors } from '../../src/smtp/server.ts';
import { startDns, type FakeDns } from '../helpers/dns.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { first, jmapEnv, PASSWORD, type JmapEnv } from './setup.ts';

function message(id: string, subject: string, inReplyTo?: string): string {
  return [
    'From: Pen <pen@far.example>',
    'To: alice@test.example',
    `Subject: ${subject}`,
    `Message-ID: <${id}@far.example>`,
    ...(inReplyTo
      ? [`In-Reply-To: <${inReplyTo}@far.example>`, `References: <${inReplyTo}@far.example>`]
      : []),
    'Date: Mon, 02 Mar 2026 09:00:00 +0700',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `About ${subject}.`,
    '',
  ].join('\r\n');
}

interface ThreadChanges {
  oldState: string;
  newState: string;
  hasMoreChanges: boolean;
  created: string[];
  updated: string[];
  destroyed: string[];
}

forEachStore('JMAP Thread/changes', (kind) => {
  let env: JmapEnv;
  let dns: FakeDns;
  let smtp: SmtpDoors;
  let imap: ImapDoors;
  before(async () => {
    dns = await startDns();
    env = await jmapEnv(kind, { dns: { servers: [dns.server] } });
    smtp = await startSmtp(env.core, await testCert());
    imap = await startImap(env.core, await testCert());
  });
  after(async () => {
    await smtp.close();
    await imap.close();
    await env.close();
    await dns.close();
  });
  const acc = (): string => env.accountId;

  /** Delivers over SMTP to the MX door; resolves once the server answered 250. */
  async function deliver(raw: string): Promise<void> {
    const mx = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.ports.smtp,
      secure: false,
      tls: { rejectUnauthorized: false },
    });
    await mx.sendMail({ envelope: { from: 'pen@far.example', to: ['alice@test.example'] }, raw });
    mx.close();
  }

  async function threadState(): Promise<string> {
    return first(await env.api([['Thread/get', { accountId: acc(), ids: [] }, 't']])).state;
  }

  async function changes(sinceState: string, maxChanges?: number): Promise<ThreadChanges> {
    const r = await env.api([
      [
        'Thread/changes',
        { accountId: acc(), sinceState, ...(maxChanges ? { maxChanges } : {}) },
        'c',
      ],
    ]);
    assert.equal(r[0]![0], 'Thread/changes', JSON.stringify(r[0]));
    return r[0]![1] as unknown as ThreadChanges;
  }

  /** The email and thread id of the message with this Message-ID. */
  async function find(id: string): Promise<{ emailId: string; threadId: string }> {
    const r = await env.api([
      ['Email/query', { accountId: acc() }, 'q'],
      [
        'Email/get',
        {
          accountId: acc(),
          '#ids': { resultOf: 'q', name: 'Email/query', path: '/ids' },
          properties: ['threadId', 'messageId'],
        },
        'g',
      ],
    ]);
    const list = r[1]![1].list as { id: string; threadId: string; messageId: string[] }[];
    const hit = list.find((e) => e.messageId[0] === `${id}@far.example`);
    assert.ok(hit, `no email ${id}: ${JSON.stringify(list)}`);
    return { emailId: hit.id, threadId: hit.threadId };
  }

  test('created by a delivery, grown by a reply, emptied by destroy', async () => {
    const s0 = await threadState();
    await deliver(message('root', 'Timetable'));
    const root = await find('root');
    const c1 = await changes(s0);
    assert.deepEqual(
      [c1.created, c1.updated, c1.destroyed],
      [[root.threadId], [], []],
      JSON.stringify(c1),
    );
    assert.equal(c1.hasMoreChanges, false);
    // Thread/get's state is the state Thread/changes answered: the two agree.
    const got = first(
      await env.api([['Thread/get', { accountId: acc(), ids: [root.threadId] }, 't']]),
    );
    assert.equal(got.state, c1.newState);
    assert.deepEqual(got.list, [{ id: root.threadId, emailIds: [root.emailId] }]);

    await deliver(message('reply', 'Re: Timetable', 'root'));
    const reply = await find('reply');
    assert.equal(reply.threadId, root.threadId);
    const c2 = await changes(c1.newState);
    assert.deepEqual([c2.created, c2.updated, c2.destroyed], [[], [root.threadId], []]);
    const grown = first(
      await env.api([['Thread/get', { accountId: acc(), ids: [root.threadId] }, 't']]),
    );
    assert.deepEqual(grown.list[0].emailIds, [root.emailId, reply.emailId]);

    // Destroying one email updates the thread; destroying the last destroys it.
    const d1 = first(
      await env.api([['Email/set', { accountId: acc(), destroy: [reply.emailId] }, 'd']]),
    );
    assert.deepEqual(d1.destroyed, [reply.emailId]);
    const c3 = await changes(c2.newState);
    assert.deepEqual([c3.created, c3.updated, c3.destroyed], [[], [root.threadId], []]);
    await env.api([['Email/set', { accountId: acc(), destroy: [root.emailId] }, 'd']]);
    const c4 = await changes(c3.newState);
    assert.deepEqual([c4.created, c4.updated, c4.destroyed], [[], [], [root.threadId]]);
    const gone = first(
      await env.api([['Thread/get', { accountId: acc(), ids: [root.threadId] }, 't']]),
    );
    assert.deepEqual(gone.notFound, [root.threadId]);
    // Over the whole range the thread was made and gone again: the client never hears of it.
    const whole = await changes(s0);
    assert.deepEqual([whole.created, whole.updated, whole.destroyed], [[], [], []]);
    assert.equal(whole.newState, c4.newState);
  });

  test('IMAP APPEND, COPY and EXPUNGE (imapflow) show in Thread/changes', async () => {
    await deliver(message('topic', 'Budget'));
    const topic = await find('topic');
    const s0 = await threadState();
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: imap.ports.imaps,
      secure: true,
      auth: { user: 'alice@test.example', pass: PASSWORD },
      tls: { rejectUnauthorized: false },
      logger: false,
    });
    await c.connect();
    try {
      await c.append('INBOX', message('imap-reply', 'Re: Budget', 'topic'));
      const c1 = await changes(s0);
      assert.deepEqual([c1.created, c1.updated, c1.destroyed], [[], [topic.threadId], []]);

      await c.append('INBOX', message('imap-new', 'Sports day'));
      const fresh = await find('imap-new');
      const c2 = await changes(c1.newState);
      assert.deepEqual([c2.created, c2.updated, c2.destroyed], [[fresh.threadId], [], []]);

      // COPY into the mailbox that holds it makes a second email of the same thread.
      const lock = await c.getMailboxLock('INBOX');
      try {
        const uids = (await c.search(
          { header: { 'message-id': 'topic@far.example' } },
          { uid: true },
        )) as number[];
        assert.equal(uids.length, 1);
        await c.messageCopy(String(uids[0]), 'INBOX', { uid: true });
        const c3 = await changes(c2.newState);
        assert.deepEqual([c3.created, c3.updated, c3.destroyed], [[], [topic.threadId], []]);
        const t = first(
          await env.api([['Thread/get', { accountId: acc(), ids: [topic.threadId] }, 't']]),
        );
        assert.equal(t.list[0].emailIds.length, 3, JSON.stringify(t));

        // EXPUNGE of the only email of a thread destroys the thread.
        const mine = (await c.search(
          { header: { 'message-id': 'imap-new@far.example' } },
          {
            uid: true,
          },
        )) as number[];
        await c.messageDelete(String(mine[0]), { uid: true });
        const c4 = await changes(c3.newState);
        assert.deepEqual([c4.created, c4.updated, c4.destroyed], [[], [], [fresh.threadId]]);
      } finally {
        lock.release();
      }
    } finally {
      await c.logout();
    }
  });

  test('maxChanges pages the changes; below the tombstone horizon they cannot be told', async () => {
    const s0 = await threadState();
    for (const id of ['p1', 'p2', 'p3']) await deliver(message(id, `Page ${id}`));
    const ids = await Promise.all(['p1', 'p2', 'p3'].map(async (id) => (await find(id)).threadId));
    const a = await changes(s0, 2);
    assert.equal(a.hasMoreChanges, true);
    assert.deepEqual(a.created, ids.slice(0, 2));
    const b = await changes(a.newState, 2);
    assert.equal(b.hasMoreChanges, false);
    assert.deepEqual(b.created, ids.slice(2));
    assert.equal(b.newState, await threadState());

    // A destroy leaves tombstones; once they are pruned, older states are not answerable.
    const p1 = await find('p1');
    await env.api([['Email/set', { accountId: acc(), destroy: [p1.emailId] }, 'd']]);
    const after = await threadState();
    assert.ok((await pruneHistory(env.core.db, Date.now() + 60_000)) > 0);
    const r = await env.api([
      ['Thread/changes', { accountId: acc(), sinceState: s0 }, 'old'],
      ['Email/changes', { accountId: acc(), sinceState: s0 }, 'oldEmail'],
      ['Thread/changes', { accountId: acc(), sinceState: after }, 'now'],
    ]);
    assert.deepEqual(r[0], ['error', r[0]![1], 'old']);
    assert.equal(r[0]![1].type, 'cannotCalculateChanges');
    assert.equal(r[1]![1].type, 'cannotCalculateChanges');
    assert.equal(r[2]![0], 'Thread/changes');
    assert.deepEqual(r[2]![1].created, []);
    assert.equal(r[2]![1].newState, after);
  });
});
