// The IMAP wire format with no server: framing with literals (RFC 9051 §4.3, RFC 7888),
// the command grammar, the response writer, modified UTF-7, and a fuzz run that throws
// random and truncated commands at the parser and requires a clean error every time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Framer, type FramerLimits } from '../../src/imap/proto/framer.ts';
import { parseCommand, CommandError, type Args } from '../../src/imap/proto/grammar.ts';
import { raw, writeLine, statusLine } from '../../src/imap/proto/writer.ts';
import { envelopeValue } from '../../src/imap/proto/structure.ts';
import { imapEnvelope } from '../../src/mail/imapenvelope.ts';
import type { Envelope } from '../../src/mail/structure.ts';
import {
  formatRanges,
  formatSeqSet,
  parseSeqSet,
  rangesWithout,
  resolveSeqSet,
} from '../../src/imap/proto/seqset.ts';
import { sectionName } from '../../src/imap/proto/fetchatt.ts';
import { decodeMutf7, encodeMutf7 } from '../../src/imap/proto/utf7.ts';

const LIMITS: FramerLimits = {
  maxLine: 200,
  maxCommand: 10_000,
  literalLimit: (head) => (/^\S+ APPEND/i.test(head) ? 5000 : 100),
};

function frame(input: string | Buffer, limits = LIMITS) {
  const events: string[] = [];
  const commands: Buffer[] = [];
  const f = new Framer(
    {
      command: (b) => {
        commands.push(b);
        events.push(`cmd:${b.toString('latin1')}`);
      },
      continueLiteral: () => events.push('+'),
      reject: (tag, code, text, fatal) => events.push(`reject:${tag}:${code}:${fatal}:${text}`),
    },
    limits,
  );
  const buf = Buffer.isBuffer(input) ? input : Buffer.from(input, 'utf8');
  // Byte by byte: framing must not depend on how TCP cuts the stream.
  for (let i = 0; i < buf.length; i++) f.push(buf.subarray(i, i + 1));
  return { events, commands };
}

function args(line: string): Args {
  return parseCommand(Buffer.from(line, 'utf8')).args;
}

test('framer: lines, synchronising and non-synchronising literals', () => {
  const { events } = frame('a1 NOOP\r\na2 LOGIN {5}\r\nalice {3+}\r\npw1\r\na3 CAPABILITY\r\n');
  assert.deepEqual(events, [
    'cmd:a1 NOOP',
    '+',
    'cmd:a2 LOGIN {5}\r\nalice {3+}\r\npw1',
    'cmd:a3 CAPABILITY',
  ]);
});

test('framer: a literal may hold CRLF and "{n}" text', () => {
  const body = 'x {3}\r\nabc\r\n';
  const { commands } = frame(`t APPEND INBOX {${body.length}+}\r\n${body}\r\n`);
  assert.equal(commands.length, 1);
  const a = parseCommand(commands[0]!).args;
  assert.equal(a.name, 'APPEND');
  if (a.name === 'APPEND') assert.equal(a.message.toString(), body);
});

test('framer: oversized line and literals are refused with TOOBIG', () => {
  const long = frame(`a1 NOOP ${'x'.repeat(300)}\r\na2 NOOP\r\n`);
  assert.match(long.events[0]!, /^reject:a1:TOOBIG:false/);
  assert.equal(long.events[1], 'cmd:a2 NOOP');
  const sync = frame('a1 LOGIN {500}\r\na2 NOOP\r\n');
  assert.deepEqual(sync.events, ['reject:a1:TOOBIG:false:Literal too large', 'cmd:a2 NOOP']);
  const nonSync = frame('a1 LOGIN {500+}\r\nxxxx\r\na2 NOOP\r\n');
  assert.deepEqual(nonSync.events, ['reject:a1:TOOBIG:true:Literal too large']);
  const append = frame('a1 APPEND INBOX {4000+}\r\n');
  assert.deepEqual(append.events, []);
});

test('grammar: LOGIN with quoted, atom and literal strings', () => {
  assert.deepEqual(args('a LOGIN "al\\"ice" pa]ss'), {
    name: 'LOGIN',
    user: 'al"ice',
    password: 'pa]ss',
  });
  assert.deepEqual(args('a login {5}\r\nalice "p w"'), {
    name: 'LOGIN',
    user: 'alice',
    password: 'p w',
  });
});

