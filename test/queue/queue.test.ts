// The outbound queue end to end: a real peer (smtp-server) reached through a static route or
// through MX records served by a fake DNS on loopback; only DNS and the clock are faked.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import PostalMime from 'postal-mime';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { startDns, type FakeDns } from '../helpers/dns.ts';
import { startPeer, type Peer } from './peer.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser, getAccount } from '../../src/core/accounts.ts';
import { readMessage } from '../../src/core/deliver.ts';
import {
  enqueue,
  listQueue,
  traceDeliveries,
  type OutboundMessage,
  type OutboundRecipient,
} from '../../src/core/outbound.ts';
import { startQueue, type QueueRunner } from '../../src/queue/worker.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function mail(from: string, to: string, subject: string): Buffer {
  return Buffer.from(
    [
      `From: ${from}`,
      `To: ${to}`,
      `Subject: ${subject}`,
      `Message-ID: <${randomBytes(6).toString('hex')}@ministry.test>`,
      'Date: Mon, 07 Jan 2030 08:00:00 +0000',
      'X-Original-Marker: keep-me',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'The body of the original message.',
      '',
    ].join('\r\n'),
  );
}

forEachStore('outbound queue', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  let peer: Peer;
  let plain: Peer; // a peer without DSN support
  let dns: FakeDns;
  let runner: QueueRunner;
  let clock = Date.UTC(2030, 0, 7, 8, 0, 0);
  const sender = 'somchai@ministry.test';

  before(async () => {
    peer = await startPeer();
    plain = await startPeer({ dsn: false });
    dns = await startDns({
      'far.test': {
        MX: [
          { exchange: 'dead.far.test', priority: 5 },
          { exchange: 'mx1.far.test', priority: 10 },
        ],
      },
      'dead.far.test': { A: ['127.0.0.2'] }, // nothing listens there: refused
      'mx1.far.test': { A: ['127.0.0.1'] },
      'nomail.test': { MX: [{ exchange: '.', priority: 0 }] },
    });
    ({ core, close } = await makeCore(kind, {
      dns: { servers: [dns.server] },
      queue: {
        routes: { 'other.test': `127.0.0.1:${peer.port}`, 'plain.test': `127.0.0.1:${plain.port}` },
        backoffMinutes: [1, 5],
        retryDays: 5,
        delayNoticeHours: 4,
      },
    }));
    await addDomain(core, 'ministry.test');
    await addUser(core, { email: sender, name: 'ສົມໃຈ', password: 'correct horse battery' });
    runner = startQueue(core, { now: () => clock, pollMs: 3_600_000, mxPort: peer.port });
  });
  after(async () => {
    await runner.close();
    await peer.close();
    await plain.close();
    await dns.close();
    await close();
  });

  /** Lets the worker run everything due at the fake time `clock`. */
  async function run(): Promise<void> {
    await runner.idle();
    runner.kick();
    await runner.idle();
  }

  /** Queues one test message at the fake time. */
  async function queueMail(
    to: string | OutboundRecipient,
    subject: string,
    extra: Partial<OutboundMessage> = {},
  ): Promise<number> {
    const r = typeof to === 'string' ? { address: to } : to;
    const from = extra.sender ?? sender;
    return enqueue(
      core,
      { sender: from, recipients: [r], raw: mail(from, r.address, subject), ...extra },
      clock,
    );
  }

  async function inbox(email: string): Promise<{ subject: string; raw: string }[]> {
    const a = await getAccount(core, email);
    assert.ok(a);
    const rows = await core.db
      .selectFrom('emails')
      .select(['id', 'subject'])
      .where('account_id', '=', a.id)
      .orderBy('modseq')
      .execute();
    return Promise.all(
      rows.map(async (r) => ({
        subject: r.subject,
        raw: (await readMessage(core, a.id, r.id)).toString('utf8'),
      })),
    );
  }

  async function events(recipient: string): Promise<string[]> {
    const rows = await traceDeliveries(core, { recipient });
    return rows.reverse().map((r) => r.event);
  }

  test('a message reaches the peer with its envelope, over STARTTLS, with DSN parameters', async () => {
    await queueMail(
      { address: 'bob@other.test', notify: 'FAILURE,DELAY', orcpt: 'rfc822;bob@other.test' },
      'Budget 2030',
      { envId: 'env-budget-1' },
    );
    await run();
    const got = peer.received.find((r) => r.to.includes('bob@other.test'));
    assert.ok(got, 'the peer received the message');
    assert.equal(got.from, sender);
    assert.deepEqual(got.to, ['bob@other.test']);
    assert.equal(got.secure, true, 'opportunistic STARTTLS with a self-signed certificate');
    assert.equal(got.envid, 'env-budget-1');
    assert.deepEqual(got.rcpt[0]?.notify, ['FAILURE', 'DELAY']);
    assert.match(got.data.toString(), /Subject: Budget 2030/);
    assert.deepEqual(await events('bob@other.test'), ['accepted', 'delivered']);
    const [row] = await traceDeliveries(core, { recipient: 'bob@other.test' });
    assert.match(row?.remote ?? '', /127\.0\.0\.1/);
    assert.equal((await listQueue(core)).length, 0, 'a delivered message leaves the queue');
  });

  test('a 550 bounces at once: the DSN lands in the sender INBOX with status and headers', async () => {
    peer.rcptReply = (a) =>
      a === 'nobody@other.test' ? { code: 550, text: '5.1.1 no such user here' } : null;
    await queueMail('nobody@other.test', 'Meeting minutes', { ret: 'HDRS', envId: 'env-minutes' });
    await run();
    assert.deepEqual(await events('nobody@other.test'), ['accepted', 'bounced']);
    const notices = (await inbox(sender)).filter((m) => m.subject.includes('Undelivered'));
    assert.equal(notices.length, 1);
    const dsn = notices[0]!.raw;
    assert.match(dsn, /^From: Mail Delivery System <MAILER-DAEMON@mail\.test>/m);
    assert.match(dsn, /Content-Type: multipart\/report; report-type=delivery-status/);
    assert.match(dsn, /^Reporting-MTA: dns; mail\.test$/m);
    assert.match(dsn, /^Original-Envelope-Id: env-minutes$/m);
    assert.match(dsn, /^Final-Recipient: rfc822; nobody@other\.test$/m);
    assert.match(dsn, /^Action: failed$/m);
    assert.match(dsn, /^Status: 5\.1\.1$/m);
    assert.match(dsn, /^Diagnostic-Code: smtp; 550 5\.1\.1 no such user here$/m);
    assert.match(dsn, /text\/rfc822-headers/);
    assert.match(dsn, /^X-Original-Marker: keep-me$/m, 'the original header comes back');
    assert.doesNotMatch(dsn, /The body of the original message/, 'RET=HDRS: no body');
    const parsed = await PostalMime.parse(dsn);
    assert.match(parsed.text ?? '', /ບໍ່ສາມາດສົ່ງຂໍ້ຄວາມຂອງທ່ານ/);
    assert.match(parsed.text ?? '', /could not be delivered/);
    peer.rcptReply = () => null;
  });

  test('a 451 defers; attempts count; the retry after the backoff delivers', async () => {
    let stalls = 2;
    peer.rcptReply = (a) =>
      a === 'slow@other.test' && stalls > 0 ? { code: 451, text: '4.7.1 try again later' } : null;
    const t0 = clock;
    await queueMail('slow@other.test', 'Slow');
    await run();
    stalls--;
    let [q] = await listQueue(core);
    assert.equal(q?.attempts, 1);
    assert.equal(q?.nextAttemptAt, t0 + 1 * MIN, 'first backoff: 1 minute');
    assert.match(q?.lastError ?? '', /451 4\.7\.1 try again later/);
    await run(); // nothing is due yet
    assert.equal((await listQueue(core))[0]?.attempts, 1);
    clock += 1 * MIN;
    await run();
    stalls--;
    [q] = await listQueue(core);
    assert.equal(q?.attempts, 2);
    assert.equal(q?.nextAttemptAt, clock + 5 * MIN, 'second backoff: 5 minutes');
    clock += 5 * MIN;
    await run();
    assert.equal((await listQueue(core)).length, 0);
    assert.deepEqual(await events('slow@other.test'), [
      'accepted',
      'deferred',
      'deferred',
      'delivered',
    ]);
    assert.ok(peer.received.some((r) => r.to.includes('slow@other.test')));
    peer.rcptReply = () => null;
  });

  test('one delay notice after delayNoticeHours; a bounce once retryDays have passed', async () => {
    peer.rcptReply = (a) =>
      a === 'stuck@other.test' ? { code: 451, text: '4.2.1 mailbox busy' } : null;
    const t0 = clock;
    await queueMail('stuck@other.test', 'Stuck');
    await run();
    const delayed = async () =>
      (await inbox(sender)).filter((m) => /^Action: delayed$/m.test(m.raw)).length;
    assert.equal(await delayed(), 0, 'no notice before delayNoticeHours');
    clock = t0 + 5 * HOUR;
    await run();
    assert.equal(await delayed(), 1);
    const notice = (await inbox(sender)).find((m) => /^Action: delayed$/m.test(m.raw))!;
    assert.match(notice.raw, /^Status: 4\.2\.1$/m);
    assert.match(notice.raw, /^Will-Retry-Until: /m);
    clock += 1 * HOUR;
    await run();
    assert.equal(await delayed(), 1, 'the delay notice is sent once');
    clock = t0 + 5 * DAY + MIN;
    await run();
    assert.equal((await listQueue(core)).length, 0);
    const ev = await events('stuck@other.test');
    assert.equal(ev[0], 'accepted');
    assert.equal(ev.at(-1), 'bounced');
    assert.deepEqual(new Set(ev.slice(1, -1)), new Set(['deferred']));
    const failed = (await inbox(sender)).filter(
      (m) => /^Action: failed$/m.test(m.raw) && m.raw.includes('stuck@other.test'),
    );
    assert.equal(failed.length, 1);
    assert.match(failed[0]!.raw, /^Status: 4\.4\.7$/m);
    assert.match(failed[0]!.raw, /4\.2\.1 mailbox busy/);
    assert.match(failed[0]!.raw, /The body of the original message/, 'RET absent: full message');
    peer.rcptReply = () => null;
  });

  test('MX lookup: lowest preference first, then the next MX when one is unreachable', async () => {
    await queueMail('carol@far.test', 'Via MX');
    await run();
    assert.ok(peer.received.some((r) => r.to.includes('carol@far.test')));
    const [row] = await traceDeliveries(core, { recipient: 'carol@far.test' });
    assert.equal(row?.event, 'delivered');
    assert.match(row?.remote ?? '', /^mx1\.far\.test \[127\.0\.0\.1\]/);
  });

  test('a null MX bounces at once with 5.1.10; an unknown domain with 5.1.2', async () => {
    await queueMail('x@nomail.test', 'Null MX');
    await queueMail('y@nowhere.test', 'No domain');
    await run();
    assert.deepEqual(await events('x@nomail.test'), ['accepted', 'bounced']);
    assert.deepEqual(await events('y@nowhere.test'), ['accepted', 'bounced']);
    const box = await inbox(sender);
    assert.ok(
      box.some((m) => m.raw.includes('x@nomail.test') && /^Status: 5\.1\.10$/m.test(m.raw)),
    );
    assert.ok(
      box.some((m) => m.raw.includes('y@nowhere.test') && /^Status: 5\.1\.2$/m.test(m.raw)),
    );
  });

  test('a remote sender gets its DSN through the queue, from <>; a bounce is never bounced', async () => {
    peer.rcptReply = (a) => (a.startsWith('gone') ? { code: 550, text: '5.1.1 gone' } : null);
    await queueMail('gone@far.test', 'Relayed', { sender: 'alice@other.test' });
    await run();
    const dsn = peer.received.find((r) => r.to.includes('alice@other.test'));
    assert.ok(dsn, 'the DSN went out to the remote sender');
    assert.equal(dsn.from, '', 'null reverse-path');
    assert.match(dsn.data.toString(), /^Final-Recipient: rfc822; gone@far\.test$/m);
    // A message with the null sender that fails produces no notice at all.
    const before = peer.received.length;
    await queueMail('gone2@other.test', 'x', { sender: '' });
    await run();
    assert.deepEqual(await events('gone2@other.test'), ['accepted', 'bounced']);
    assert.equal(peer.received.length, before);
    assert.equal((await listQueue(core)).length, 0);
    peer.rcptReply = () => null;
  });

  test('a queued recipient on a local domain is delivered with ingest, no SMTP hop', async () => {
    const before = peer.received.length;
    await queueMail(sender, 'Local hop', { sender: 'alice@other.test' });
    await run();
    assert.ok((await inbox(sender)).some((m) => m.subject === 'Local hop'));
    assert.equal(peer.received.length, before);
    const [row] = await traceDeliveries(core, { recipient: sender });
    assert.equal(row?.event, 'delivered');
    assert.equal(row?.remote, null);
  });

  test('NOTIFY=NEVER silences the bounce; NOTIFY=SUCCESS through a peer without DSN reports "relayed"', async () => {
    peer.rcptReply = (a) =>
      a === 'quiet@other.test' ? { code: 550, text: '5.1.1 unknown' } : null;
    const count = async () => (await inbox(sender)).length;
    const n0 = await count();
    await queueMail({ address: 'quiet@other.test', notify: 'NEVER' }, 'Quiet');
    await run();
    assert.deepEqual(await events('quiet@other.test'), ['accepted', 'bounced']);
    assert.equal(await count(), n0, 'no notice for NOTIFY=NEVER');
    await queueMail({ address: 'dan@plain.test', notify: 'SUCCESS,FAILURE' }, 'Tell me');
    await run();
    assert.ok(plain.received.some((r) => r.to.includes('dan@plain.test')));
    const box = await inbox(sender);
    assert.equal(box.length, n0 + 1);
    assert.match(box.at(-1)!.raw, /^Action: relayed$/m);
    assert.match(box.at(-1)!.raw, /^Final-Recipient: rfc822; dan@plain\.test$/m);
    // A peer that speaks DSN takes over the duty: no success notice from us.
    await queueMail({ address: 'erin@other.test', notify: 'SUCCESS' }, 'Peer reports');
    await run();
    assert.equal(await count(), n0 + 1);
    peer.rcptReply = () => null;
  });
});
