// The mail resolver's cache, against a fake DNS server on loopback that counts the questions
// it is asked: answers and "no such name" are reused until their time is up, concurrent
// identical questions go out once, and timeouts are asked again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startDns, type FakeDns } from '../helpers/dns.ts';
import { makeResolver } from '../../src/mail/dns.ts';

let dns: FakeDns;
let now = 1_000_000;
const clock = () => now;
before(async () => {
  dns = await startDns({
    'school.test': {
      TXT: ['v=spf1 ip4:192.0.2.1 -all'],
      A: ['192.0.2.1'],
      MX: [{ exchange: 'mx.school.test', priority: 10 }],
    },
    '_dmarc.school.test': { TXT: ['v=DMARC1; p=reject'] },
  });
});
after(() => dns.close());

const asked = (q: string) => dns.queries.filter((x) => x === q).length;

test('a second question is answered from the cache; a changed record is seen after its time', async () => {
  const resolve = makeResolver([dns.server], { cache: { clock } });
  assert.deepEqual(await resolve('school.test', 'TXT'), [['v=spf1 ip4:192.0.2.1 -all']]);
  assert.deepEqual(await resolve('School.Test.', 'TXT'), [['v=spf1 ip4:192.0.2.1 -all']]);
  assert.equal(asked('TXT school.test'), 1);

  dns.set('school.test', { ...dns.zone.get('school.test'), TXT: ['v=spf1 ip4:192.0.2.99 -all'] });
  now += 59_000;
  assert.deepEqual(await resolve('school.test', 'TXT'), [['v=spf1 ip4:192.0.2.1 -all']]);
  now += 2_000;
  assert.deepEqual(await resolve('school.test', 'TXT'), [['v=spf1 ip4:192.0.2.99 -all']]);
  assert.equal(asked('TXT school.test'), 2);
});

test('every caller gets its own copy of a cached answer', async () => {
  const resolve = makeResolver([dns.server], { cache: { clock } });
  const first = await resolve('_dmarc.school.test', 'TXT');
  first[0]!.push('changed by a caller');
  first.push(['another']);
  assert.deepEqual(await resolve('_dmarc.school.test', 'TXT'), [['v=DMARC1; p=reject']]);
});

test('no such name and no such record are cached for the negative time', async () => {
  const resolve = makeResolver([dns.server], { cache: { clock, negativeTtlMs: 30_000 } });
  const code = (p: Promise<unknown>) =>
    p.then(
      () => 'answer',
      (err: NodeJS.ErrnoException) => err.code,
    );
  assert.equal(await code(resolve('_dmarc.other.test', 'TXT')), 'ENOTFOUND');
  assert.equal(await code(resolve('_dmarc.other.test', 'TXT')), 'ENOTFOUND');
  assert.equal(asked('TXT _dmarc.other.test'), 1);
  assert.equal(await code(resolve('_dmarc.school.test', 'MX')), 'ENODATA');
  assert.equal(await code(resolve('_dmarc.school.test', 'MX')), 'ENODATA');
  assert.equal(asked('MX _dmarc.school.test'), 1);

  dns.set('_dmarc.other.test', { TXT: ['v=DMARC1; p=none'] });
  now += 31_000;
  assert.deepEqual(await resolve('_dmarc.other.test', 'TXT'), [['v=DMARC1; p=none']]);
  assert.equal(asked('TXT _dmarc.other.test'), 2);
});

test('concurrent identical questions go out once', async () => {
  const resolve = makeResolver([dns.server], { cache: { clock } });
  const before = asked('MX school.test');
  const answers = await Promise.all(Array.from({ length: 20 }, () => resolve('school.test', 'MX')));
  for (const a of answers)
    assert.deepEqual(
      a.map((m) => [m.exchange, m.priority]),
      [['mx.school.test', 10]],
    );
  assert.equal(asked('MX school.test') - before, 1);
  const [a4] = await Promise.all([resolve('school.test', 'A'), resolve('school.test', 'A')]);
  assert.deepEqual(a4, ['192.0.2.1']);
  assert.equal(asked('A school.test'), 1);
});

test('a timeout is not cached: the next question goes to the server again', async () => {
  dns.silent.add('slow.test');
  const resolve = makeResolver([dns.server], { timeout: 100, tries: 1, cache: { clock } });
  for (let i = 0; i < 2; i++)
    await assert.rejects(resolve('slow.test', 'TXT'), { code: 'ETIMEOUT' });
  assert.equal(asked('TXT slow.test'), 2);
  dns.silent.delete('slow.test');
  dns.set('slow.test', { TXT: ['back'] });
  assert.deepEqual(await resolve('slow.test', 'TXT'), [['back']]);
});

test('the cache holds at most maxEntries answers, dropping the least recently used', async () => {
  for (let i = 0; i < 4; i++) dns.set(`n${i}.test`, { A: [`192.0.2.${10 + i}`] });
  const resolve = makeResolver([dns.server], { cache: { clock, maxEntries: 3 } });
  for (let i = 0; i < 3; i++) await resolve(`n${i}.test`, 'A');
  await resolve('n0.test', 'A'); // used again: n1 is now the oldest
  await resolve('n3.test', 'A'); // a fourth entry pushes n1 out
  await resolve('n0.test', 'A');
  await resolve('n1.test', 'A');
  assert.deepEqual(
    [0, 1, 2, 3].map((i) => asked(`A n${i}.test`)),
    [1, 2, 1, 1],
  );
});
