// Per-IP limits on the SMTP doors over real sockets: concurrent connections (421 4.7.0),
// messages per minute on the MX (451 4.7.0, with an injected clock), and the limiters alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConcurrencyLimiter, FailureBlocker, WindowLimiter } from '../../src/util/ratelimit.ts';
import { forEachStore } from '../helpers/stores.ts';
import { smtpEnv, Talk, type SmtpTestEnv } from './setup.ts';

forEachStore('SMTP per-IP limits', (kind) => {
  let env: SmtpTestEnv;
  let now = 1_000_000;
  before(async () => {
    env = await smtpEnv(
      kind,
      { smtp: { maxConnectionsPerIp: 2, messagesPerIpPerMinute: 2 } },
      { clock: () => now },
    );
  });
  after(() => env.close());

  it('refuses a connection beyond the per-IP limit with 421 4.7.0, and takes one again after', async () => {
    const a = await Talk.open(env.doors.ports.smtp);
    const b = await Talk.open(env.doors.ports.submission);
    assert.match(a.greeting, /^220 /);
    assert.match(b.greeting, /^220 /);
    const c = await Talk.open(env.doors.ports.smtp);
    assert.match(c.greeting, /^421 4\.7\.0 /);
    await c.talk.closed;
    await a.talk.cmd('QUIT');
    await a.talk.closed;
    // The freed slot is usable (onClose runs just after the socket closes).
    let d = await Talk.open(env.doors.ports.smtp);
    for (let i = 0; i < 20 && !d.greeting.startsWith('220'); i++) {
      d.talk.close();
      await new Promise((r) => setTimeout(r, 20));
      d = await Talk.open(env.doors.ports.smtp);
    }
    assert.match(d.greeting, /^220 /);
    b.talk.close();
    d.talk.close();
  });

  it('slows a sender down: 451 4.7.0 after the per-minute message count, fine a minute later', async () => {
    const { talk } = await Talk.open(env.doors.ports.smtp);
    await talk.cmd('EHLO client.example');
    for (let i = 0; i < 2; i++) {
      assert.match(await talk.cmd('MAIL FROM:<a@other.example>'), /^250 /);
      await talk.cmd('RSET');
    }
    assert.match(await talk.cmd('MAIL FROM:<a@other.example>'), /^451 4\.7\.0 /);
    now += 61_000;
    assert.match(await talk.cmd('MAIL FROM:<a@other.example>'), /^250 /);
    talk.close();
  });
});

describe('rate limiters', () => {
  it('ConcurrencyLimiter holds at most max per key', () => {
    const l = new ConcurrencyLimiter(2);
    assert.ok(l.acquire('a') && l.acquire('a'));
    assert.equal(l.acquire('a'), false);
    assert.ok(l.acquire('b'));
    l.release('a');
    assert.ok(l.acquire('a'));
  });
  it('WindowLimiter counts a sliding window', () => {
    let t = 0;
    const l = new WindowLimiter(2, 1000, () => t);
    assert.ok(l.take('k') && l.take('k'));
    assert.equal(l.take('k'), false);
    t = 1001;
    assert.ok(l.take('k'));
  });
  it('WindowLimiter matches a plain sliding window over many keys and events', () => {
    // A reference that keeps every timestamp and filters on each call (the obvious O(n) way),
    // driven side by side with the limiter through 200,000 calls on 15,000 keys, which also
    // crosses the size at which expired keys are swept.
    let t = 0;
    const l = new WindowLimiter(5, 1000, () => t);
    const ref = new Map<string, number[]>();
    const live = (k: string): number[] => (ref.get(k) ?? []).filter((x) => x > t - 1000);
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    let refused = 0;
    for (let i = 0; i < 200_000; i++) {
      t += rand(3);
      const k = `10.0.${rand(15_000)}`;
      const list = live(k);
      const op = rand(10);
      if (op === 0) {
        list.push(t);
        assert.equal(l.hit(k), list.length, `hit ${k} at ${t}`);
      } else if (op === 1) {
        assert.equal(l.count(k), list.length, `count ${k} at ${t}`);
      } else {
        const ok = list.length < 5;
        if (ok) list.push(t);
        else refused++;
        assert.equal(l.take(k), ok, `take ${k} at ${t}`);
      }
      ref.set(k, list);
    }
    // One busy key: a burst, refusals, then room again as the oldest events leave the window.
    for (let i = 0; i < 5; i++) assert.ok(l.take('busy'));
    assert.equal(l.take('busy'), false);
    t += 1000;
    assert.equal(l.count('busy'), 0);
    assert.ok(refused > 0, 'the random load reached the limit sometimes');
    // One key with many events: the window holds exactly the last second's worth.
    for (let i = 1; i <= 10_000; i++) {
      t += 1;
      assert.equal(l.hit('heavy'), Math.min(i, 1000));
    }
  });
  it('FailureBlocker blocks after N failures for the block time', () => {
    let t = 0;
    const b = new FailureBlocker(3, 600_000, () => t);
    b.fail('ip');
    b.fail('ip');
    assert.equal(b.blocked('ip'), false);
    assert.equal(b.fail('ip'), true);
    assert.equal(b.blocked('ip'), true);
    t = 600_001;
    assert.equal(b.blocked('ip'), false);
    b.fail('ip');
    b.succeed('ip');
    b.fail('ip');
    b.fail('ip');
    assert.equal(b.blocked('ip'), false, 'a success forgets earlier failures');
  });
});
