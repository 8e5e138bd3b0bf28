// The text of HTML bodies, as previews and search see it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { htmlToText } from '../../src/mail/htmltext.ts';
import { parseMeta } from '../../src/mail/meta.ts';

test('style sheets, scripts and comments are not text; entities are decoded', () => {
  const html =
    '<html><head><title>x</title><style>p{color:#333}</style></head><body><!-- note -->' +
    '<p>Dear&nbsp;colleague,</p><script>alert(1)</script><p>ສະບາຍດີ &amp; &#x0E81;&#3713; &hellip;</p></body></html>';
  assert.equal(htmlToText(html), 'Dear colleague, ສະບາຍດີ & ກກ …');
  assert.equal(htmlToText('a &unknown; b &#0; c'), 'a &unknown; b \ufffd c');
  assert.equal(htmlToText('<style>never closed'), '');
});

test('the preview of an HTML-only message starts with what the reader sees', async () => {
  const raw = Buffer.from(
    'From: a@example.org\r\nTo: b@example.org\r\nSubject: report\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n' +
      'Content-Type: text/html; charset=utf-8\r\n\r\n' +
      '<style>p{color:#333}</style><p>Dear colleague,</p>\r\n--b--\r\n',
  );
  const meta = await parseMeta(raw);
  assert.equal(meta.preview, 'Dear colleague,');
});