test('grammar: FETCH attributes, sections and partials', () => {
  const a = args(
    'a UID FETCH 1:*,7 (FLAGS BODY.PEEK[HEADER.FIELDS (Subject From)] BODY[1.2.MIME]<0.100> BODYSTRUCTURE)',
  );
  assert.equal(a.name, 'FETCH');
  if (a.name !== 'FETCH') return;
  assert.equal(a.uid, true);
  assert.deepEqual(a.set.ranges, [
    [1, 0],
    [7, 7],
  ]);
  assert.equal(a.atts.length, 4);
  const [, hdr, mime] = a.atts;
  assert.ok(hdr && 'section' in hdr && mime && 'section' in mime);
  assert.equal(hdr.peek, true);
  assert.equal(sectionName(hdr), 'BODY[HEADER.FIELDS (SUBJECT FROM)]');
  assert.equal(sectionName(mime), 'BODY[1.2.MIME]<0>');
  assert.deepEqual(mime.partial, { start: 0, length: 100 });
  const all = args('a FETCH 1 ALL');
  assert.ok(all.name === 'FETCH' && all.atts.length === 4);
  const body = args('a FETCH 1 BODY[]');
  assert.ok(body.name === 'FETCH' && body.atts[0]?.kind === 'BODY[]');
});

test('grammar: STORE, SEARCH, LIST, STATUS, APPEND, UID EXPUNGE', () => {
  assert.deepEqual(args('a STORE 2:4 +FLAGS.SILENT (\\Seen $Label)'), {
    name: 'STORE',
    uid: false,
    set: { ranges: [[2, 4]] },
    action: 'add',
    silent: true,
    flags: ['\\Seen', '$Label'],
    unchangedSince: null,
  });
  const s = args(
    'a UID SEARCH CHARSET UTF-8 OR FROM "ສົມ" (UNSEEN SINCE 1-Feb-2024) NOT LARGER 100',
  );
  assert.ok(s.name === 'SEARCH');
  if (s.name === 'SEARCH') {
    assert.equal(s.program.charset, 'UTF-8');
    assert.deepEqual(s.program.key, {
      op: 'and',
      keys: [
        {
          op: 'or',
          a: { op: 'text', field: 'from', value: 'ສົມ' },
          b: {
            op: 'and',
            keys: [
              { op: 'flag', flag: '\\Seen', set: false },
              { op: 'date', which: 'internal', cmp: 'since', day: '2024-02-01' },
            ],
          },
        },
        { op: 'not', key: { op: 'size', cmp: 'larger', n: 100 } },
      ],
    });
  }
  assert.deepEqual(args('a LIST "" *'), {
    name: 'LIST',
    select: [],
    reference: '',
    patterns: ['*'],
    returns: [],
  });
  const l = args('a LIST (SUBSCRIBED) "" ("INBOX" %) RETURN (SPECIAL-USE STATUS (MESSAGES))');
  assert.ok(l.name === 'LIST');
  if (l.name === 'LIST') assert.deepEqual(l.returns, ['SPECIAL-USE', 'STATUS MESSAGES']);
  assert.deepEqual(args('a STATUS INBOX (MESSAGES UIDNEXT)'), {
    name: 'STATUS',
    mailbox: 'INBOX',
    items: ['MESSAGES', 'UIDNEXT'],
  });
  const ap = args('a APPEND Sent (\\Seen) " 7-Feb-2024 10:00:00 +0700" {2}\r\nhi');
  assert.ok(ap.name === 'APPEND' && ap.date === ' 7-Feb-2024 10:00:00 +0700');
  assert.deepEqual(args('a UID EXPUNGE 3:5'), { name: 'UID EXPUNGE', set: { ranges: [[3, 5]] } });
});

test('grammar: errors carry the tag', () => {
  for (const [line, tag] of [
    ['a1 FROB', 'a1'],
    ['a2 FETCH 0 FLAGS', 'a2'],
    ['a3 LOGIN "unterminated', 'a3'],
    ['a4 NOOP extra', 'a4'],
    ['', null],
    ['+x NOOP', null],
  ] as const) {
    assert.throws(
      () => parseCommand(Buffer.from(line)),
      (e) => e instanceof CommandError && e.tag === tag,
      line,
    );
  }
});

test('sequence sets resolve "*" and merge ranges', () => {
  assert.deepEqual(resolveSeqSet(parseSeqSet('5:*,1,2,9:7'), 8), [
    [1, 2],
    [5, 9],
  ]);
  assert.equal(formatSeqSet([1, 2, 3, 5, 7, 8]), '1:3,5,7:8');
});

