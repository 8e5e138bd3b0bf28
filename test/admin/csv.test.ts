// The RFC 4180 reader and writer, and the UTF-8 gate in front of every CSV import.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { csvRow, decodeUtf8, parseCsv } from '../../src/util/csv.ts';
import { UserError } from '../../src/util/errors.ts';

test('plain records, CRLF and LF, blank lines skipped, line numbers kept', () => {
  const r = parseCsv('email,name\r\na@x.la,ສົມພອນ\r\n\r\nb@x.la,Noy\nc@x.la,\n');
  assert.deepEqual(r, [
    { line: 1, fields: ['email', 'name'] },
    { line: 2, fields: ['a@x.la', 'ສົມພອນ'] },
    { line: 4, fields: ['b@x.la', 'Noy'] },
    { line: 5, fields: ['c@x.la', ''] },
  ]);
});

test('quoted fields hold commas, doubled quotes and line breaks; the next record keeps its line', () => {
  const text = 'a,"x, y","say ""hi""","two\nlines"\r\nb,"",plain,"cr\r\nlf"\nc\n';
  assert.deepEqual(parseCsv(text), [
    { line: 1, fields: ['a', 'x, y', 'say "hi"', 'two\nlines'] },
    { line: 3, fields: ['b', '', 'plain', 'cr\r\nlf'] },
    { line: 5, fields: ['c'] },
  ]);
});

test('no final line break, trailing empty field', () => {
  assert.deepEqual(parseCsv('a,b,'), [{ line: 1, fields: ['a', 'b', ''] }]);
});

test('malformed quoting is refused with the line', () => {
  assert.throws(() => parseCsv('a\nb,"open\nstill open'), /line 2: a quoted field never ends/);
  assert.throws(() => parseCsv('a\nb,"x"y'), /line 2: unexpected text after a closing quote/);
  assert.throws(() => parseCsv('ok\nok\nab"c'), /line 3: a quote inside an unquoted field/);
});

test('writing round-trips through the reader', () => {
  const values = ['plain', 'with, comma', 'with "quote"', 'two\nlines', ' padded ', 'ລາວ'];
  const back = parseCsv(csvRow(values) + csvRow(['x']));
  assert.deepEqual(back[0]!.fields, values);
  assert.deepEqual(back[1], { line: 3, fields: ['x'] });
});

test('UTF-8 passes (BOM dropped); Latin-1 and UTF-16 are refused with a clear message', () => {
  const lao = 'email,name\nnoy@x.la,ນ້ອຍ\n';
  assert.equal(decodeUtf8(Buffer.from(lao)), lao);
  assert.equal(decodeUtf8(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(lao)])), lao);
  const latin1 = Buffer.from('email,name\na@x.la,Ok\nb@x.la,Jos\xe9\n', 'latin1');
  assert.throws(
    () => decodeUtf8(latin1, 'people.csv'),
    (err: unknown) =>
      err instanceof UserError &&
      /people\.csv is not UTF-8 text \(line 3/.test(err.message) &&
      /CSV UTF-8/.test(err.message),
  );
  assert.throws(() => decodeUtf8(Buffer.from('\ufeffemail', 'utf16le')), /UTF-16/);
});
