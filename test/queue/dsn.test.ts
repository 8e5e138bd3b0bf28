// The DSN builder (src/mail/dsn.ts) on its own: structure of RFC 3464 reports, as a mail
// client parses them. No store needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import { buildDsn, encodeHeaderWords, headerPart, statusOfReply } from '../../src/mail/dsn.ts';

const original = Buffer.from(
  'From: ສົມໃຈ <somchai@ministry.test>\r\nTo: x@other.test\r\nSubject: ລາຍງານ\r\n\r\nຂໍ້ຄວາມ body\r\n',
);

test('enhanced status codes come from the reply, or from its class', () => {
  assert.equal(statusOfReply(550, '550 5.1.1 <x@y>: no such user'), '5.1.1');
  assert.equal(statusOfReply(451, '451 4.7.1 greylisted'), '4.7.1');
  assert.equal(statusOfReply(451, '451 try later'), '4.0.0');
  assert.equal(statusOfReply(554, '554 4.1.1 mismatched class'), '5.0.0');
});

test('header words are RFC 2047 encoded and a client decodes them back', async () => {
  const subject = 'Undelivered Mail Returned to Sender / ສົ່ງຂໍ້ຄວາມບໍ່ສຳເລັດ';
  const enc = encodeHeaderWords(subject);
  for (const line of enc.split('\r\n')) assert.ok(line.length <= 76, line);
  const parsed = await PostalMime.parse(`Subject: ${enc}\r\n\r\nx\r\n`);
  assert.equal(parsed.subject, subject);
});

test('headerPart stops at the blank line', () => {
  assert.equal(headerPart(original).toString().endsWith('Subject: ລາຍງານ\r\n'), true);
  assert.equal(headerPart(Buffer.from('A: b\n\nbody')).toString(), 'A: b\n');
});

test('a failure report for two recipients, full original returned, 8-bit marked', async () => {
  const dsn = buildDsn({
    reportingMta: 'mail.ministry.test',
    to: 'somchai@ministry.test',
    envId: 'abc123',
    arrivalDate: Date.UTC(2030, 0, 1),
    recipients: [
      {
        finalRecipient: 'x@other.test',
        originalRecipient: 'rfc822;X@other.test',
        action: 'failed',
        status: '5.1.1',
        remoteMta: 'mx.other.test',
        diagnostic: '550 5.1.1 no such\r\n user',
      },
      { finalRecipient: 'y@other.test', action: 'failed', status: '4.4.7' },
    ],
    original,
    now: Date.UTC(2030, 0, 2),
  });
  const text = dsn.raw.toString('utf8');
  assert.match(text, /^Auto-Submitted: auto-replied$/m);
  assert.match(text, /^Original-Recipient: rfc822;X@other\.test$/m);
  assert.match(text, /^Remote-MTA: dns; mx\.other\.test$/m);
  assert.match(text, /^Diagnostic-Code: smtp; 550 5\.1\.1 no such user$/m, 'one line');
  assert.match(text, /^Arrival-Date: Tue, 01 Jan 2030 00:00:00 \+0000$/m);
  assert.equal(text.match(/^Action: failed$/gm)?.length, 2);
  assert.match(text, /Content-Type: message\/rfc822\r\nContent-Transfer-Encoding: 8bit/);
  const parsed = await PostalMime.parse(dsn.raw);
  assert.match(parsed.subject ?? '', /ສົ່ງຂໍ້ຄວາມບໍ່ສຳເລັດ/);
  assert.match(parsed.text ?? '', /<x@other\.test>: 550 5\.1\.1/);
  assert.match(parsed.text ?? '', /ບໍ່ສາມາດສົ່ງຂໍ້ຄວາມຂອງທ່ານ/);
  assert.ok(dsn.raw.includes(original), 'the original comes back byte for byte');
});

test('a delay report says until when, and returns only headers when asked', () => {
  const dsn = buildDsn({
    reportingMta: 'mail.ministry.test',
    to: 'somchai@ministry.test',
    recipients: [
      {
        finalRecipient: 'x@other.test',
        action: 'delayed',
        status: '4.4.1',
        willRetryUntil: Date.UTC(2030, 0, 6),
      },
    ],
    original,
    ret: 'HDRS',
  });
  const text = dsn.raw.toString('utf8');
  assert.match(text, /^Will-Retry-Until: Sun, 06 Jan 2030 00:00:00 \+0000$/m);
  assert.match(text, /Content-Type: text\/rfc822-headers/);
  assert.doesNotMatch(text, /ຂໍ້ຄວາມ body/);
  assert.match(dsn.subject, /Delayed/);
});
