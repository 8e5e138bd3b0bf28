// FETCH ENVELOPE / BODY / BODYSTRUCTURE from the blob metadata stored at delivery
// (core/blobmeta.ts), on both stores: the same bytes whether the row is there or has to be
// computed from the blob again (messages stored before 0007_blobmeta), the row is stored back
// (lazy backfill), an outdated version is recomputed, and the row goes with its blob. The
// ENVELOPE's stored IMAP text (0015) is the bytes the value tree writes, for every message of
// the shared corpus and in both string modes, and a row stored before it gets it on first FETCH.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ingest } from '../../src/core/deliver.ts';
import { collectBlobs } from '../../src/core/blobrefs.ts';
import { readFileSync } from 'node:fs';
import { envelopeOf } from '../../src/mail/structure.ts';
import { parseMime } from '../../src/mail/mimeparts.ts';
import { envelopeValue } from '../../src/imap/proto/structure.ts';
import { raw, writeLine } from '../../src/imap/proto/writer.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testdataFiles } from '../helpers/testdata.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

const MESSAGE = Buffer.from(
  [
    'From: "Bounmy K." <bounmy@moes.gov.la>',
    'Sender: secretary@moes.gov.la',
    'To: staff: alice@test.example, "Bob" <bob@test.example>;',
    'Cc: =?UTF-8?B?4Lqa4Lqt4LqZ4Lqh4Lqx4LqN?= <cc@moes.gov.la>',
    'Subject: =?UTF-8?B?4LqB4Lqt4LqH4Lqb4Lqw4LqK4Lq44Lqh?= agenda',
    'Date: Mon, 5 Feb 2024 10:00:00 +0700',
    'Message-ID: <agenda-1@moes.gov.la>',
    'In-Reply-To: <plan@moes.gov.la>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/mixed; boundary="outer"',
    '',
    'preamble',
    '--outer',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    'Content-Language: lo, en',
    '',
    'Meeting on Monday.',
    'Second line.',
    '--outer',
    'Content-Type: message/rfc822',
    'Content-Disposition: inline',
    '',
    'From: plan@moes.gov.la',
    'Subject: the plan',
    'Content-Type: text/html; charset=us-ascii',
    '',
    '<p>plan</p>',
    '--outer',
    'Content-Type: application/pdf; name="report.pdf"',
    'Content-Disposition: attachment; filename="report.pdf"',
    'Content-Transfer-Encoding: base64',
    'Content-ID: <r1@moes>',
    '',
    'JVBERi0xLjQK',
    '--outer--',
    '',
  ].join('\r\n'),
);

