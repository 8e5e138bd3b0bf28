// The filesystem blob store on its own: content addressing, re-storing an existing blob
// (which must refresh it for the collector's grace time), folders removed behind its back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore, sha256Hex } from '../../src/store/blobs.ts';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'champa-blobs-'));
});
after(() => rm(root, { recursive: true, force: true }));

const HOUR_AGO = new Date(Date.now() - 3600_000);

test('a blob is stored once under its hash and reads back identical', async () => {
  const store = new FsBlobStore(join(root, 'a'));
  const data = Buffer.from('From: a@x.test\r\n\r\nhello\r\n');
  const hash = await store.put(data);
  assert.equal(hash, sha256Hex(data));
  assert.deepEqual(await store.get(hash), data);
  assert.equal(await store.put(data), hash);
  const files = [];
  for await (const h of store.list()) files.push(h);
  assert.deepEqual(files, [hash]);
  const dir = join(root, 'a', hash.slice(0, 2), hash.slice(2, 4));
  assert.deepEqual(await readdir(dir), [hash], 'no temporary file is left behind');
});

test('storing an existing blob again refreshes its time, from this process or another', async () => {
  const data = Buffer.from('the same bytes twice');
  const first = new FsBlobStore(join(root, 'b'));
  const hash = await first.put(data);
  const path = first.path(hash);
  for (const store of [first, new FsBlobStore(join(root, 'b'))]) {
    await utimes(path, HOUR_AGO, HOUR_AGO);
    await store.put(data);
    const { mtimeMs } = await stat(path);
    assert.ok(mtimeMs > HOUR_AGO.getTime() + 60_000, 'mtime was refreshed');
    assert.equal(await store.collect(hash, 600_000), false, 'spared within the grace time');
    assert.deepEqual(await store.get(hash), data);
  }
  await utimes(path, HOUR_AGO, HOUR_AGO);
  assert.equal(await first.collect(hash, 600_000), true, 'collected once the grace time passed');
  assert.equal(await first.has(hash), false);
  // Remembered as recent, but gone: put writes it again.
  await first.put(data);
  assert.deepEqual(await first.get(hash), data);
});

test('a fan-out folder removed behind the store is made again', async () => {
  const store = new FsBlobStore(join(root, 'c'));
  const one = await store.put(Buffer.from('one'));
  await rm(join(root, 'c'), { recursive: true });
  const two = await store.put(Buffer.from('two'));
  const again = await store.put(Buffer.from('one'));
  assert.equal(again, one);
  assert.deepEqual(await store.get(one), Buffer.from('one'));
  assert.deepEqual(await store.get(two), Buffer.from('two'));
});
