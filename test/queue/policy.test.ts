// Queue policies that need their own configuration: mandatory TLS, per-domain concurrency,
// and two runners (two cluster nodes) sharing one queue without delivering anything twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { startPeer, type Peer } from './peer.ts';
import type { Core } from '../../src/core/core.ts';
import { enqueue, listQueue, traceDeliveries } from '../../src/core/outbound.ts';
import { startQueue } from '../../src/queue/worker.ts';

function raw(to: string, n: number): Buffer {
  return Buffer.from(`From: a@ministry.test\r\nTo: ${to}\r\nSubject: n${n}\r\n\r\nbody ${n}\r\n`);
}

forEachStore('queue policies', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  let tlsPeer: Peer;
  let plainPeer: Peer;
  let slowPeer: Peer;

  before(async () => {
    tlsPeer = await startPeer();
    plainPeer = await startPeer({ starttls: false });
    slowPeer = await startPeer({ dataDelayMs: 150 });
    ({ core, close } = await makeCore(kind, {
      queue: {
        requireTls: true,
        concurrencyPerDomain: 2,
        routes: {
          'tls.test': `127.0.0.1:${tlsPeer.port}`,
          'plain.test': `127.0.0.1:${plainPeer.port}`,
          'slow.test': `127.0.0.1:${slowPeer.port}`,
        },
      },
    }));
  });
  after(async () => {
    await Promise.all([tlsPeer.close(), plainPeer.close(), slowPeer.close()]);
    await close();
  });

  test('with requireTls, a peer without STARTTLS gets nothing; one with it gets the mail', async () => {
    const runner = startQueue(core, { pollMs: 3_600_000 });
    try {
      await enqueue(core, {
        sender: 'a@ministry.test',
        recipients: [{ address: 'x@plain.test' }],
        raw: raw('x@plain.test', 1),
      });
      await enqueue(core, {
        sender: 'a@ministry.test',
        recipients: [{ address: 'y@tls.test' }],
        raw: raw('y@tls.test', 2),
      });
      await runner.idle();
    } finally {
      await runner.close();
    }
    assert.equal(plainPeer.received.length, 0);
    const [deferred] = await traceDeliveries(core, { recipient: 'x@plain.test' });
    assert.equal(deferred?.event, 'deferred');
    assert.match(deferred?.detail ?? '', /TLS/i);
    assert.equal(tlsPeer.received[0]?.secure, true);
    const [waiting] = await listQueue(core);
    assert.equal(waiting?.recipient, 'x@plain.test', 'still queued for a later attempt');
  });

  test('two runners share the queue: every message once, at most 2 at a time per domain', async () => {
    const n = 8;
    // Two nodes of a cluster: each has its own runner over the same database.
    const a = startQueue(core, { pollMs: 3_600_000 });
    const b = startQueue(core, { pollMs: 3_600_000 });
    try {
      for (let i = 0; i < n; i++)
        await enqueue(core, {
          sender: 'a@ministry.test',
          recipients: [{ address: `r${i}@slow.test` }],
          raw: raw(`r${i}@slow.test`, i),
        });
      // Wait until every message is delivered (each runner wakes the other's work via kicks).
      for (let tries = 0; tries < 100; tries++) {
        a.kick();
        b.kick();
        await Promise.all([a.idle(), b.idle()]);
        if (slowPeer.received.length >= n) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
    const got = slowPeer.received.flatMap((r) => r.to).sort();
    assert.deepEqual(
      got,
      Array.from({ length: n }, (_, i) => `r${i}@slow.test`).sort(),
      'each message exactly once',
    );
    // One runner honours the limit; two nodes may each run up to it.
    assert.ok(slowPeer.maxConcurrent <= 4, `at most 2 per node (saw ${slowPeer.maxConcurrent})`);
    assert.ok(slowPeer.maxConcurrent >= 2, 'deliveries do run in parallel');
  });

  test('one runner keeps to concurrencyPerDomain', async () => {
    const runner = startQueue(core, { pollMs: 3_600_000 });
    const before = slowPeer.received.length;
    slowPeer.maxConcurrent = 0;
    try {
      for (let i = 0; i < 6; i++)
        await enqueue(core, {
          sender: 'a@ministry.test',
          recipients: [{ address: `s${i}@slow.test` }],
          raw: raw(`s${i}@slow.test`, i),
        });
      await runner.idle();
    } finally {
      await runner.close();
    }
    assert.equal(slowPeer.received.length - before, 6);
    assert.equal(slowPeer.maxConcurrent, 2);
  });
});
