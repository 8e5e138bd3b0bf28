// The POP3 wire format without a server: line splitting with bounded memory, command parsing,
// byte-stuffing of messages and TOP, SASL PLAIN decoding; and a fuzz round that throws random
// and truncated input at the splitter and parser, which must never throw.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LineSplitter } from '../../src/pop3/proto/lines.ts';
import { parseCommand, parseNumber, splitArgs } from '../../src/pop3/proto/command.ts';
import { err, messageBody, multiline, ok } from '../../src/pop3/proto/reply.ts';
import { decodePlain } from '../../src/mail/sasl.ts';

describe('POP3 lines', () => {
  it('splits CRLF and bare LF lines across chunks, counting octets with the line end', () => {
    const s = new LineSplitter(100);
    assert.deepEqual(s.push(Buffer.from('STA')), []);
    const lines = s.push(Buffer.from('T\r\nNOOP\nRE'));
    assert.deepEqual(lines, [
      { text: 'STAT', bytes: 6, tooLong: false },
      { text: 'NOOP', bytes: 5, tooLong: false },
    ]);
    assert.deepEqual(s.push(Buffer.from('TR 1\r\n')), [
      { text: 'RETR 1', bytes: 8, tooLong: false },
    ]);
  });

  it('reports an over-long line once, without keeping it, and goes on after it', () => {
    const s = new LineSplitter(10);
    assert.deepEqual(s.push(Buffer.alloc(5000, 0x41)), []);
    const out = s.push(Buffer.from('AAAA\r\nCAPA\r\n'));
    assert.equal(out.length, 2);
    assert.equal(out[0]!.tooLong, true);
    assert.equal(out[0]!.text, '');
    assert.equal(out[1]!.text, 'CAPA');
  });

  it('decodes UTF-8 (a Lao password)', () => {
    const s = new LineSplitter(255);
    assert.equal(s.push(Buffer.from('PASS ລະຫັດຜ່ານ\r\n'))[0]!.text, 'PASS ລະຫັດຜ່ານ');
  });
});

describe('POP3 commands', () => {
  it('parses keywords case-insensitively and keeps the rest whole', () => {
    assert.deepEqual(parseCommand('retr 1'), { verb: 'RETR', rest: '1' });
    assert.deepEqual(parseCommand('PASS two words '), { verb: 'PASS', rest: 'two words ' });
    assert.deepEqual(parseCommand('TOP'), { verb: 'TOP', rest: '' });
    for (const bad of ['', ' STAT', 'ST', 'STATUS', '12', 'ST\0T', 'ສະບາຍ'])
      assert.equal(parseCommand(bad), null, JSON.stringify(bad));
    assert.deepEqual(splitArgs('1  2'), ['1', '2']);
    assert.equal(parseNumber('007'), 7);
    assert.equal(parseNumber('-1'), null);
    assert.equal(parseNumber('1e3'), null);
    assert.equal(parseNumber('9999999999'), null);
  });
});

describe('POP3 replies', () => {
  it('writes status lines and stuffed multi-line lists', () => {
    assert.equal(ok(), '+OK\r\n');
    assert.equal(err('no such message'), '-ERR no such message\r\n');
    assert.equal(err('bad password', 'AUTH'), '-ERR [AUTH] bad password\r\n');
    assert.equal(multiline('x', ['a', '.b']), '+OK x\r\na\r\n..b\r\n.\r\n');
    assert.equal(multiline('none', []), '+OK none\r\n.\r\n');
  });

  it('byte-stuffs a message, sends CRLF for bare LF, ends it', () => {
    const raw = Buffer.from('Subject: x\r\n\r\n.one\r\n..two\nthree\r\n.\r\n');
    assert.equal(
      messageBody(raw).toString(),
      'Subject: x\r\n\r\n..one\r\n...two\r\nthree\r\n..\r\n.\r\n',
    );
    assert.equal(
      messageBody(Buffer.from('a\r\n\r\nno end')).toString(),
      'a\r\n\r\nno end\r\n.\r\n',
    );
    assert.equal(messageBody(Buffer.alloc(0)).toString(), '.\r\n');
  });

  it('TOP: the header, the blank line and n body lines', () => {
    const raw = Buffer.from('A: 1\r\nB: 2\r\n\r\nl1\r\n.l2\r\nl3\r\n');
    assert.equal(messageBody(raw, 0).toString(), 'A: 1\r\nB: 2\r\n\r\n.\r\n');
    assert.equal(messageBody(raw, 2).toString(), 'A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\n.\r\n');
    assert.equal(messageBody(raw, 99).toString(), 'A: 1\r\nB: 2\r\n\r\nl1\r\n..l2\r\nl3\r\n.\r\n');
  });
});

describe('SASL PLAIN', () => {
  const b64 = (s: string): string => Buffer.from(s).toString('base64');
  it('decodes authzid, authcid and password (RFC 4616)', () => {
    assert.deepEqual(decodePlain(b64('\0alice@test.example\0ລະຫັດ pass')), {
      authzid: '',
      authcid: 'alice@test.example',
      password: 'ລະຫັດ pass',
    });
    assert.equal(decodePlain(b64('admin\0alice\0pw'))!.authzid, 'admin');
  });
  it('refuses malformed responses', () => {
    for (const bad of ['', '=', '!!!!', b64('alice\0pw'), b64('\0\0pw'), b64('\0a\0'), 'YQ'])
      assert.equal(decodePlain(bad), null, bad);
    assert.equal(decodePlain(Buffer.from([0, 0x61, 0, 0xff]).toString('base64')), null);
  });
});

describe('POP3 fuzz', () => {
  it('random and truncated input never throws and yields bounded lines', () => {
    const seeds = ['STAT', 'RETR 1', 'TOP 1 5', 'AUTH PLAIN AGFAAGI=', 'USER a', 'PASS b c'];
    for (let round = 0; round < 2000; round++) {
      const s = new LineSplitter(64);
      const seed = seeds[round % seeds.length]!;
      const noise = randomBytes(round % 200);
      const input = Buffer.concat([Buffer.from(seed).subarray(0, round % 9), noise]);
      for (let i = 0; i < input.length; i += 1 + (round % 17))
        for (const line of s.push(input.subarray(i, i + 1 + (round % 17)))) {
          assert.ok(line.text.length <= 64);
          const cmd = parseCommand(line.text);
          if (cmd) {
            splitArgs(cmd.rest);
            parseNumber(cmd.rest);
          }
          decodePlain(line.text);
        }
      messageBody(input, round % 5);
    }
  });
});
