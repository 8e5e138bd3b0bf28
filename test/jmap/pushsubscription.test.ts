// JMAP push subscriptions (RFC 8620 §7.2) on both stores, posted over real HTTPS to a test
// push endpoint on loopback, with host names answered by a fake DNS server:
// - create refuses an http:, userinfo, over-long or private-IP url and bad keys, naming the
//   property, and nothing is posted;
// - with jmap.pushAllowPrivateAddresses off, a host name that resolves to a loopback address
//   (alone, or among public ones) gets no POST at all, not even the verification, and the log
//   says why without the URL's path;
// - with it on, the verification arrives, then StateChanges once the code is confirmed;
// - with keys, the verification and the StateChange arrive encrypted (RFC 8291, aes128gcm) and
//   the endpoint decrypts them with its own private key;
// - a failing push service is retried, a redirect is not followed, a 4xx is not retried, an
//   endpoint that never answers is given up.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { ingest } from '../../src/core/deliver.ts';
import { pushSender, trustPushCa } from '../../src/http/pushsender.ts';
import type { Logger } from '../../src/util/log.ts';
import { startDns, type FakeDns } from '../helpers/dns.ts';
import { forEachStore } from '../helpers/stores.ts';
import { jmapEnv, type JmapEnv } from './setup.ts';
import { call } from '../http/client.ts';
import { PASSWORD } from './setup.ts';
import {
  captureLog,
  checkVapid,
  decryptPush,
  startReceiver,
  userAgentKeys,
  type Receiver,
} from './pushreceiver.ts';

type SetResult = {
  created?: Record<string, { id: string }> | null;
  notCreated?: Record<string, { type: string; properties?: string[]; description?: string }>;
};

