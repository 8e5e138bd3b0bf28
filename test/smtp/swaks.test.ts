// The MX against Debian's swaks, a real SMTP client: plain and STARTTLS delivery, an 8-bit
// Lao body stored byte for byte, bare-LF line endings stored as CRLF (and a bare "\n.\n"
// does not end DATA: RFC 5321 §4.1.1.4, no smuggling), and garbage commands.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { forEachStore } from '../helpers/stores.ts';
import { headersOf, mailbox, smtpEnv, Talk, type SmtpTestEnv } from './setup.ts';

const HAVE_SWAKS = spawnSync('swaks', ['--version']).status === 0;
// Under CI swaks is installed by .ci/run, so a missing swaks fails there instead of skipping.
const skip =
  HAVE_SWAKS || process.env.CI === 'true'
    ? false
    : 'swaks is not installed (apt-get install -y swaks)';

function swaks(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      'swaks',
      ['--server', '127.0.0.1', '--timeout', '20', ...args],
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

const LAO_BODY = 'ກະຊວງສຶກສາທິການ ແລະ ກິລາ ຂໍແຈ້ງການປະຊຸມ ວັນຈັນ';

forEachStore('SMTP MX with swaks', (kind) => {
  let env: SmtpTestEnv;
  let dir: string;
  let port: string;
  /** swaks from a@other.example to `to` on the MX, with more swaks options after. */
  const toMx = (to: string, ...more: string[]) =>
    swaks(['--port', port, '--from', 'a@other.example', '--to', to, ...more]);
  before(async () => {
    env = await smtpEnv(kind, { smtp: { maxMessageSize: 64 * 1024 } });
    port = String(env.doors.ports.smtp);
    dir = await mkdtemp(join(tmpdir(), 'champa-swaks-'));
  });
  after(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('delivers plain mail, and over STARTTLS', { skip }, async () => {
    const plain = await toMx('bob@test.example', '--h-Subject', 'swaks plain');
    assert.equal(plain.code, 0, plain.out);
    assert.match(plain.out, /<- {2}250 2\.6\.0 /);
    const tls = await swaks([
      '--port',
      port,
      '--tls',
      '--from',
      'a@other.example',
      '--to',
      'bob@test.example',
      '--h-Subject',
      'swaks tls',
    ]);
    assert.equal(tls.code, 0, tls.out);
    const inbox = await mailbox(env.core, env.bob.id);
    assert.match(headersOf(inbox.at(-2)!), /^Subject: swaks plain$/m);
    assert.match(headersOf(inbox.at(-2)!), /with ESMTP\r\n/);
    assert.match(headersOf(inbox.at(-1)!), /with ESMTPS /);
  });

  it('stores an 8-bit Lao body byte for byte', { skip }, async () => {
    const r = await toMx(
      'alice@test.example',
      '--h-Subject',
      'Lao body',
      '--add-header',
      'MIME-Version: 1.0',
      '--add-header',
      'Content-Type: text/plain; charset=utf-8',
      '--add-header',
      'Content-Transfer-Encoding: 8bit',
      '--body',
      LAO_BODY,
    );
    assert.equal(r.code, 0, r.out);
    const stored = (await mailbox(env.core, env.alice.id)).at(-1)!;
    assert.ok(stored.includes(Buffer.from(LAO_BODY, 'utf8')), 'Lao UTF-8 bytes intact');
    const row = await env.core.db
      .selectFrom('emails')
      .select('preview')
      .where('account_id', '=', env.alice.id)
      .orderBy('received_at', 'desc')
      .executeTakeFirstOrThrow();
    assert.ok(row.preview.includes(LAO_BODY));
  });

  it(
    'stores bare-LF mail with CRLF line endings; a bare "\\n.\\n" does not end DATA',
    { skip },
    async () => {
      const before = (await mailbox(env.core, env.alice.id)).length;
      const file = join(dir, 'bare-lf.eml');
      await writeFile(
        file,
        'From: a@other.example\nTo: alice@test.example\nSubject: bare lf\n\nline one\nline two\n.\nMAIL FROM:<smuggled@evil.example>\nstill body\r\n.\r\n',
      );
      const r = await toMx('alice@test.example', '--no-data-fixup', '--data', `@${file}`);
      assert.equal(r.code, 0, r.out);
      const inbox = await mailbox(env.core, env.alice.id);
      assert.equal(inbox.length, before + 1, 'exactly one message');
      const text = inbox.at(-1)!.toString('utf8');
      assert.doesNotMatch(text, /[^\r]\n/, 'no bare LF left');
      assert.match(
        text,
        /\r\nSubject: bare lf\r\n\r\nline one\r\nline two\r\n\.\r\nMAIL FROM:<smuggled@evil\.example>\r\nstill body\r\n$/,
      );
    },
  );

  it(
    'answers garbage with 500 5.5.2, hangs up after too much, and keeps serving',
    { skip },
    async () => {
      const { talk } = await Talk.open(env.doors.ports.smtp);
      assert.match(await talk.cmd('EHLO client.example'), /^250/);
      assert.match(await talk.cmd('HELLO?'), /^500 5\.5\.2 /);
      assert.match(await talk.cmd('\x00\x01\x02 binary junk \xff'), /^5\d\d /);
      assert.match(await talk.cmd('GET / HTTP/1.1'), /^421 /);
      await talk.closed;
      const again = await Talk.open(env.doors.ports.smtp);
      let last = '';
      for (let i = 0; i < 12; i++) {
        last = await again.talk.cmd(`XYZZY${i}`);
        if (!last.startsWith('500')) break;
      }
      assert.match(last, /^421 /, 'disconnected after too many unknown commands');
      await again.talk.closed;
      const r = await toMx('bob@test.example');
      assert.equal(r.code, 0, r.out);
    },
  );

  it('refuses an unknown recipient with 550 5.1.1 at RCPT', { skip }, async () => {
    const r = await toMx('ghost@test.example');
    assert.notEqual(r.code, 0);
    assert.match(r.out, /<\*\* 550 5\.1\.1 /);
  });

  it('refuses to relay to another domain without AUTH (554 5.7.1)', { skip }, async () => {
    const r = await toMx('x@elsewhere.example');
    assert.notEqual(r.code, 0);
    assert.match(r.out, /<\*\* 554 5\.7\.1 /);
  });

  it('refuses an oversize message with 552 5.3.4', { skip }, async () => {
    const big = join(dir, 'big.txt');
    await writeFile(big, 'x'.repeat(76).concat('\r\n').repeat(1200)); // ~94 KiB > 64 KiB
    const before = (await mailbox(env.core, env.bob.id)).length;
    const r = await toMx('bob@test.example', '--body', big);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /<\*\* 552 5\.3\.4 /);
    assert.equal((await mailbox(env.core, env.bob.id)).length, before, 'nothing stored');
  });

  it('answers a wrong password on submission with 535 5.7.8', { skip }, async () => {
    const r = await swaks([
      '--port',
      String(env.doors.ports.submission),
      '--tls',
      '--auth',
      'PLAIN',
      '--auth-user',
      'alice@test.example',
      '--auth-password',
      'not her password',
      '--from',
      'alice@test.example',
      '--to',
      'bob@test.example',
    ]);
    assert.notEqual(r.code, 0);
    assert.match(r.out, /<~\* 535 5\.7\.8 /); // "~": over TLS
  });
});
