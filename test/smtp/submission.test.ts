// Submission doors (587 STARTTLS, 465 TLS) with nodemailer and a raw client: delivery to a
// local INBOX with trace fields and DKIM signature, sender ownership, AUTH rules, the queue.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { forEachStore } from '../helpers/stores.ts';
import { headersOf, mailbox, PASSWORD, plain, smtpEnv, Talk, type SmtpTestEnv } from './setup.ts';

const LAO_SUBJECT = 'ກອງປະຊຸມ ກະຊວງສຶກສາທິການ ແລະ ກິລາ';

function transport(env: SmtpTestEnv, door: 'submission' | 'submissions', authMethod = 'PLAIN') {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: env.doors.ports[door],
    secure: door === 'submissions',
    requireTLS: door === 'submission',
    tls: { rejectUnauthorized: false },
    auth: { user: 'alice@test.example', pass: PASSWORD },
    authMethod,
  });
}

/** A message as a mail client writes it: UTF-8 headers (RFC 6532) and an RFC 2047 word. */
function clientMessage(subject: string): Buffer {
  const head = [
    'From: Alice <alice@test.example>',
    'To: Bob <bob@test.example>',
    `Subject: ${subject}`,
    'X-Encoded: =?UTF-8?B?4Lqq4Lqw4Lqa4Lqy4LqN4LqU4Lq1?=',
    'Date: Tue, 07 Apr 2026 09:05:03 +0700',
    'Message-ID: <lao-1@test.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  return Buffer.from(`${head.join('\r\n')}\r\n\r\nສະບາຍດີ Bob, this is the agenda.\r\n`);
}

forEachStore('SMTP submission', (kind) => {
  let env: SmtpTestEnv;
  before(async () => {
    env = await smtpEnv(kind, { smtp: { authFailuresBeforeBlock: 3 } });
  });
  after(() => env.close());

  it('delivers over 587 with STARTTLS: INBOX copy has Received, DKIM-Signature, Message-ID and the Lao subject byte for byte', async () => {
    const raw = clientMessage(LAO_SUBJECT);
    const t = transport(env, 'submission');
    const info = await t.sendMail({
      envelope: { from: 'alice@test.example', to: ['bob@test.example'] },
      raw,
    });
    t.close();
    assert.match(info.response, /^250 /);
    const [stored] = await mailbox(env.core, env.bob.id);
    assert.ok(stored, 'the message is in INBOX');
    const head = headersOf(stored);
    assert.match(head, /^DKIM-Signature: v=1; a=rsa-sha256; .*d=test\.example/m);
    assert.match(head, /^Received: from .* \(\[127\.0\.0\.1\]\)\r\n\tby mail\.test with ESMTPSA/m);
    assert.match(head, /for <bob@test\.example>;/);
    assert.match(head, /^Message-ID: <lao-1@test\.example>$/m);
    // What the client sent is kept exactly; only trace and signature fields come before it.
    assert.ok(stored.subarray(stored.length - raw.length).equals(raw), 'original bytes intact');
    const row = await env.core.db
      .selectFrom('emails')
      .select('subject')
      .where('account_id', '=', env.bob.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.subject, LAO_SUBJECT);
    // No copy in the sender's Sent mailbox: clients keep their own.
    assert.equal((await mailbox(env.core, env.alice.id, 'sent')).length, 0);
  });

  it('delivers over 465 (implicit TLS, AUTH LOGIN) with nodemailer, adding Message-ID and Date when missing', async () => {
    const t = transport(env, 'submissions', 'LOGIN');
    const before = (await mailbox(env.core, env.bob.id)).length;
    const raw = Buffer.from(
      'From: alice@test.example\r\nTo: bob@test.example\r\nSubject: =?UTF-8?B?4Lqq4Lqw4Lqa4Lqy4LqN4LqU4Lq1?=\r\n\r\nhello\r\n',
    );
    await t.sendMail({ envelope: { from: 'alice@test.example', to: ['bob@test.example'] }, raw });
    t.close();
    const all = await mailbox(env.core, env.bob.id);
    assert.equal(all.length, before + 1);
    const head = headersOf(all.at(-1)!);
    assert.match(head, /^Message-ID: <[^@>]+@mail\.test>$/m);
    assert.match(head, /^Date: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/m);
    assert.match(head, /^DKIM-Signature: /m);
    assert.match(head, /with ESMTPSA/);
    assert.match(head, /^Subject: =\?UTF-8\?B\?4Lqq4Lqw4Lqa4Lqy4LqN4LqU4Lq1\?=$/m);
  });

  it('refuses a From header the user does not own with 553 5.7.1', async () => {
    const t = transport(env, 'submission');
    await assert.rejects(
      t.sendMail({
        from: 'bob@test.example',
        to: 'bob@test.example',
        subject: 'x',
        text: 'x',
        envelope: { from: 'alice@test.example', to: 'bob@test.example' },
      }),
      (err: Error & { responseCode?: number; response?: string }) => {
        assert.equal(err.responseCode, 553);
        assert.match(err.response ?? '', /^553 5\.7\.1 /);
        return true;
      },
    );
    await assert.rejects(
      t.sendMail({ from: 'bob@test.example', to: 'bob@test.example', text: 'x' }),
      (err: Error & { responseCode?: number; response?: string }) => {
        assert.match(err.response ?? '', /^553 5\.7\.1 /);
        return true;
      },
    );
    t.close();
  });

  it('keeps AUTH for after STARTTLS: not advertised before, 530 5.7.0 if tried', async () => {
    const { talk, greeting } = await Talk.open(env.doors.ports.submission);
    assert.match(greeting, /^220 mail\.test ESMTP/);
    const ehlo = await talk.cmd('EHLO client.example');
    assert.match(ehlo, /STARTTLS/);
    assert.doesNotMatch(ehlo, /AUTH/);
    assert.match(
      await talk.cmd(`AUTH PLAIN ${plain('alice@test.example', PASSWORD)}`),
      /^530 5\.7\.0 /,
    );
    assert.match(await talk.cmd('MAIL FROM:<alice@test.example>'), /^530 /);
    assert.match(await talk.starttls(), /^220 /);
    const ehlo2 = await talk.cmd('EHLO client.example');
    assert.match(ehlo2, /AUTH PLAIN LOGIN/);
    assert.doesNotMatch(ehlo2, /STARTTLS/);
    assert.match(await talk.cmd(`AUTH PLAIN ${plain('alice@test.example', PASSWORD)}`), /^235 /);
    assert.match(await talk.cmd('MAIL FROM:<bob@test.example>'), /^553 5\.7\.1 /);
    assert.match(await talk.cmd('MAIL FROM:<alice@test.example>'), /^250 /);
    await talk.cmd('QUIT');
    talk.close();
  });

  it('answers bad credentials 535 5.7.8 and blocks the address after repeated failures', async () => {
    const { talk } = await Talk.open(env.doors.ports.submissions, { tls: true });
    await talk.cmd('EHLO client.example');
    for (let i = 0; i < 3; i++)
      assert.match(
        await talk.cmd(`AUTH PLAIN ${plain('alice@test.example', 'wrong-password!')}`),
        /^535 5\.7\.8 /,
      );
    // Blocked now, even with the right password.
    assert.match(
      await talk.cmd(`AUTH PLAIN ${plain('alice@test.example', PASSWORD)}`),
      /^421 4\.7\.0 /,
    );
    talk.close();
    const again = await Talk.open(env.doors.ports.submissions, { tls: true });
    assert.match(again.greeting, /^421 4\.7\.0 /);
    again.talk.close();
  });
});

forEachStore('SMTP submission to remote recipients', (kind) => {
  let env: SmtpTestEnv;
  before(async () => {
    env = await smtpEnv(kind);
  });
  after(() => env.close());

  it('queues remote recipients with their DSN parameters and delivers local ones at once', async () => {
    const t = transport(env, 'submission');
    await t.sendMail({
      from: 'alice@test.example',
      to: ['carol@remote.example', 'bob@test.example'],
      subject: 'mixed',
      text: 'hello',
      dsn: {
        id: 'env-42',
        return: 'headers',
        notify: ['failure', 'delay'],
        recipient: 'alice@test.example',
      },
    });
    t.close();
    assert.equal((await mailbox(env.core, env.bob.id)).length, 1);
    const q = await env.core.db.selectFrom('queue_messages').selectAll().execute();
    assert.equal(q.length, 1);
    assert.equal(q[0]!.sender, 'alice@test.example');
    assert.equal(q[0]!.env_id, 'env-42');
    assert.equal(q[0]!.ret, 'HDRS');
    assert.equal(Number(q[0]!.account_id), env.alice.id);
    const r = await env.core.db.selectFrom('queue_recipients').selectAll().execute();
    assert.deepEqual(
      r.map((x) => [x.recipient, x.notify]),
      [['carol@remote.example', 'FAILURE,DELAY']],
    );
    const blob = await env.core.blobs.get(q[0]!.blob_hash);
    assert.match(headersOf(blob), /^DKIM-Signature: /);
  });
});
