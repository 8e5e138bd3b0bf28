// A local mailbox that fills up between RCPT and the end of DATA, on the MX, when the message
// also goes to others: 250 for all, the others have it at once, the full one waits in the
// outbound queue (deferred 4.2.2) until its owner makes room, or bounces to the remote
// sender after queue.retryDays. Real sockets; the queue runs on a fake clock and sends
// notices to a throwaway smtp-server peer through queue.routes.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { addUser, setQuota } from '../../src/core/accounts.ts';
import { listQueue, traceDeliveries } from '../../src/core/outbound.ts';
import { startQueue, type QueueRunner } from '../../src/queue/worker.ts';
import { forEachStore } from '../helpers/stores.ts';
import { startPeer, type Peer } from '../queue/peer.ts';
import { mailbox, PASSWORD, smtpEnv, Talk, type SmtpTestEnv } from './setup.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Sends one message over the MX with a raw client; returns the reply to the final dot. */
async function send(
  env: SmtpTestEnv,
  mailFrom: string,
  rcpts: string[],
  subject: string,
): Promise<string> {
  const { talk } = await Talk.open(env.doors.ports.smtp);
  try {
    await talk.cmd('EHLO sender.other.example');
    assert.match(await talk.cmd(`MAIL FROM:${mailFrom}`), /^250 /);
    for (const r of rcpts) assert.match(await talk.cmd(`RCPT TO:${r}`), /^250 /);
    assert.match(await talk.cmd('DATA'), /^354 /);
    const body = `${'x'.repeat(70)}\r\n`.repeat(40); // ~2.9 KB: more than a 1000-byte quota
    talk.send(
      `From: <news@other.example>\r\nTo: <team@test.example>\r\nSubject: ${subject}\r\n` +
        `X-Original-Marker: keep-me\r\n\r\n${body}`,
    );
    return await talk.cmd('.');
  } finally {
    talk.close();
  }
}

