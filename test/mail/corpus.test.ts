// Every real-world message of the shared corpus goes through the one ingest path: parsed for
// metadata, stored, and read back byte for byte. Broken input included; nothing may throw.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testdataFiles } from '../helpers/testdata.ts';
import type { Core } from '../../src/core/core.ts';
import { addDomain } from '../../src/core/domains.ts';
import { addUser } from '../../src/core/accounts.ts';
import { ingest, readMessage } from '../../src/core/deliver.ts';
import { parseMeta } from '../../src/mail/meta.ts';

const files = testdataFiles('mime');

test('the corpus is there', () => {
  assert.ok(files.length >= 290, `expected about 300 messages, found ${files.length}`);
});

forEachStore('corpus ingest', (kind) => {
  let core: Core;
  let close: () => Promise<void>;
  let accountId = 0;
  before(async () => {
    ({ core, close } = await makeCore(kind));
    await addDomain(core, 'school.test');
    accountId = (
      await addUser(core, { email: 'archive@school.test', password: 'corpus password 1' })
    ).id;
  });
  after(() => close());

  test('every corpus message is stored and reads back identical', async () => {
    let withSubject = 0;
    for (const f of files) {
      const raw = await readFile(f);
      const meta = await parseMeta(raw);
      if (meta.subject) withSubject++;
      const [r] = await ingest(core, raw, [{ accountId }], { meta });
      assert.ok(r?.ok, `${f} was not stored`);
      assert.deepEqual(await readMessage(core, accountId, r.emailId!), raw, f);
    }
    // Most messages have a subject; a parser that returned nothing would fail here.
    assert.ok(withSubject > files.length / 2, `only ${withSubject} subjects parsed`);
    const n = await core.db
      .selectFrom('emails')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    assert.equal(Number(n.n), files.length);
  });
});
