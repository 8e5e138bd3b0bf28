// The mail queue, message trace and dashboard over HTTPS, with real mail: a user sends through
// the submission door (nodemailer) to a destination that refuses (a real SMTP peer answering
// 550) and one that cannot be reached (nothing listens). The trace shows accepted, bounced
// with the peer's reason, and deferred with the connection error; the queue lists the waiting
// recipient, a retry makes it try again at once, a delete drops it (logged as rejected). An
// auditor of the sender's province sees the trace; one of another province sees nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import type { Core } from '../../src/core/core.ts';
import { insertAccount } from '../../src/core/accounts.ts';
import { listAudit } from '../../src/core/audit.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { grantRole } from '../../src/core/roles.ts';
import { startHttp, type HttpDoors } from '../../src/http/server.ts';
import { startSmtp, type SmtpDoors } from '../../src/smtp/server.ts';
import { startQueue, type QueueRunner } from '../../src/queue/worker.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { DOMAIN, seedTree } from '../admin/setup.ts';
import { startPeer, type Peer } from '../queue/peer.ts';
import { call, type Reply } from './client.ts';

const PASSWORD = 'correct-horse-battery';
const VTE = '/ministry/provinces/vientiane';
const LPB = '/ministry/provinces/luangprabang';

interface TraceEvent {
  event: string;
  recipient: string;
  detail: string;
  queueId: number | null;
}
interface Page<T> {
  items: T[];
  total: number;
}

