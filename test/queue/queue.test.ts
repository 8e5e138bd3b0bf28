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
import { enqueue, listQueue, traceDeliveries } from '../../src/core/outbound.ts';
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
  let dns: FakeDns;
  let runner: QueueRunner;
  let clock = Date.UTC(2030, 0, 7, 8, 0, 0);
  const sender = 'somchai@ministry.test';

  before(async () => {
    peer = await startPeer();
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
        routes: { 'other.test': `127.0.0.1:${peer.port}` },
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
    await dns.close();
    await close();
  });

  /** Lets the worker run everything due at the fake time `clock`. */
  async function run(): Promise<void> {
    await runner.idle();
    runner.kick();
    await runner.idle();
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
    await enqueue(
      core,
      {
        sender,
        recipients: [
          { address: 'bob@other.test', notify: 'FAILURE,DELAY', orcpt: 'rfc822;bob@other.test' },
        ],
        raw: mail(sender, 'bob@other.test', 'Budget 2030'),
        envId: 'env-budget-1',
      },
      clock,
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
    await enqueue(
      core,
      {
        sender,
        recipients: [{ address: 'nobody@other.test' }],
        raw: mail(sender, 'nobody@other.test', 'Meeting minutes'),
        ret: 'HDRS',
        envId: 'env-minutes',
      },
      clock,
    );
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
    await enqueue(
      core,
      {
        sender,
        recipients: [{ address: 'slow@other.test' }],
        raw: mail(sender, 'slow@other.test', 'Slow'),
      },
      clock,
    );
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
    await enqueue(
      core,
      {
        sender,
        recipients: [{ address: 'stuck@other.test' }],
        raw: mail(sender, 'stuck@other.test', 'Stuck'),
      },
      clock,
    );
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
    await enqueue(
      core,
      {
        sender,
        recipients: [{ address: 'carol@far.test' }],
        raw: mail(sender, 'carol@far.test', 'Via MX'),
      },
      clock,
    );
    await run();
    assert.ok(peer.received.some((r) => r.to.includes('carol@far.test')));
    const [row] = await traceDeliveries(core, { recipient: 'carol@far.test' });
    assert.equal(row?.event, 'delivered');
    assert.match(row?.remote ?? '', /^mx1\.far\.test \[127\.0\.0\.1\]/);
  });

  test('a null MX bounces at once with 5.1.10; an unknown domain with 5.1.2', async () => {
    await enqueue(
      core,
      {
        sender,
        recipients: [{ address: 'x@nomail.test' }],
        raw: mail(sender, 'x@nomail.test', 'Null MX'),
      },
      clock,
    );
    await enqueue(
      core,
      {
        sender,
        recipients: [{ address: 'y@nowhere.test' }],
        raw: mail(sender, 'y@nowhere.test', 'No domain'),
      },
      clock,
    );
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
    await enqueue(
      core,
      {
        sender: 'alice@other.test',
        recipients: [{ address: 'gone@far.test' }],
        raw: mail('alice@other.test', 'gone@far.test', 'Relayed'),
      },
      clock,
    );
    await run();
    const dsn = peer.received.find((r) => r.to.includes('alice@other.test'));
    assert.ok(dsn, 'the DSN went out to the remote sender');
    assert.equal(dsn.from, '', 'null reverse-path');
    assert.match(dsn.data.toString(), /^Final-Recipient: rfc822; gone@far\.test$/m);
    // A message with the null sender that fails produces no notice at all.
    const before = peer.received.length;
    await enqueue(
      core,
      {
        sender: '',
        recipients: [{ address: 'gone2@other.test' }],
        raw: mail('', 'gone2@other.test', 'x'),
      },
      clock,
    );
    await run();
    assert.deepEqual(await events('gone2@other.test'), ['accepted', 'bounced']);
    assert.equal(peer.received.length, before);
    assert.equal((await listQueue(core)).length, 0);
    peer.rcptReply = () => null;
  });

  test('a queued recipient on a local domain is delivered with ingest, no SMTP hop', async () => {
    const before = peer.received.length;
    await enqueue(
      core,
      {
        sender: 'alice@other.test',
        recipients: [{ address: sender }],
        raw: mail('alice@other.test', sender, 'Local hop'),
      },
      clock,
    );
    await run();
    assert.ok((await inbox(sender)).some((m) => m.subject === 'Local hop'));
    assert.equal(peer.received.length, before);
    const [row] = await traceDeliveries(core, { recipient: sender });
    assert.equal(row?.event, 'delivered');
    assert.equal(row?.remote, null);
  });
});