test('writer: quoting, literals for CRLF and 8-bit text, NIL, lists', () => {
  const line = writeLine(
    [raw('*'), 1, raw('FETCH'), [raw('X'), 'a "b" \\c', null, 'ລາວ', 'l1\r\nl2']],
    { utf8: false },
  ).toString('utf8');
  assert.equal(line, '* 1 FETCH (X "a \\"b\\" \\\\c" NIL {9}\r\nລາວ {6}\r\nl1\r\nl2)\r\n');
  assert.equal(writeLine(['ລາວ'], { utf8: true }).toString('utf8'), '"ລາວ"\r\n');
  assert.equal(
    statusLine('a1', 'OK', 'UIDNEXT 4', 'done\r\n').toString(),
    'a1 OK [UIDNEXT 4] done\r\n',
  );
});

test('modified UTF-7 round trip (RFC 3501 §5.1.3)', () => {
  assert.equal(
    encodeMutf7('~peter/mail/台北/日本語 & Co'),
    '~peter/mail/&U,BTFw-/&ZeVnLIqe- &- Co',
  );
  for (const s of ['Entwürfe', '台北/日本語', 'ກະຊວງ', 'plain', '&&'])
    assert.equal(decodeMutf7(encodeMutf7(s)), s);
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const SAMPLES = [
  'a1 UID FETCH 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)]<0.10> BODYSTRUCTURE)',
  'a2 STORE 1,3:5 -FLAGS.SILENT (\\Seen \\Deleted)',
  'a3 SEARCH RETURN (MIN) CHARSET UTF-8 OR (FROM "x" SINCE 1-Jan-2020) NOT UID 1:3',
  'a4 LOGIN {5}\r\nalice "pw"',
  'a5 APPEND INBOX (\\Seen) " 1-Jan-2024 00:00:00 +0000" {5+}\r\nhello',
  'a6 LIST (SUBSCRIBED) "" ("*" %) RETURN (STATUS (MESSAGES UNSEEN))',
  'a7 ID ("name" "x" "version" NIL)',
  'a8 CREATE "Lao &DroOrQ6w-" (USE (\\Archive))',
];

test('fuzz: random and truncated commands end in a clean CommandError, never a throw', () => {
  const rand = rng(42);
  const alphabet = Buffer.from('aA1 ()[]<>{}"\\*%+-.:,$~\r\n\0\xff');
  let parsed = 0;
  for (let i = 0; i < 20_000; i++) {
    const base = Buffer.from(SAMPLES[i % SAMPLES.length]!, 'utf8');
    let buf: Buffer;
    const mode = i % 3;
    if (mode === 0) buf = base.subarray(0, Math.floor(rand() * base.length));
    else if (mode === 1) {
      buf = Buffer.from(base);
      for (let k = 0; k < 3; k++)
        buf[Math.floor(rand() * buf.length)] = alphabet[Math.floor(rand() * alphabet.length)]!;
    } else {
      buf = Buffer.alloc(Math.floor(rand() * 60));
      for (let k = 0; k < buf.length; k++) buf[k] = Math.floor(rand() * 256);
    }
    try {
      parseCommand(buf);
      parsed++;
    } catch (err) {
      assert.ok(
        err instanceof CommandError,
        `unexpected ${String(err)} for ${JSON.stringify(buf.toString('latin1'))}`,
      );
    }
    // The framer, too, must take any bytes.
    frame(buf);
  }
  assert.ok(parsed > 0);
});

test('imapEnvelope writes what envelopeValue does, in both string modes', () => {
  const e: Envelope = {
    date: 'Mon, 7 Feb 2024 10:00:00 +0700',
    subject: 'He said "hi" \\ ລາວ',
    from: [['ສົມໃຈ', null, 'somjai', 'example.org']],
    sender: null,
    replyTo: [
      [null, null, 'team', null],
      ['A\r\nB', null, 'a', 'example.org'],
      [null, null, null, null],
    ],
    to: [[null, null, 'x', 'y']],
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: '<1@example.org>',
  };
  for (const utf8 of [false, true]) {
    const tree = writeLine([envelopeValue(e)], { utf8 }).toString('utf8');
    const text = writeLine([raw(imapEnvelope(e, utf8))], { utf8 }).toString('utf8');
    assert.equal(text, tree);
  }
});

test('rangesWithout: the numbers of ranges not present, merged and sorted', () => {
  assert.equal(formatRanges(rangesWithout([[1, 10]], [1, 4, 5, 10])), '2:3,6:9');
  assert.equal(
    formatRanges(
      rangesWithout(
        [
          [5, 8],
          [1, 3],
          [3, 6],
        ],
        [2, 7],
      ),
    ),
    '1,3:6,8',
  );
  assert.equal(formatRanges(rangesWithout([[1, 3]], [1, 2, 3])), '');
  assert.equal(formatRanges(rangesWithout([[4, 4]], [])), '4');
});
