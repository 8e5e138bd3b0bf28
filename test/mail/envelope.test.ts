// The envelope of a message (RFC 9051 §7.5.2) as IMAP ENVELOPE and search see it: groups are
// a start marker with the group's name, the members, and an end marker; a comment inside a
// group is not a member; Sender and Reply-To fall back to From.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { envelopeOf } from '../../src/mail/structure.ts';
import { parseMime } from '../../src/mail/mimeparts.ts';

const envelope = (head: string) =>
  envelopeOf(parseMime(Buffer.from(`${head.replace(/\n/g, '\r\n')}\r\n\r\nbody\r\n`)).headers);

test('groups, members, an empty group and a comment-only group', () => {
  const e = envelope(
    [
      'From: Real Name <user@domain>',
      'To: group: g1@d1.org, g2@d2.org;, group2: g3@d3.org;',
      'Cc: group: ;, group2: (foo) ;',
    ].join('\n'),
  );
  assert.deepEqual(e.from, [['Real Name', null, 'user', 'domain']]);
  assert.deepEqual(e.sender, e.from);
  assert.deepEqual(e.replyTo, e.from);
  assert.deepEqual(e.to, [
    [null, null, 'group', null],
    [null, null, 'g1', 'd1.org'],
    [null, null, 'g2', 'd2.org'],
    [null, null, null, null],
    [null, null, 'group2', null],
    [null, null, 'g3', 'd3.org'],
    [null, null, null, null],
  ]);
  assert.deepEqual(e.cc, [
    [null, null, 'group', null],
    [null, null, null, null],
    [null, null, 'group2', null],
    [null, null, null, null],
  ]);
});
