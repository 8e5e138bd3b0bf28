// EmailSubmission deliveryStatus (RFC 8621 §7) following the outbound queue, over HTTPS on
// both stores, with the queue worker running and a real SMTP peer (smtp-server) for the
// remote domain: a local recipient is delivered "yes" when the undo window ends; remote ones
// start "queued", then the peer's answers arrive — refused for good → "no" with the peer's
// reply, accepted → "unknown" (relayed), deferred → still "queued" with its reply, and later
// accepted; a local mailbox that was full is delivered by the queue → "yes"; a message an
// administrator removes from the queue → "no". Each change shows in EmailSubmission/changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { retryQueue, removeQueued } from '../../src/core/outbound.ts';
import { runDueSubmissions } from '../../src/core/submission.ts';
import { startQueue, type QueueRunner } from '../../src/queue/worker.ts';
import { startPeer, type Peer } from '../queue/peer.ts';
import { forEachStore } from '../helpers/stores.ts';
import { first, jmapEnv, USING_SUBMISSION, type Invocation, type JmapEnv } from './setup.ts';

interface Status {
  smtpReply: string;
  delivered: string;
  displayed: string;
}

forEachStore('JMAP EmailSubmission deliveryStatus', (kind) => {
  let env: JmapEnv;
  let peer: Peer;
  let identityId = '';
  let drafts = '';
  before(async () => {
    peer = await startPeer();
    env = await jmapEnv(kind, {
      queue: { routes: { 'far.example': `127.0.0.1:${peer.port}` }, backoffMinutes: [1, 5] },
    });
    env.core.config.jmap.undoSendSeconds = 0;
    const r = await api([
      ['Mailbox/get', { accountId: env.accountId }, 'm'],
      ['Identity/get', { accountId: env.accountId }, 'i'],
    ]);
    drafts = (r[0]![1].list as { id: string; role: string }[]).find((b) => b.role === 'drafts')!.id;
    identityId = (r[1]![1].list as { id: string }[])[0]!.id;
  });
  after(async () => {
    await env.close();
    await peer.close();
  });
  const api = (calls: Invocation[]) => env.api(calls, USING_SUBMISSION);

  /** Alice writes a message to these addresses and submits it; returns the submission id. */
  async function submit(to: string[], subject: string): Promise<string> {
    const r = await api([
      [
        'Email/set',
        {
          accountId: env.accountId,
          create: {
            d: {
              mailboxIds: { [drafts]: true },
              from: [{ name: 'Alice', email: 'alice@test.example' }],
              to: to.map((email) => ({ name: null, email })),
              subject,
              bodyValues: { b: { value: 'ສະບາຍດີ' } },
              textBody: [{ partId: 'b', type: 'text/plain' }],
            },
          },
        },
        'e',
      ],
      [
        'EmailSubmission/set',
        { accountId: env.accountId, create: { s: { identityId, emailId: '#d' } } },
        's',
      ],
    ]);
    const created = r[1]![1].created as Record<string, { id: string }> | undefined;
    assert.ok(created?.s, JSON.stringify(r[1]));
    return created.s.id;
  }

  async function get(id: string): Promise<{ undoStatus: string; status: Record<string, Status> }> {
    const g = first(
      await api([['EmailSubmission/get', { accountId: env.accountId, ids: [id] }, 'g']]),
    );
    return { undoStatus: g.list[0].undoStatus, status: g.list[0].deliveryStatus };
  }

  async function state(): Promise<string> {
    return first(await api([['EmailSubmission/get', { accountId: env.accountId, ids: [] }, 'g']]))
      .state;
  }

  async function changed(since: string): Promise<string[]> {
    const c = first(
      await api([
        ['EmailSubmission/changes', { accountId: env.accountId, sinceState: since }, 'c'],
      ]),
    );
    return c.updated as string[];
  }

  /**
   * Runs the queue worker over what is due now, until every attempt is settled. It runs only
   * here, so what a test sees between two runs is what the queue left.
   */
  async function runQueue(): Promise<void> {
    const runner: QueueRunner = startQueue(env.core, { pollMs: 3_600_000 });
    await runner.idle();
    await runner.close();
  }

  test('a local recipient: delivered "yes" when the undo window ends', async () => {
    const id = await submit(['bob@test.example'], 'Local');
    const before = await get(id);
    assert.equal(before.undoStatus, 'pending');
    assert.equal(before.status, null);
    const s0 = await state();
    await runDueSubmissions(env.core);
    const after = await get(id);
    assert.equal(after.undoStatus, 'final');
    assert.equal(after.status['bob@test.example']!.delivered, 'yes');
    assert.match(after.status['bob@test.example']!.smtpReply, /^250 /);
    assert.equal(after.status['bob@test.example']!.displayed, 'unknown');
    assert.deepEqual(await changed(s0), [id]);
  });

  test('remote: refused → "no" with the peer\'s reply, accepted → "unknown", deferred → queued', async () => {
    peer.rcptReply = (address) =>
      address === 'nobody@far.example'
        ? { code: 550, text: '5.1.1 nobody: no such user here' }
        : address === 'later@far.example'
          ? { code: 451, text: '4.2.0 greylisted, come back later' }
          : null;
    const id = await submit(
      ['nobody@far.example', 'pen@far.example', 'later@far.example'],
      'Remote',
    );
    await runDueSubmissions(env.core);
    const queued = await get(id);
    assert.equal(queued.undoStatus, 'final');
    for (const a of ['nobody@far.example', 'pen@far.example', 'later@far.example'])
      assert.equal(queued.status[a]!.delivered, 'queued', a);
    const s1 = await state();

    await runQueue();
    const done = await get(id);
    assert.equal(done.status['nobody@far.example']!.delivered, 'no');
    assert.match(done.status['nobody@far.example']!.smtpReply, /^550 .*no such user here/);
    assert.equal(done.status['pen@far.example']!.delivered, 'unknown');
    assert.match(done.status['pen@far.example']!.smtpReply, /^250 /);
    assert.equal(done.status['later@far.example']!.delivered, 'queued');
    assert.match(done.status['later@far.example']!.smtpReply, /^451 .*greylisted/);
    assert.deepEqual(await changed(s1), [id]);
    assert.equal(peer.received.length, 1, 'pen got the message');
    assert.deepEqual(peer.received[0]!.to, ['pen@far.example']);

    // The deferred one, tried again, is accepted.
    peer.rcptReply = () => null;
    const s2 = await state();
    await retryQueue(env.core);
    await runQueue();
    const later = await get(id);
    assert.equal(later.status['later@far.example']!.delivered, 'unknown');
    assert.match(later.status['later@far.example']!.smtpReply, /^250 /);
    assert.equal(later.status['nobody@far.example']!.delivered, 'no', 'a final status stays');
    assert.deepEqual(await changed(s2), [id]);
  });

  test('a full local mailbox: queued, then delivered "yes" by the queue', async () => {
    const bob = await env.core.db
      .selectFrom('accounts')
      .select(['id', 'used_bytes'])
      .where('email', '=', 'bob@test.example')
      .executeTakeFirstOrThrow();
    await env.core.db
      .updateTable('accounts')
      .set({ quota_bytes: Number(bob.used_bytes) + 1 })
      .where('id', '=', bob.id)
      .execute();
    const id = await submit(['bob@test.example'], 'Full');
    await runDueSubmissions(env.core);
    const full = await get(id);
    assert.equal(full.status['bob@test.example']!.delivered, 'queued');
    assert.match(full.status['bob@test.example']!.smtpReply, /^452 4\.2\.2/);

    await env.core.db
      .updateTable('accounts')
      .set({ quota_bytes: 0 })
      .where('id', '=', bob.id)
      .execute();
    const s = await state();
    await retryQueue(env.core);
    await runQueue();
    const done = await get(id);
    assert.equal(done.status['bob@test.example']!.delivered, 'yes');
    assert.match(done.status['bob@test.example']!.smtpReply, /^250 /);
    assert.deepEqual(await changed(s), [id]);
  });

  test('removed from the queue by an administrator: "no"', async () => {
    peer.rcptReply = () => ({ code: 421, text: '4.3.2 try again later' });
    const id = await submit(['slow@far.example'], 'Removed');
    await runDueSubmissions(env.core);
    await runQueue();
    assert.equal((await get(id)).status['slow@far.example']!.delivered, 'queued');
    const queueId = Number(
      (
        await env.core.db
          .selectFrom('email_submissions')
          .select('queue_id')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).queue_id,
    );
    const s = await state();
    assert.equal(await removeQueued(env.core, queueId), 1);
    const gone = await get(id);
    assert.equal(gone.status['slow@far.example']!.delivered, 'no');
    assert.match(gone.status['slow@far.example']!.smtpReply, /removed from the queue/);
    assert.deepEqual(await changed(s), [id]);
    peer.rcptReply = () => null;
  });
});