forEachStore('admin API queue and trace', (kind) => {
  let core: Core;
  let http: HttpDoors;
  let smtp: SmtpDoors;
  let queue: QueueRunner;
  let peer: Peer;
  // Replaced once everything is up; before that, a failed set-up still lets the process end.
  let close: () => Promise<void> = async () => {
    await peer?.close();
  };

  const get = (local: string, path: string): Promise<Reply> =>
    call(http.ports.https, path, { auth: { user: `${local}@${DOMAIN}`, pass: PASSWORD } });
  const act = (method: string, path: string): Promise<Reply> =>
    call(http.ports.https, path, { method, auth: { user: `boss@${DOMAIN}`, pass: PASSWORD } });
  const trace = async (local: string, query: string): Promise<TraceEvent[]> => {
    const r = await get(local, `/api/admin/trace?${query}`);
    assert.equal(r.status, 200, r.body.toString());
    return (r.json() as Page<TraceEvent>).items;
  };
  /** Polls the trace until `pred` holds (the queue works in the background). */
  async function until(query: string, pred: (e: TraceEvent[]) => boolean): Promise<TraceEvent[]> {
    for (let i = 0; i < 300; i++) {
      const events = await trace('boss', query);
      if (pred(events)) return events;
      await new Promise((res) => setTimeout(res, 100));
    }
    throw new Error(`trace never showed what was awaited for ${query}`);
  }

  before(async () => {
    peer = await startPeer();
    peer.rcptReply = (address) =>
      address.startsWith('nobody@') ? { code: 550, text: '5.1.1 no such user here' } : null;
    const h = await makeCore(kind, {
      queue: {
        routes: { 'refuse.example': `127.0.0.1:${peer.port}`, 'gone.example': '127.0.0.1:9' },
        backoffMinutes: [60],
      },
    });
    core = h.core;
    await seedTree(core);
    const hash = await hashPassword(PASSWORD);
    await core.db.transaction().execute(async (trx) => {
      await insertAccount(trx, { email: `boss@${DOMAIN}`, unitPath: '/', isAdmin: true }, hash);
      await insertAccount(trx, { email: `somchai@${DOMAIN}`, name: 'ສົມໃຈ', unitPath: VTE }, hash);
      await insertAccount(trx, { email: `vte-audit@${DOMAIN}`, unitPath: VTE }, hash);
      await insertAccount(trx, { email: `lpb-audit@${DOMAIN}`, unitPath: LPB }, hash);
    });
    await grantRole(core, `vte-audit@${DOMAIN}`, 'auditor', VTE, 'test');
    await grantRole(core, `lpb-audit@${DOMAIN}`, 'auditor', LPB, 'test');
    const tls = await testCert();
    smtp = await startSmtp(core, tls);
    http = await startHttp(core, tls);
    queue = startQueue(core, { pollMs: 200 });
    close = async () => {
      await http.close();
      await smtp.close();
      await queue.close();
      await peer.close();
      await h.close();
    };
  });
  after(() => close());

  test('refused and unreachable mail in the trace, the queue, retry, delete, the dashboard', async () => {
    const sub = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtp.ports.submission,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: `somchai@${DOMAIN}`, pass: PASSWORD },
    });
    await sub.sendMail({
      from: `ສົມໃຈ <somchai@${DOMAIN}>`,
      to: ['nobody@refuse.example', 'someone@gone.example'],
      subject: 'ລາຍງານປະຈຳເດືອນ',
      text: 'ສະບາຍດີ',
    });

    const bounced = await until(
      `sender=somchai@${DOMAIN}`,
      (e) => e.some((x) => x.event === 'bounced') && e.some((x) => x.event === 'deferred'),
    );
    const refused = bounced.find(
      (x) => x.recipient === 'nobody@refuse.example' && x.event === 'bounced',
    );
    assert.match(refused?.detail ?? '', /550.*no such user/);
    const deferred = bounced.find(
      (x) => x.recipient === 'someone@gone.example' && x.event === 'deferred',
    );
    assert.ok(deferred, 'the unreachable one is deferred');
    assert.ok(
      bounced.filter((x) => x.event === 'accepted').length === 2,
      'both recipients were accepted first',
    );
    // Filters: by recipient (exact or a piece), by event, by time.
    const byPiece = await trace('boss', 'recipient=gone.example&event=deferred');
    assert.ok(byPiece.length >= 1 && byPiece.every((x) => x.recipient === 'someone@gone.example'));
    assert.deepEqual(
      await trace('boss', `sender=somchai@${DOMAIN}&since=${Date.now() + 3_600_000}`),
      [],
    );

    // The auditor of the sender's province sees it; the other province's auditor does not.
    assert.ok((await trace('vte-audit', `sender=somchai@${DOMAIN}`)).length >= 4);
    assert.deepEqual(await trace('lpb-audit', ''), []);

    // The queue holds the unreachable recipient, with the error.
    const q = (await get('boss', '/api/admin/queue')).json() as Page<{
      queueId: number;
      recipient: string;
      attempts: number;
      lastError: string | null;
    }>;
    assert.equal(q.total, 1);
    const entry = q.items[0]!;
    assert.equal(entry.recipient, 'someone@gone.example');
    assert.ok(entry.attempts >= 1);
    assert.ok(entry.lastError);
    assert.equal(deferred.queueId, entry.queueId);

    const dash = (await get('boss', '/api/admin/dashboard')).json() as {
      queue: { waiting: number };
      mail: { bounced: number; deferred: number; accepted: number };
      accounts: { total: number };
    };
    assert.equal(dash.queue.waiting, 1);
    assert.ok(dash.mail.bounced >= 1 && dash.mail.deferred >= 1 && dash.mail.accepted >= 2);
    assert.equal(dash.accounts.total, 4);
    const auditorDash = (await get('lpb-audit', '/api/admin/dashboard')).json() as {
      queue: unknown;
      mail: { accepted: number };
    };
    assert.equal(auditorDash.queue, null, 'the queue is not an auditor’s to see');
    assert.equal(auditorDash.mail.accepted, 0);

    // Retry now: another attempt, another deferral.
    const retried = await act('POST', `/api/admin/queue/${entry.queueId}/retry`);
    assert.equal(retried.status, 200);
    assert.deepEqual(retried.json(), { recipients: 1 });
    await until('recipient=someone@gone.example&event=deferred', (e) => e.length >= 2);

    // Delete: the recipient leaves the queue, logged as rejected by an administrator.
    const del = await act('DELETE', `/api/admin/queue/${entry.queueId}`);
    assert.equal(del.status, 200);
    assert.deepEqual(del.json(), { recipients: 1 });
    assert.equal(((await get('boss', '/api/admin/queue')).json() as Page<unknown>).total, 0);
    const rejected = await trace('boss', 'recipient=someone@gone.example&event=rejected');
    assert.match(rejected[0]?.detail ?? '', /removed from the queue by an administrator/);
    assert.equal((await act('DELETE', `/api/admin/queue/${entry.queueId}`)).status, 404);
    assert.equal((await act('POST', '/api/admin/queue/abc/retry')).status, 400);
    const rows = await listAudit(core, { action: 'queue.manage' });
    assert.deepEqual(rows.map((r) => [r.outcome, r.detail.op]).slice(0, 3), [
      ['error', 'remove'],
      ['ok', 'remove'],
      ['ok', 'retry'],
    ]);
  });
});