forEachStore('JMAP push subscriptions', (kind) => {
  let env: JmapEnv;
  let dns: FakeDns;
  let rx: Receiver;
  let log: ReturnType<typeof captureLog>;
  let silent: Logger;
  const at = (host: string, path: string): string => `https://${host}:${rx.port}${path}`;
  const create = async (subs: Record<string, Record<string, unknown>>): Promise<SetResult> => {
    const r = await env.api([['PushSubscription/set', { create: subs }, 's']]);
    return r[0]![1] as SetResult;
  };
  /** Waits for `n` requests at the endpoint in all; fails at once if a push is logged as not sent. */
  const arrived = (n: number): Promise<void> => {
    const from = log.lines.length;
    const notSent = (l: Record<string, unknown>): boolean =>
      /^push (refused|failed|to be retried)/.test(String(l.msg));
    return Promise.race([
      rx.arrived(n),
      log.waitFor(notSent, from).then((l) => assert.fail(`not delivered: ${JSON.stringify(l)}`)),
    ]);
  };
  const allowPrivate = (on: boolean): void => {
    env.core.config.jmap.pushAllowPrivateAddresses = on;
  };

  before(async () => {
    rx = await startReceiver();
    dns = await startDns({
      'push.test': { A: ['127.0.0.1'] },
      'mixed.test': { A: ['1.1.1.1', '127.0.0.1'] },
      'six.test': { AAAA: ['::ffff:7f00:1'] },
    });
    env = await jmapEnv(kind, { dns: { servers: [dns.server] } });
    silent = env.core.log;
    log = captureLog();
    env.core.log = log.logger;
    trustPushCa(rx.cert);
  });
  beforeEach(() => allowPrivate(false));
  after(async () => {
    trustPushCa(undefined);
    env.core.log = silent;
    await env.close();
    rx.close();
    await dns.close();
  });

  test('create refuses http, userinfo, an over-long url, private IPs and bad keys; nothing is posted', async () => {
    assert.equal(env.core.config.jmap.pushAllowPrivateAddresses, false, 'off by default');
    const before = rx.arrivals.length;
    const keys = userAgentKeys().keys;
    const set = await create({
      plain: { deviceClientId: 'a', url: `http://push.test:${rx.port}/p` },
      user: { deviceClientId: 'b', url: at('me:secret@push.test', '/p') },
      long: { deviceClientId: 'c', url: at('push.test', `/${'x'.repeat(2100)}`) },
      loop: { deviceClientId: 'd', url: at('127.0.0.1', '/p') },
      loop6: { deviceClientId: 'e', url: at('[::1]', '/p') },
      lan: { deviceClientId: 'f', url: 'https://10.0.0.7/p' },
      meta: { deviceClientId: 'g', url: 'https://169.254.169.254/latest/meta-data/' },
      mapped: { deviceClientId: 'h', url: 'https://[::ffff:192.168.1.1]/p' },
      notUrl: { deviceClientId: 'i', url: 'push.test/p' },
      badKey: { deviceClientId: 'j', url: at('push.test', '/p'), keys: { p256dh: 'a', auth: 'b' } },
      shortAuth: {
        deviceClientId: 'k',
        url: at('push.test', '/p'),
        keys: { ...keys, auth: Buffer.alloc(8).toString('base64url') },
      },
    });
    assert.equal(set.created ?? null, null);
    const nc = set.notCreated!;
    for (const id of ['plain', 'user', 'long', 'loop', 'loop6', 'lan', 'meta', 'mapped', 'notUrl'])
      assert.deepEqual([nc[id]?.type, nc[id]?.properties], ['invalidProperties', ['url']], id);
    for (const id of ['badKey', 'shortAuth'])
      assert.deepEqual([nc[id]?.type, nc[id]?.properties], ['invalidProperties', ['keys']], id);
    assert.match(nc.plain!.description!, /https/);
    assert.match(nc.loop!.description!, /loopback/);
    assert.match(nc.lan!.description!, /private/);
    assert.match(nc.meta!.description!, /link-local/);
    assert.match(nc.shortAuth!.description!, /16 octets/);
    const list = await env.api([['PushSubscription/get', { ids: null }, 'g']]);
    assert.deepEqual((list[0]![1] as { list: unknown[] }).list, []);
    assert.equal(rx.arrivals.length, before);
  });

  test('switch off: a host resolving to a loopback address gets no POST; the log says why', async () => {
    const before = rx.arrivals.length;
    const set = await create({
      p: { deviceClientId: 'phone', url: at('push.test', '/secret-token-1') },
      m: { deviceClientId: 'tablet', url: at('mixed.test', '/secret-token-2') },
      s: { deviceClientId: 'laptop', url: at('six.test', '/secret-token-3') },
    });
    const ids = ['p', 'm', 's'].map((c) => set.created![c]!.id);
    // Whichever comes first: the three refusals in the log, or a request at the endpoint.
    const refusals = await Promise.race([
      Promise.all(
        ids.map((id) =>
          log.waitFor((l) => l.subscription === id && String(l.msg).startsWith('push refused')),
        ),
      ),
      rx.arrived(before + 1).then(() => assert.fail('the endpoint was reached')),
    ]);
    assert.equal(refusals[0]!.host, `push.test:${rx.port}`);
    assert.equal(refusals[0]!.accountId, env.alice.id);
    assert.match(String(refusals[0]!.why), /127\.0\.0\.1: loopback/);
    // One private address among public ones is enough to refuse.
    assert.match(String(refusals[1]!.why), /mixed\.test has the address 127\.0\.0\.1/);
    assert.match(String(refusals[2]!.why), /::ffff:127\.0\.0\.1: loopback, inside an IPv6/);
    for (const r of refusals) {
      assert.equal(r.level, 40, 'a warning');
      assert.doesNotMatch(JSON.stringify(r), /secret-token/);
    }
    // Refused before any connection: the endpoint saw nothing, not even the verification.
    assert.equal(rx.arrivals.length, before);
    const d = await env.api([['PushSubscription/set', { destroy: ids }, 'd']]);
    assert.deepEqual(d[0]![1].destroyed, ids);
  });

  test('switch on: the verification arrives, StateChanges only once verified', async () => {
    allowPrivate(true);
    const start = rx.arrivals.length;
    const set = await create({
      p: { deviceClientId: 'phone-1', url: at('push.test', '/push'), types: ['Email'] },
      lit: { deviceClientId: 'phone-2', url: at('127.0.0.1', '/literal') },
    });
    const id = set.created!.p!.id;
    const litId = set.created!.lit!.id;
    await arrived(start + 2);
    const first = rx.arrivals.slice(start);
    const byPath = new Map(first.map((a) => [a.path, a]));
    const verification = byPath.get('/push')!;
    // The name DNS gave 127.0.0.1 for is the one asked for: Host header, and TLS checked it.
    assert.equal(verification.headers.host, `push.test:${rx.port}`);
    assert.match(String(verification.headers['content-type']), /^application\/json/);
    assert.equal(verification.headers.ttl, '86400');
    assert.equal(verification.headers['content-encoding'], undefined);
    // Signed with the key the Session announces (RFC 9749 §3–§4), for this push service.
    const session = (await call(env.doors.ports.https, '/jmap/session', {
      auth: { user: 'alice@test.example', pass: PASSWORD },
    }).then((s) => s.json())) as {
      capabilities: Record<string, { applicationServerKey?: string }>;
    };
    const announced =
      session.capabilities['urn:ietf:params:jmap:webpush-vapid']!.applicationServerKey!;
    const vapid = checkVapid(verification.headers.authorization, `https://push.test:${rx.port}`);
    assert.equal(vapid.key, announced);
    assert.equal(vapid.claims.sub, 'mailto:postmaster@test.example');
    // The key is the one kept in the database: every node, and the next start, signs with it.
    const stored = await env.core.db
      .selectFrom('server_keys')
      .select('private_key')
      .where('name', '=', 'vapid')
      .executeTakeFirstOrThrow();
    const jwk = createPublicKey(createPrivateKey(stored.private_key)).export({ format: 'jwk' });
    assert.equal(
      Buffer.concat([
        Buffer.from([4]),
        Buffer.from(jwk.x!, 'base64url'),
        Buffer.from(jwk.y!, 'base64url'),
      ]).toString('base64url'),
      announced,
    );
    const v = JSON.parse(verification.body.toString('utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(v).sort(), ['@type', 'pushSubscriptionId', 'verificationCode']);
    assert.equal(v['@type'], 'PushVerification');
    assert.equal(v.pushSubscriptionId, id);
    const lit = JSON.parse(byPath.get('/literal')!.body.toString('utf8')) as {
      pushSubscriptionId: string;
    };
    assert.equal(lit.pushSubscriptionId, litId);

    // Unverified: a delivery posts nothing to either.
    await ingest(env.core, Buffer.from('Subject: a\r\n\r\nb\r\n'), [{ accountId: env.alice.id }]);
    const r = await env.api([
      ['PushSubscription/set', { update: { [id]: { verificationCode: 'wrong' } } }, 'w'],
      ['PushSubscription/set', { update: { [id]: { verificationCode: v.verificationCode } } }, 'v'],
      ['PushSubscription/get', { ids: null }, 'g'],
      ['PushSubscription/get', { properties: ['url'] }, 'u'],
    ]);
    assert.equal(
      (r[0]![1].notUpdated as Record<string, { type: string }>)[id]!.type,
      'invalidProperties',
    );
    assert.deepEqual(r[1]![1].updated, { [id]: null });
    const sub = (r[2]![1].list as Record<string, unknown>[]).find((s) => s.id === id)!;
    assert.equal(sub.deviceClientId, 'phone-1');
    assert.equal(sub.verificationCode, v.verificationCode);
    assert.ok(!('url' in sub) && !('keys' in sub));
    assert.equal(r[3]![1].type, 'forbidden');
    assert.equal(rx.arrivals.length, start + 2);

    await ingest(env.core, Buffer.from('Subject: c\r\n\r\nd\r\n'), [{ accountId: env.alice.id }]);
    await arrived(start + 3);
    const change = rx.arrivals[start + 2]!;
    assert.equal(change.path, '/push');
    const sc = JSON.parse(change.body.toString('utf8')) as {
      '@type': string;
      changed: Record<string, Record<string, string>>;
    };
    assert.equal(sc['@type'], 'StateChange');
    assert.equal(
      checkVapid(change.headers.authorization, `https://push.test:${rx.port}`).key,
      announced,
    );
    assert.deepEqual(Object.keys(sc.changed[env.accountId]!), ['Email']);
    const g = await env.api([['Email/get', { accountId: env.accountId, ids: [] }, 'e']]);
    assert.equal(sc.changed[env.accountId]!.Email, (g[0]![1] as { state: string }).state);
    const d = await env.api([['PushSubscription/set', { destroy: [id, litId] }, 'd']]);
    assert.deepEqual(d[0]![1].destroyed, [id, litId]);
  });

  test('with keys, the verification and StateChanges arrive encrypted and the endpoint decrypts them', async () => {
    allowPrivate(true);
    const ua = userAgentKeys();
    const start = rx.arrivals.length;
    const set = await create({
      k: { deviceClientId: 'browser', url: at('push.test', '/webpush'), keys: ua.keys },
    });
    const id = set.created!.k!.id;
    assert.ok(!('keys' in set.created!.k!), 'keys are not echoed');
    await arrived(start + 1);
    const sealed = rx.arrivals[start]!;
    assert.equal(sealed.headers['content-encoding'], 'aes128gcm');
    assert.equal(sealed.headers.ttl, '86400');
    assert.equal(sealed.body.includes(Buffer.from('PushVerification')), false);
    assert.equal(sealed.body.readUInt32BE(16), 4096, 'record size');
    assert.equal(sealed.body[20], 65, 'the key id is the sender key');
    const v = JSON.parse(decryptPush(sealed.body, ua).toString('utf8')) as Record<string, string>;
    assert.equal(v['@type'], 'PushVerification');
    assert.equal(v.pushSubscriptionId, id);

    const u = await env.api([
      ['PushSubscription/set', { update: { [id]: { verificationCode: v.verificationCode } } }, 'v'],
    ]);
    assert.deepEqual(u[0]![1].updated, { [id]: null });
    await ingest(env.core, Buffer.from('Subject: e\r\n\r\nf\r\n'), [{ accountId: env.alice.id }]);
    await arrived(start + 2);
    const next = rx.arrivals[start + 1]!;
    assert.equal(next.headers['content-encoding'], 'aes128gcm');
    assert.notDeepEqual(next.body.subarray(0, 16), sealed.body.subarray(0, 16), 'a fresh salt');
    const sc = JSON.parse(decryptPush(next.body, ua).toString('utf8')) as {
      '@type': string;
      changed: Record<string, Record<string, string>>;
    };
    assert.equal(sc['@type'], 'StateChange');
    const g = await env.api([['Email/get', { accountId: env.accountId, ids: [] }, 'e']]);
    assert.equal(sc.changed[env.accountId]!.Email, (g[0]![1] as { state: string }).state);
    // A receiver without the private key cannot read it.
    assert.throws(() => decryptPush(next.body, userAgentKeys()));
    await env.api([['PushSubscription/set', { destroy: [id] }, 'd']]);
  });

  test('a subscription the push service says is gone (410, 404) is removed', async () => {
    allowPrivate(true);
    rx.answers.set('/expired', [410]);
    rx.answers.set('/unknown', [404]);
    const start = rx.arrivals.length;
    const set = await create({
      e: { deviceClientId: 'old-phone', url: at('push.test', '/expired') },
      u: { deviceClientId: 'old-tablet', url: at('push.test', '/unknown') },
      k: { deviceClientId: 'new-phone', url: at('push.test', '/kept') },
    });
    const ids = ['e', 'u', 'k'].map((k) => set.created![k]!.id);
    await arrived(start + 3);
    // Each answered its verification; the gone ones are removed, the other stays.
    let left: string[] = [];
    for (let i = 0; i < 50; i++) {
      const r = await env.api([['PushSubscription/get', { ids: null }, 'g']]);
      left = (r[0]![1] as { list: { id: string }[] }).list.map((s) => s.id);
      if (!left.includes(ids[0]!) && !left.includes(ids[1]!)) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.deepEqual(
      left.filter((id) => ids.includes(id)),
      [ids[2]],
    );
    await env.api([['PushSubscription/set', { destroy: [ids[2]] }, 'd']]);
  });

  test('a failing push service is retried; a redirect is not followed; a 4xx is not retried', async () => {
    allowPrivate(true);
    const sender = pushSender(env.core, { retryDelaysMs: [0, 0] });
    const target = (path: string) => ({
      accountId: env.alice.id,
      id: 'Ptest',
      url: at('push.test', path),
      keys: null,
    });
    const body = { '@type': 'StateChange', changed: {} };
    try {
      const count = (path: string) => rx.arrivals.filter((a) => a.path === path).length;
      rx.answers.set('/flaky', [503, 429]);
      assert.deepEqual(await sender.send(target('/flaky'), body), {
        result: 'delivered',
        status: 201,
        attempts: 3,
      });
      assert.equal(count('/flaky'), 3);

      rx.answers.set('/down', [500, 502, 503, 504]);
      const down = await sender.send(target('/down'), body);
      assert.deepEqual([down.result, count('/down')], ['failed', 3]);

      rx.answers.set('/moved', [302]);
      const moved = await sender.send(target('/moved'), body);
      assert.equal(moved.result, 'failed');
      assert.match((moved as { reason: string }).reason, /redirect \(302\) not followed/);
      assert.equal(count('/moved'), 1);
      assert.equal(count('/elsewhere'), 0);

      rx.answers.set('/bad', [400]);
      const bad = await sender.send(target('/bad'), body);
      assert.deepEqual([bad.result, count('/bad')], ['failed', 1]);

      // An endpoint that never answers is given up after the attempt's deadline.
      rx.answers.set('/hang', [0]);
      const impatient = pushSender(env.core, { retryDelaysMs: [], timeoutMs: 200 });
      const hung = await impatient.send(target('/hang'), body);
      impatient.close();
      assert.deepEqual([hung.result, count('/hang')], ['failed', 1]);
      assert.match((hung as { reason: string }).reason, /timed out/);

      allowPrivate(false);
      const refused = await sender.send(target('/flaky'), body);
      assert.equal(refused.result, 'refused');
      assert.equal(count('/flaky'), 3);
    } finally {
      sender.close();
    }
  });
});