forEachStore('SMTP MX, a mailbox full at the end of DATA', (kind) => {
  let env: SmtpTestEnv;
  let peer: Peer;
  let runner: QueueRunner;
  let clock = Date.now();

  before(async () => {
    peer = await startPeer();
    env = await smtpEnv(
      kind,
      {
        queue: {
          routes: { 'other.example': `127.0.0.1:${peer.port}` },
          backoffMinutes: [1, 5],
          retryDays: 2,
          delayNoticeHours: 4,
        },
      },
      {
        spamFilter: ({ raw }) =>
          Promise.resolve(raw.toString('utf8').includes('CHEAP PILLS') ? 'spam' : 'ham'),
      },
    );
    runner = startQueue(env.core, { now: () => clock, pollMs: 3_600_000 });
  });
  after(async () => {
    await runner.close();
    await env.close();
    await peer.close();
  });

  /** Lets the queue run everything due at the fake time `clock`. */
  async function run(): Promise<void> {
    await runner.idle();
    runner.kick();
    await runner.idle();
  }

  async function events(recipient: string): Promise<string[]> {
    return (await traceDeliveries(env.core, { recipient })).reverse().map((r) => r.event);
  }

  const subjects = async (accountId: number, role = 'inbox') =>
    (await mailbox(env.core, accountId, role)).map(
      (m) => /^Subject: (.*)$/m.exec(m.toString())?.[1],
    );

  it('250 for all; the full mailbox waits deferred 4.2.2 and gets the message once there is room', async () => {
    const carol = await addUser(env.core, {
      email: 'carol@test.example',
      password: PASSWORD,
      quotaBytes: 1000,
    });
    const reply = await send(
      env,
      '<news@other.example>',
      ['<bob@test.example>', '<carol@test.example>'],
      'Exam timetable',
    );
    assert.match(reply, /^250 2\.6\.0 Message accepted, queued as \d+/);
    assert.deepEqual(await subjects(env.bob.id), ['Exam timetable'], 'bob has it at once');
    assert.deepEqual(await subjects(carol.id), [], 'carol is full');

    const queue = await listQueue(env.core);
    assert.equal(queue.length, 1);
    assert.equal(queue[0]?.recipient, 'carol@test.example');
    assert.equal(queue[0]?.sender, 'news@other.example');
    assert.equal(queue[0]?.attempts, 1);
    assert.match(queue[0]?.lastError ?? '', /^452 4\.2\.2 mailbox full$/);
    assert.deepEqual(await events('carol@test.example'), ['accepted', 'deferred']);
    const [last] = await traceDeliveries(env.core, { recipient: 'carol@test.example' });
    assert.match(last?.detail ?? '', /mailbox full/);

    // Still full at the first retry: deferred again, nothing delivered, nobody told yet.
    clock = Date.now() + 2 * MIN;
    await run();
    assert.deepEqual(await subjects(carol.id), []);
    assert.equal((await listQueue(env.core))[0]?.attempts, 2);

    // The administrator raises the quota; the next retry delivers.
    await setQuota(env.core, 'carol@test.example', 1_000_000);
    clock += 10 * MIN;
    await run();
    assert.deepEqual(await subjects(carol.id), ['Exam timetable']);
    assert.deepEqual(await subjects(env.bob.id), ['Exam timetable'], 'bob gets no second copy');
    assert.equal((await listQueue(env.core)).length, 0);
    assert.deepEqual(await events('carol@test.example'), [
      'accepted',
      'deferred',
      'deferred',
      'delivered',
    ]);
    assert.equal(peer.received.length, 0, 'no notice to the sender');
  });

  it('spam that waits for a full mailbox still lands in Junk, not the inbox', async () => {
    // The fake clock is back in the present (the test before left it minutes ahead, which
    // would let the queue retry the full mailbox on its own timetable).
    clock = Date.now();
    const gina = await addUser(env.core, {
      email: 'gina@test.example',
      password: PASSWORD,
      quotaBytes: 1000,
    });
    const reply = await send(
      env,
      '<news@other.example>',
      ['<bob@test.example>', '<gina@test.example>'],
      'CHEAP PILLS today',
    );
    assert.match(reply, /^250 /);
    assert.deepEqual(await subjects(env.bob.id, 'junk'), ['CHEAP PILLS today']);
    assert.deepEqual(await subjects(gina.id, 'junk'), [], 'gina is full');

    await setQuota(env.core, 'gina@test.example', 1_000_000);
    clock = Date.now() + 30 * MIN; // past any retry the queue may have made meanwhile
    await run();
    assert.deepEqual(await subjects(gina.id, 'junk'), ['CHEAP PILLS today']);
    assert.deepEqual(await subjects(gina.id), [], 'nothing in her inbox');
    assert.equal((await events('gina@test.example')).at(-1), 'delivered');
  });

  it('a mailbox that stays full: delay notice, then after retryDays a 5.2.2 bounce to the remote sender', async () => {
    const dave = await addUser(env.core, {
      email: 'dave@test.example',
      password: PASSWORD,
      quotaBytes: 1000,
    });
    const erin = await addUser(env.core, {
      email: 'erin@test.example',
      password: PASSWORD,
      quotaBytes: 1000,
    });
    const sent = Date.now();
    const reply = await send(
      env,
      '<news@other.example> RET=HDRS ENVID=quota-test-1',
      [
        '<alice@test.example>',
        '<dave@test.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;dave@test.example',
        '<erin@test.example> NOTIFY=NEVER',
      ],
      'Budget circular',
    );
    assert.match(reply, /^250 /);
    assert.deepEqual(await subjects(env.alice.id), ['Budget circular']);
    assert.deepEqual(
      (await listQueue(env.core)).map((q) => [q.recipient, q.lastError]),
      [
        ['dave@test.example', '452 4.2.2 mailbox full'],
        ['erin@test.example', '452 4.2.2 mailbox full'],
      ],
    );

    clock = sent + 5 * HOUR;
    await run();
    const fromNull = () => peer.received.filter((r) => r.from === '');
    assert.equal(fromNull().length, 1, 'one delay notice');
    const delay = fromNull()[0]!;
    assert.deepEqual(delay.to, ['news@other.example']);
    assert.match(delay.data.toString(), /^Action: delayed$/m);
    assert.match(delay.data.toString(), /^Status: 4\.2\.2$/m);
    assert.match(delay.data.toString(), /^Final-Recipient: rfc822; dave@test\.example$/m);
    assert.doesNotMatch(delay.data.toString(), /erin@test\.example/, 'NOTIFY=NEVER');

    clock = sent + 2 * DAY + MIN;
    await run();
    assert.equal(fromNull().length, 2, 'then one bounce');
    const bounce = fromNull()[1]!.data.toString();
    assert.match(bounce, /^Action: failed$/m);
    assert.match(bounce, /^Status: 5\.2\.2$/m);
    assert.match(bounce, /^Diagnostic-Code: smtp; 452 4\.2\.2 mailbox full$/m);
    assert.match(bounce, /^Final-Recipient: rfc822; dave@test\.example$/m);
    assert.match(bounce, /^Original-Recipient: rfc822;dave@test\.example$/m);
    assert.match(bounce, /^Original-Envelope-Id: quota-test-1$/m);
    assert.match(bounce, /text\/rfc822-headers/);
    assert.match(bounce, /^X-Original-Marker: keep-me$/m, 'RET=HDRS: the header comes back');
    assert.doesNotMatch(bounce, /x{70}/, 'RET=HDRS: no body');
    assert.doesNotMatch(bounce, /erin@test\.example/, 'NOTIFY=NEVER');

    assert.equal((await listQueue(env.core)).length, 0);
    assert.deepEqual(await subjects(dave.id), []);
    assert.deepEqual(await subjects(erin.id), []);
    assert.equal((await events('dave@test.example')).at(-1), 'bounced');
    assert.equal((await events('erin@test.example')).at(-1), 'bounced');
    const [gaveUp] = await traceDeliveries(env.core, { recipient: 'dave@test.example' });
    assert.match(
      gaveUp?.detail ?? '',
      /gave up after 2 days; last error: 452 4\.2\.2 mailbox full/,
    );
  });
});