forEachStore('FETCH from stored blob metadata', (kind) => {
  let env: ImapTestEnv;
  let c: RawImap;
  let hash: string;
  before(async () => {
    env = await imapEnv(kind);
    await ingest(env.core, MESSAGE, [{ accountId: env.alice.id }]);
    const row = await env.core.db
      .selectFrom('emails')
      .select('blob_hash')
      .where('account_id', '=', env.alice.id)
      .executeTakeFirstOrThrow();
    hash = row.blob_hash;
    c = await RawImap.open(env.doors.ports.imaps);
    assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
    assert.match(await c.cmd('s', 'SELECT INBOX'), /^s OK/m);
  });
  after(async () => {
    c.close();
    await env.close();
  });

  const fetchAll = (tag: string): Promise<string> =>
    c.cmd(tag, 'UID FETCH 1:* (UID ENVELOPE BODYSTRUCTURE BODY)');
  const metaRow = () =>
    env.core.db.selectFrom('blob_meta').selectAll().where('hash', '=', hash).executeTakeFirst();

  test('delivery stores the row, and FETCH reads it rather than the message', async () => {
    const row = await metaRow();
    assert.ok(row, 'a blob_meta row for the delivered blob');
    const answer = await fetchAll('a');
    assert.match(answer, /ENVELOPE \("Mon, 5 Feb 2024 10:00:00 \+0700" "=\?UTF-8\?B\?/);
    assert.match(
      answer,
      /\(\("Bounmy K\." NIL "bounmy" "moes\.gov\.la"\)\) \(\(NIL NIL "secretary"/,
    );
    assert.match(answer, /\(NIL NIL "staff" NIL\) \(NIL NIL "alice" "test\.example"\)/);
    assert.match(answer, /"<plan@moes\.gov\.la>" "<agenda-1@moes\.gov\.la>"\)/);
    assert.match(
      answer,
      /\("TEXT" "PLAIN" \("CHARSET" "utf-8"\) NIL NIL "QUOTED-PRINTABLE" 32 2 NIL NIL \("lo" "en"\) NIL\)/,
    );
    assert.match(answer, /"MESSAGE" "RFC822" NIL NIL NIL "7BIT" \d+ \(NIL "the plan"/);
    assert.match(
      answer,
      /"APPLICATION" "PDF" \("NAME" "report\.pdf"\) "<r1@moes>" NIL "BASE64" 12 NIL \("ATTACHMENT" \("FILENAME" "report\.pdf"\)\)/,
    );
    assert.match(answer, /"MIXED" \("BOUNDARY" "outer"\) NIL NIL NIL\)/);
    // What FETCH sends is the row's IMAP text: change the stored subject and see it.
    assert.ok(row.imap_envelope?.includes('agenda"'), 'the IMAP text is stored at delivery');
    assert.equal(row.imap_envelope_utf8, null, 'the same text serves UTF-8 clients');
    await env.core.db
      .updateTable('blob_meta')
      .set({ imap_envelope: row.imap_envelope!.replace(' agenda"', ' from the row"') })
      .where('hash', '=', hash)
      .execute();
    assert.match(await c.cmd('b', 'UID FETCH 1 (ENVELOPE)'), /\?= from the row"/);
    await env.core.db.updateTable('blob_meta').set(row).where('hash', '=', hash).execute();
    assert.equal(await fetchAll('c'), answer.replaceAll(/^a /gm, 'c '));
  });

  test('without the row (older messages) the answer is the same bytes, and the row comes back', async () => {
    const withRow = await fetchAll('d');
    const stored = await metaRow();
    await env.core.db.deleteFrom('blob_meta').where('hash', '=', hash).execute();
    const without = await fetchAll('e');
    assert.equal(without.replaceAll(/^e /gm, 'd '), withRow);
    assert.deepEqual(await metaRow(), stored, 'lazy backfill stores the same row');
    // With a body section in the same FETCH (the blob is read anyway), same bytes too.
    await env.core.db.deleteFrom('blob_meta').where('hash', '=', hash).execute();
    const mixed = await c.cmd('f', 'UID FETCH 1 (ENVELOPE BODYSTRUCTURE BODY.PEEK[1])');
    assert.match(mixed, /BODY\[1\] \{32\}\r\nMeeting on Monday\.\r\nSecond line\./);
    assert.ok(await metaRow(), 'row stored back');
    const again = await c.cmd('g', 'UID FETCH 1 (ENVELOPE BODYSTRUCTURE BODY.PEEK[1])');
    assert.equal(again.replaceAll(/^g /gm, 'f '), mixed);
  });

  test('a row stored without the IMAP text (before 0015) answers the same bytes and gets it', async () => {
    const stored = await metaRow();
    const withText = await fetchAll('t1');
    await env.core.db
      .updateTable('blob_meta')
      .set({ imap_envelope: null, imap_envelope_utf8: null })
      .where('hash', '=', hash)
      .execute();
    const fromJson = await fetchAll('t2');
    assert.equal(fromJson.replaceAll(/^t2 /gm, 't1 '), withText);
    assert.deepEqual(await metaRow(), stored, 'the text is stored back');
  });

  test('a row of an older version is computed again', async () => {
    const stored = await metaRow();
    await env.core.db
      .updateTable('blob_meta')
      .set({ version: 0, envelope: JSON.stringify({ subject: 'stale' }) })
      .where('hash', '=', hash)
      .execute();
    assert.doesNotMatch(await c.cmd('h', 'UID FETCH 1 (ENVELOPE)'), /stale/);
    assert.deepEqual(await metaRow(), stored);
  });

  test('the row goes when the blob is collected', async () => {
    assert.match(await c.cmd('i', 'UID STORE 1 +FLAGS.SILENT (\\Deleted)'), /^i OK/m);
    assert.match(await c.cmd('j', 'EXPUNGE'), /^j OK/m);
    await collectBlobs(env.core, 0);
    assert.equal(await metaRow(), undefined);
  });
});

/** An envelope with 8-bit text (RFC 6532): quoted for UTF-8 clients, a literal for others. */
const EIGHT_BIT = Buffer.from(
  [
    'From: ສົມໃຈ <somjai@moes.gov.la>',
    'To: "Team ລາວ" <team@moes.gov.la>',
    'Subject: ກອງປະຊຸມ "Monday"',
    'Date: Tue, 6 Feb 2024 09:00:00 +0700',
    'Message-ID: <8bit-1@moes.gov.la>',
    '',
    'body',
    '',
  ].join('\r\n'),
  'utf8',
);

/** `* n FETCH (UID n ENVELOPE …)` for every message, written through the value tree. */
function expectedEnvelopes(messages: Buffer[], utf8: boolean): string {
  return messages
    .map((buf, i) =>
      writeLine(
        [
          raw('*'),
          i + 1,
          raw('FETCH'),
          [raw('UID'), i + 1, raw('ENVELOPE'), envelopeValue(envelopeOf(parseMime(buf).headers))],
        ],
        { utf8 },
      ).toString('utf8'),
    )
    .join('');
}

forEachStore('FETCH ENVELOPE from stored IMAP text, over the shared corpus', (kind) => {
  let env: ImapTestEnv;
  const messages: Buffer[] = [];
  before(async () => {
    env = await imapEnv(kind);
    messages.push(EIGHT_BIT, ...testdataFiles('mime').map((f) => readFileSync(f)));
    for (const m of messages) await ingest(env.core, m, [{ accountId: env.alice.id }]);
  });
  after(async () => env.close());

  /** Every ENVELOPE, in a session with (UTF8=ACCEPT) or without UTF-8 strings. */
  async function envelopes(utf8: boolean): Promise<string> {
    const c = await RawImap.open(env.doors.ports.imaps);
    try {
      assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
      if (utf8) assert.match(await c.cmd('e', 'ENABLE UTF8=ACCEPT'), /^\* ENABLED UTF8=ACCEPT/m);
      assert.match(await c.cmd('s', 'SELECT INBOX'), /^s OK/m);
      const answer = await c.cmd('f', 'UID FETCH 1:* (UID ENVELOPE)', 60_000);
      assert.match(answer, /^f OK/m);
      return answer.replace(/^f OK[^\r]*\r\n/m, '');
    } finally {
      c.close();
    }
  }

  test('the stored text is the bytes the value tree writes, in both string modes', async () => {
    const ascii = await envelopes(false);
    const utf8 = await envelopes(true);
    assert.equal(ascii, expectedEnvelopes(messages, false));
    assert.equal(utf8, expectedEnvelopes(messages, true));
    // The 8-bit message: a literal without UTF-8, quoted (and escaped) with it.
    assert.match(
      ascii,
      /^\* 1 FETCH \(UID 1 ENVELOPE \("Tue, 6 Feb 2024 09:00:00 \+0700" \{\d+\}\r\n/,
    );
    assert.match(
      utf8,
      /^\* 1 FETCH \(UID 1 ENVELOPE \("Tue, 6 Feb 2024 09:00:00 \+0700" "ກອງປະຊຸມ \\"Monday\\""/,
    );
    assert.match(utf8, /\(\("Team ລາວ" NIL "team" "moes\.gov\.la"\)\)/);
    const rows = await env.core.db
      .selectFrom('blob_meta')
      .select(['imap_envelope', 'imap_envelope_utf8'])
      .execute();
    assert.equal(rows.length, new Set(messages.map((m) => m.toString('latin1'))).size);
    assert.ok(rows.every((r) => r.imap_envelope !== null));
    assert.ok(
      rows.some((r) => r.imap_envelope_utf8 !== null),
      'the 8-bit text is kept apart',
    );
  });

  test('rows without the text (before 0015) answer the same bytes, and get the text back', async () => {
    const before = await env.core.db
      .selectFrom('blob_meta')
      .select(['hash', 'imap_envelope', 'imap_envelope_utf8'])
      .orderBy('hash')
      .execute();
    await env.core.db
      .updateTable('blob_meta')
      .set({ imap_envelope: null, imap_envelope_utf8: null })
      .execute();
    assert.equal(await envelopes(true), expectedEnvelopes(messages, true));
    const after = await env.core.db
      .selectFrom('blob_meta')
      .select(['hash', 'imap_envelope', 'imap_envelope_utf8'])
      .orderBy('hash')
      .execute();
    assert.deepEqual(after, before, 'the first FETCH stored the text of every row');
    assert.equal(await envelopes(false), expectedEnvelopes(messages, false));
  });
});
