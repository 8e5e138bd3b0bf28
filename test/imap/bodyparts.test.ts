// Body sections and decoded parts over real sockets, on both stores: part numbers inside
// message/rfc822 (RFC 9051 §6.4.5: BODY[1] of a message/rfc822 message is the whole message
// it holds, 1.HEADER / 1.TEXT / 1.1 / 1.2.MIME go inside it, digest parts included);
// quoted-printable decoding drops the white space transport added at line ends (RFC 2045
// §6.7) but keeps "=20"; a part with NUL octets APPENDed as literal8 is kept in base64, so
// BODY[] never carries a NUL while BINARY[] gives the octets back (RFC 3516 §4.4).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, RawImap, type ImapTestEnv } from './setup.ts';

const CRLF = '\r\n';
const lines = (...l: string[]): string => l.join(CRLF);

const INNER = lines('From: inner@school.test', 'Subject: inner', '', 'inner body', '');
const DIGEST = lines(
  'From: middle@school.test',
  'Content-Type: multipart/digest; boundary="d"',
  '',
  'prologue',
  '--d',
  '',
  'From: one@school.test',
  '',
  'one body',
  '--d',
  'X-Part: two',
  '',
  'From: two@school.test',
  '',
  'two body',
  '--d--',
  '',
);
const QP = lines(
  'From: qp@school.test',
  'Content-Type: text/plain; charset=us-ascii',
  'Content-Transfer-Encoding: quoted-printable',
  '',
  'trailing   ',
  'kept=20',
  'soft \t=',
  'join',
);

