// Word segmentation for the search index (mail/segment.ts) with real Lao, Thai, Khmer and
// Burmese, and the index text of messages (mail/meta.ts parseMessage): the fast path gives
// the same words as the full parse over the whole shared corpus.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { MAX_WORD, segmentText, words } from '../../src/mail/segment.ts';
import { parseMessage, parseMessageFull, TEXT_CHARS } from '../../src/mail/meta.ts';
import { quickFields } from '../../src/mail/quickmeta.ts';
import { testdataFiles } from '../helpers/testdata.ts';

test('Lao without spaces is cut into words (ICU, as node 24 ships it)', () => {
  assert.deepEqual(words('ກະຊວງສຶກສາທິການແລະກິລາ'), ['ກະຊວງສຶກສາທິການ', 'ແລະ', 'ກິລາ']);
  assert.deepEqual(words('ກອງປະຊຸມຄູສອນແຂວງວຽງຈັນຈະຈັດຂຶ້ນວັນຈັນ'), [
    'ກອງ',
    'ປະຊຸມ',
    'ຄູສອນ',
    'ແຂວງ',
    'ວຽງຈັນ',
    'ຈະ',
    'ຈັດ',
    'ຂຶ້ນ',
    'ວັນ',
    'ຈັນ',
  ]);
  // One word of the sentence is one of its words: what the index looks up.
  assert.ok(words('ກອງປະຊຸມຄູສອນແຂວງວຽງຈັນຈະຈັດຂຶ້ນວັນຈັນ').includes(words('ແຂວງ')[0]!));
});

test('Thai, Khmer and Burmese are cut with their own dictionaries; Latin by letters', () => {
  assert.deepEqual(words('กระทรวงศึกษาธิการ'), ['กระทรวง', 'ศึกษาธิการ']);
  assert.deepEqual(words('ក្រសួងអប់រំ'), ['ក្រសួង', 'អប់រំ']);
  assert.deepEqual(words('ပညာရေးဝန်ကြီးဌာန'), ['ပညာရေး', 'ဝန်ကြီးဌာန']);
  assert.deepEqual(words("Hello, World! It's e-mail: 3.14 foo@bar.com"), [
    'hello',
    'world',
    "it's",
    'e',
    'mail',
    '3.14',
    'foo',
    'bar.com',
  ]);
  assert.deepEqual(words('ປີ2026 ÉCOLE'), ['ປີ', '2026', 'école']);
});

test('NFC, lower case, no punctuation, long words cut', () => {
  // Decomposed é and a Lao vowel written as two code points both come out composed.
  assert.deepEqual(words('Cafe\u0301'), ['café']);
  assert.equal(words('ກຳ')[0], 'ກຳ'.normalize('NFC'));
  assert.deepEqual(words('  ... !!! --- '), []);
  assert.equal(words('x'.repeat(500))[0]!.length, MAX_WORD);
  assert.equal(segmentText('A  b\tC\r\nd'), 'a b c d');
});

test('index text: the fast path gives the same words as the full parse (whole corpus)', async () => {
  let quick = 0;
  for (const f of testdataFiles('mime')) {
    const raw = await readFile(f);
    if (quickFields(raw)) quick++;
    const a = await parseMessage(raw);
    const b = await parseMessageFull(raw);
    assert.deepEqual(a.meta, b.meta, f);
    for (const k of ['subject', 'from', 'to', 'cc', 'bcc', 'body', 'attachments'] as const)
      assert.equal(segmentText(a.text[k]), segmentText(b.text[k]), `${f} ${k}`);
  }
  assert.ok(quick >= 15);
});

test('index text: multipart, HTML, attachment names, Cc, and the body bound', async () => {
  const m = await parseMessage(
    Buffer.from(
      'From: A <a@x.test>\r\nTo: b@x.test\r\nCc: Carol <carol@x.test>\r\nSubject: =?UTF-8?B?' +
        Buffer.from('ກອງປະຊຸມ').toString('base64') +
        '?=\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n' +
        'Content-Type: text/html; charset=utf-8\r\n\r\n<p>ສະບາຍດີ <b>world</b></p>\r\n--b\r\n' +
        'Content-Type: application/pdf\r\nContent-Disposition: attachment; filename="ແຜນການ.pdf"\r\n\r\nx\r\n--b--\r\n',
    ),
  );
  assert.equal(m.text.subject, 'ກອງປະຊຸມ');
  assert.match(m.text.cc, /carol@x\.test/);
  assert.deepEqual(words(m.text.body), ['ສະບາຍດີ', 'world']);
  assert.equal(m.text.attachments, 'ແຜນການ.pdf');
  const big = await parseMessage(
    Buffer.from(`Subject: big\r\nContent-Type: text/plain\r\n\r\n${'word '.repeat(100_000)}`),
  );
  assert.equal(big.text.body.length, TEXT_CHARS);
});
