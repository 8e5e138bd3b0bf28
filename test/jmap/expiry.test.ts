// Uploads expire (RFC 8620 §6.1) on both stores: after jmap.uploadTtlHours an upload no email
// took is gone (download 404) and its bytes are collected; one imported as an email stays
// readable through the email.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { expireUploads } from '../../src/core/uploads.ts';
import { collectBlobs } from '../../src/core/blobrefs.ts';
import { forEachStore } from '../helpers/stores.ts';
import { call } from '../http/client.ts';
import { first, jmapEnv, PASSWORD, type JmapEnv } from './setup.ts';

const AUTH = { user: 'alice@test.example', pass: PASSWORD };

forEachStore('JMAP upload expiry', (kind) => {
  let env: JmapEnv;
  before(async () => {
    env = await jmapEnv(kind);
  });
  after(() => env.close());

  test('an unused upload expires and is collected; an imported one lives on', async () => {
    const up = async (body: string): Promise<string> => {
      const r = await call(env.doors.ports.https, `/jmap/upload/${env.accountId}/`, {
        method: 'POST',
        auth: AUTH,
        headers: { 'content-type': 'message/rfc822' },
        body,
      });
      return (r.json() as { blobId: string }).blobId;
    };
    const lone = await up('Subject: lone\r\n\r\nnobody takes me\r\n');
    const kept = await up('Subject: kept\r\n\r\nimported\r\n');
    const boxes = first(await env.api([['Mailbox/get', { accountId: env.accountId }, 'm']]));
    const inbox = (boxes.list as { id: string; role: string }[]).find((b) => b.role === 'inbox')!;
    const imp = first(
      await env.api([
        [
          'Email/import',
          {
            accountId: env.accountId,
            emails: { a: { blobId: kept, mailboxIds: { [inbox.id]: true } } },
          },
          'i',
        ],
      ]),
    );
    assert.ok(imp.created.a.id);
    const get = (blobId: string) =>
      call(env.doors.ports.https, `/jmap/download/${env.accountId}/${blobId}/x.eml`, {
        auth: AUTH,
      });
    assert.equal((await get(lone)).status, 200);

    assert.equal(await expireUploads(env.core, Date.now() + 3600_000), 0, 'not yet');
    const ttl = env.core.config.jmap.uploadTtlHours * 3600_000;
    assert.equal(await expireUploads(env.core, Date.now() + ttl + 60_000), 2);
    assert.equal((await get(lone)).status, 404);
    assert.equal((await get(kept)).status, 200, 'the email holds it');
    assert.ok((await collectBlobs(env.core, 0)) >= 1);
    const hash = lone.slice(1);
    await assert.rejects(env.core.blobs.get(hash));
  });
});