forEachStore('IMAP body sections and decoded parts', (kind) => {
  let env: ImapTestEnv;
  let c: RawImap;
  before(async () => {
    env = await imapEnv(kind);
    c = await RawImap.open(env.doors.ports.imaps);
    assert.match(await c.cmd('l', `LOGIN alice@test.example ${PASSWORD}`), /^l OK/m);
    assert.match(await c.cmd('c', 'CREATE Parts'), /^c OK/m);
    const append = async (m: string | Buffer, binary = false): Promise<void> => {
      const bytes = Buffer.isBuffer(m) ? m : Buffer.from(m);
      c.send(
        Buffer.concat([
          Buffer.from(`a APPEND Parts ${binary ? '~' : ''}{${bytes.length}+}\r\n`),
          bytes,
          Buffer.from(CRLF),
        ]),
      );
      assert.match(await c.until(/^a (OK|NO|BAD)[^\r]*\r\n/m), /^a OK/m);
    };
    // 1: a message/rfc822 message holding a message/rfc822 message.
    await append(
      lines('From: outer@school.test', 'Content-Type: message/rfc822', '', '') +
        lines('From: mid@school.test', 'Content-Type: message/rfc822', '', '') +
        INNER,
    );
    // 2: a message/rfc822 message holding a digest.
    await append(lines('From: top@school.test', 'Content-Type: message/rfc822', '', '') + DIGEST);
    // 3: quoted-printable.
    await append(QP);
    // 4: binary content with NUL octets, as literal8.
    await append(
      Buffer.concat([
        Buffer.from(
          lines(
            'From: bin@school.test',
            'Content-Type: application/octet-stream',
            'Content-Transfer-Encoding: binary',
            '',
            '',
          ),
        ),
        Buffer.from([0x00, 0x2d, 0xe4, 0x0a, 0x00, 0x0d, 0x0a]),
      ]),
      true,
    );
    await c.cmd('s', 'SELECT Parts');
  });
  after(async () => {
    c.close();
    await env.close();
  });

  /** The literal that follows `name` in a FETCH answer. */
  function literal(text: string, name: string): string {
    const at = text.indexOf(`${name} `);
    assert.ok(at >= 0 && /^~?\{/.test(text.slice(at + name.length + 1)), `${name} in ${text}`);
    const m = /\{(\d+)\}\r\n/.exec(text.slice(at))!;
    const start = at + m.index + m[0].length;
    return Buffer.from(text.slice(start), 'utf8').subarray(0, Number(m[1])).toString('utf8');
  }

  test('BODY[1] of a message/rfc822 message is the whole message it holds', async () => {
    const r = await c.cmd('f', 'FETCH 1 (BODY.PEEK[1] BODY.PEEK[1.HEADER] BODY.PEEK[1.1.TEXT])');
    assert.equal(
      literal(r, 'BODY[1]'),
      lines('From: mid@school.test', 'Content-Type: message/rfc822', '', '') + INNER,
    );
    assert.equal(
      literal(r, 'BODY[1.HEADER]'),
      lines('From: mid@school.test', 'Content-Type: message/rfc822', '', ''),
    );
    assert.equal(literal(r, 'BODY[1.1.TEXT]'), lines('inner body', ''));
    const one = await c.cmd('g', 'FETCH 1 (BODY.PEEK[1.1])');
    assert.equal(literal(one, 'BODY[1.1]'), INNER);
  });

  test('parts of a digest inside a message/rfc822 message, with their MIME headers', async () => {
    const r = await c.cmd('f', 'FETCH 2 (BODY.PEEK[1.TEXT] BODY.PEEK[1.1] BODY.PEEK[1.2.MIME])');
    assert.match(literal(r, 'BODY[1.TEXT]'), /^prologue\r\n--d\r\n/);
    assert.equal(literal(r, 'BODY[1.1]'), lines('From: one@school.test', '', 'one body'));
    assert.equal(literal(r, 'BODY[1.2.MIME]'), lines('X-Part: two', '', ''));
    const h = await c.cmd('h', 'FETCH 2 (BODY.PEEK[1.2.HEADER])');
    assert.equal(literal(h, 'BODY[1.2.HEADER]'), lines('From: two@school.test', '', ''));
  });

  test('quoted-printable: white space at line ends goes, "=20" stays, soft breaks join', async () => {
    const r = await c.cmd('f', 'FETCH 3 (BINARY.PEEK[1] BINARY.SIZE[1])');
    const text = lines('trailing', 'kept ', 'soft \tjoin');
    assert.match(r, new RegExp(`BINARY\\.SIZE\\[1\\] ${text.length}`));
    assert.equal(literal(r, 'BINARY[1]'), text);
  });

  test('NUL octets from a literal8 APPEND: BODY[] in base64, BINARY[] the octets', async () => {
    const r = await c.cmd('f', 'FETCH 4 (BODY.PEEK[1] BODYSTRUCTURE BINARY.SIZE[1])');
    assert.ok(!r.includes('\u0000'), 'no NUL in a literal');
    assert.match(r, /BODYSTRUCTURE \("APPLICATION" "OCTET-STREAM" NIL NIL NIL "BASE64"/);
    assert.equal(
      literal(r, 'BODY[1]'),
      Buffer.from([0, 0x2d, 0xe4, 0x0a, 0, 0x0d, 0x0a]).toString('base64'),
    );
    assert.match(r, /BINARY\.SIZE\[1\] 7/);
    c.send('b FETCH 4 (BINARY.PEEK[1])\r\n');
    const raw = await new Promise<Buffer>((resolve) => {
      let got = Buffer.alloc(0);
      const on = (d: Buffer): void => {
        got = Buffer.concat([got, d]);
        if (/\r\nb OK/.test(got.toString('latin1'))) {
          c.socket.off('data', on);
          resolve(got);
        }
      };
      c.socket.on('data', on);
    });
    c.buf = '';
    const at = raw.indexOf('~{7}\r\n');
    assert.ok(at >= 0, raw.toString('latin1'));
    assert.deepEqual(
      [...raw.subarray(at + 6, at + 13)],
      [0x00, 0x2d, 0xe4, 0x0a, 0x00, 0x0d, 0x0a],
    );
  });
});
