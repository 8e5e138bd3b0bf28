// Message metadata: the fast path for simple one-part text messages must give exactly what
// the full postal-mime parse gives, over the whole shared corpus and over hand-made edge
// cases, and key fields of a few corpus messages are checked by value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { testdataFiles } from '../helpers/testdata.ts';
import { parseMeta, parseMetaFull } from '../../src/mail/meta.ts';
import { quickFields } from '../../src/mail/quickmeta.ts';

const files = testdataFiles('mime');

test('the fast path equals the full parse on every corpus message', async () => {
  let quick = 0;
  for (const f of files) {
    const raw = await readFile(f);
    if (quickFields(raw)) quick++;
    assert.deepEqual(await parseMeta(raw), await parseMetaFull(raw), f);
  }
  assert.ok(quick >= 15, `only ${quick} corpus messages took the fast path`);
});

const LAO = 'ກອງປະຊຸມ ກະຊວງສຶກສາທິການ';
const cases: Record<string, string> = {
  plain:
    'From: Director <director@ministry.test>\r\nTo: a@x.test, "B, Person" <b@x.test>\r\n' +
    'Subject: Benchmark message 1\r\nDate: Sat, 28 Nov 2026 07:00:00 +0700\r\n' +
    'Message-ID: <m1@x.test>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=us-ascii\r\n' +
    '\r\nHello   there,\r\n\r\nthe meeting is at nine.\r\n',
  laoRawUtf8:
    `From: ${LAO} <l@x.test>\r\nSubject: ${LAO}\r\nContent-Type: text/plain; charset="UTF-8"\r\n` +
    `Content-Transfer-Encoding: 8bit\r\n\r\n${LAO} ສະບາຍດີ\r\n`,
  encodedWords:
    `Subject: =?UTF-8?B?${Buffer.from(LAO).toString('base64')}?= and =?ISO-8859-1?Q?caf=E9?=\r\n` +
    'From: =?UTF-8?Q?J=C3=B6rg?= <j@x.test>\r\nContent-Type: text/plain\r\n\r\nbody\r\n',
  folded:
    'Subject: a long\r\n  folded\tsubject\r\nTo: a@x.test,\r\n\tb@x.test\r\nTo: c@x.test\r\n' +
    'References: <r1@x.test>\r\n <r2@x.test>\r\nIn-Reply-To: <r2@x.test>\r\n' +
    'Content-Type: text/plain; charset=utf-8;\r\n\r\nfolded body\r\n',
  groupAndDuplicates:
    'From: Team: a@x.test, b@x.test;\r\nFrom: other@x.test\r\nSubject: first\r\nSubject: second\r\n' +
    'To: undisclosed-recipients:;\r\nContent-Type: text/plain\r\n\r\nx',
  lfOnlyAndCrs:
    'Subject: lf only\nDate: not a date\nContent-Type: text/plain\r\r\n\r\r\nbody\rwith cr\n',
  asciiWith8bit: 'Subject: s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\ncaf\xe9 \xff\r\n',
  badUtf8: 'Subject: \xe0\xff bad\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n\xe0\xa0 x\r\n',
  emptyBody: 'Subject: nothing\r\nContent-Type: text/plain\r\n\r\n',
  noBody: 'Subject: only a header\r\nContent-Type: text/plain\r\n',
  bom: '\ufeffSubject: bom\r\nContent-Type: text/plain\r\n\r\n\ufeffbody',
  flowed: 'Subject: f\r\nContent-Type: text/plain; format=flowed\r\n\r\nsoft \r\nbreak\r\n',
  attachment:
    'Subject: a\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=a.txt\r\n\r\nx\r\n',
  quotedPrintable:
    'Subject: q\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9\r\n',
  noContentType: 'Subject: plain old\r\nFrom: a@x.test\r\n\r\nhello\r\n',
  long: `Subject: long\r\nContent-Type: text/plain\r\n\r\n${'word '.repeat(400)}\r\n`,
  longLao: `Subject: ${LAO}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${'ສະບາຍດີ  ທຸກທ່ານ\r\n'.repeat(300)}`,
  longAscii1252: `Subject: s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n${'caf\xe9   \xff\r\n'.repeat(300)}`,
  control: 'Subject: nul\x00 and \x07bell\r\nContent-Type: text/plain\r\n\r\na\x00b\r\n',
};

test('the fast path equals the full parse on edge cases', async () => {
  for (const [name, text] of Object.entries(cases)) {
    const raw = Buffer.from(
      text,
      [...text].some((c) => c.charCodeAt(0) > 0xff) ? 'utf8' : 'latin1',
    );
    assert.deepEqual(await parseMeta(raw), await parseMetaFull(raw), name);
  }
  const took = (name: string) => quickFields(Buffer.from(cases[name]!, 'latin1')) !== null;
  assert.ok(
    quickFields(Buffer.from(cases.longLao!), 256)!.text.length < 2000,
    'a long body is decoded only as far as the preview needs',
  );
  assert.ok(took('plain') && took('folded') && took('lfOnlyAndCrs'), 'simple ones go the fast way');
  assert.ok(!took('flowed') && !took('attachment') && !took('quotedPrintable'), 'others do not');
});

test('key fields of corpus messages', async () => {
  const meta = async (suffix: string) => {
    const f = files.find((x) => x.endsWith(`/${suffix}`));
    assert.ok(f, `${suffix} is in the corpus`);
    return parseMeta(await readFile(f));
  };
  const bimi = await meta('mailauth/fixtures/bimi.eml');
  assert.equal(bimi.subject, 'Nodemailer is unicode friendly ✔1604667239916');
  assert.equal(bimi.from, 'Andris Reinman <info@srv.dev>');
  assert.deepEqual(bimi.fromAddresses, ['info@srv.dev']);
  assert.equal(bimi.to, 'Andris Reinman <andris.reinman@gmail.com>');
  assert.equal(bimi.messageId, '781601ea-4983-dcc5-38f4-34ed00e88344@srv.dev');
  assert.equal(bimi.sentAt, 1604667239000);
  assert.equal(bimi.preview, 'Hello to myself!');
  assert.equal(bimi.hasAttachment, false);

  const utf8 = await meta('mikel-mail/rfc6532/utf8_headers.eml');
  assert.equal(utf8.subject, 'Säying Hello');
  assert.deepEqual(utf8.fromAddresses, ['jdöe@mächine.example']);
  assert.equal(utf8.to, 'Märy Smith <märy@exämple.net>');

  const noType = await meta('flanker/no-ctype.eml');
  assert.equal(noType.subject, 'Testing message parsing');
  assert.equal(noType.preview, "Hello, I'm just testing message parsing BR, Bob");

  const pdf = await meta('flanker/attached-pdf.eml');
  assert.equal(pdf.hasAttachment, true);
  assert.equal(pdf.preview, 'Test - body content');
});
