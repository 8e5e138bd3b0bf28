// The MX door (port 25) over real sockets: local delivery with authentication results, relay
// refusal, unknown users, size and recipient limits, quotas, DMARC policies and the spam
// step (with a fake DNS on loopback), and a graceful close.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { addUser, setQuota } from '../../src/core/accounts.ts';
import type { Account } from '../../src/store/schema.ts';
import type { SpamFilter } from '../../src/smtp/server.ts';
import { forEachStore } from '../helpers/stores.ts';
import { startDns, type FakeDns } from '../helpers/dns.ts';
import { headersOf, mailbox, PASSWORD, smtpEnv, Talk, type SmtpTestEnv } from './setup.ts';

type SmtpFailure = Error & { responseCode?: number; response?: string };

const spamFilter: SpamFilter = ({ raw }) => {
  const text = raw.toString('utf8');
  return Promise.resolve(
    text.includes('REJECTME') ? 'reject' : text.includes('CHEAP PILLS') ? 'spam' : 'ham',
  );
};

function mx(env: SmtpTestEnv) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port: env.doors.ports.smtp,
    secure: false,
    tls: { rejectUnauthorized: false },
  });
}

async function refused(p: Promise<unknown>, reply: RegExp): Promise<void> {
  await assert.rejects(p, (err: SmtpFailure) => {
    assert.match(err.response ?? err.message, reply);
    return true;
  });
}

function filler(bytes: number): string {
  return `${'x'.repeat(70)}\r\n`.repeat(Math.ceil(bytes / 72));
}

forEachStore('SMTP MX', (kind) => {
  let env: SmtpTestEnv;
  let dns: FakeDns;
  let carol: Account;
  before(async () => {
    dns = await startDns({
      'evil.example': { TXT: ['v=spf1 -all'] },
      '_dmarc.evil.example': { TXT: ['v=DMARC1; p=reject'] },
      'shady.example': { TXT: ['v=spf1 -all'] },
      '_dmarc.shady.example': { TXT: ['v=DMARC1; p=quarantine'] },
    });
    env = await smtpEnv(
      kind,
      { dns: { servers: [dns.server] }, smtp: { maxMessageSize: 8000, maxRecipients: 3 } },
      { spamFilter },
    );
    carol = await addUser(env.core, {
      email: 'carol@test.example',
      password: PASSWORD,
      quotaBytes: 6000,
    });
  });
  after(async () => {
    await env.close();
    await dns.close();
  });

  it('delivers to a local user with Received and Authentication-Results (authserv-id mail.test); forged results are dropped', async () => {
    const t = mx(env);
    const info = await t.sendMail({
      from: 'sender@other.example',
      to: 'bob@test.example',
      subject: 'Hello from outside',
      text: 'hi',
      headers: { 'Authentication-Results': 'mail.test; dkim=pass header.d=bank.example' },
    });
    t.close();
    assert.match(info.response, /^250 2\.6\.0 /);
    const [stored] = await mailbox(env.core, env.bob.id);
    const head = headersOf(stored!);
    assert.match(head, /^Authentication-Results: mail\.test;/m);
    assert.match(head, /spf=none/);
    assert.match(head, /^Received: from .* \(\[127\.0\.0\.1\]\)\r\n\tby mail\.test with ESMTPS/m);
    assert.doesNotMatch(head, /bank\.example/, 'forged Authentication-Results removed');
  });

  it('is not an open relay: 554 5.7.1 for a remote recipient without AUTH', async () => {
    const t = mx(env);
    await refused(
      t.sendMail({ from: 'a@other.example', to: 'someone@elsewhere.example', text: 'x' }),
      /554 5\.7\.1 /,
    );
    t.close();
    const { talk } = await Talk.open(env.doors.ports.smtp);
    const ehlo = await talk.cmd('EHLO client.example');
    for (const ext of [
      'PIPELINING',
      '8BITMIME',
      'SMTPUTF8',
      'ENHANCEDSTATUSCODES',
      'DSN',
      'STARTTLS',
      'SIZE 8000',
    ])
      assert.match(ehlo, new RegExp(`250[- ]${ext}`));
    assert.doesNotMatch(ehlo, /AUTH/);
    await talk.cmd('MAIL FROM:<a@other.example>');
    assert.match(await talk.cmd('RCPT TO:<postmaster@elsewhere.example>'), /^554 5\.7\.1 /);
    talk.close();
    assert.equal((await env.core.db.selectFrom('queue_messages').selectAll().execute()).length, 0);
  });

  it('answers 550 5.1.1 for an unknown local user', async () => {
    const t = mx(env);
    await refused(
      t.sendMail({ from: 'a@other.example', to: 'nobody@test.example', text: 'x' }),
      /550 5\.1\.1 /,
    );
    t.close();
  });

  it('refuses oversize mail with 552 5.3.4, declared or not', async () => {
    const { talk } = await Talk.open(env.doors.ports.smtp);
    await talk.cmd('EHLO client.example');
    assert.match(await talk.cmd('MAIL FROM:<a@other.example> SIZE=9000'), /^552 5\.3\.4 /);
    assert.match(await talk.cmd('MAIL FROM:<a@other.example>'), /^250 /);
    assert.match(await talk.cmd('RCPT TO:<bob@test.example>'), /^250 /);
    assert.match(await talk.cmd('DATA'), /^354 /);
    talk.send(`Subject: big\r\n\r\n${filler(9000)}`);
    assert.match(await talk.cmd('.'), /^552 5\.3\.4 /);
    talk.close();
  });

  it('limits recipients per transaction: 452 4.5.3', async () => {
    const { talk } = await Talk.open(env.doors.ports.smtp);
    await talk.cmd('EHLO client.example');
    await talk.cmd('MAIL FROM:<a@other.example>');
    for (const r of ['bob', 'alice', 'bob+tag'])
      assert.match(await talk.cmd(`RCPT TO:<${r}@test.example>`), /^250 /);
    assert.match(await talk.cmd('RCPT TO:<carol@test.example>'), /^452 4\.5\.3 /);
    talk.close();
  });

  it('applies quotas: 452 4.2.2 when full, the other recipients still served', async () => {
    const t = mx(env);
    await t.sendMail({
      from: 'a@other.example',
      to: 'carol@test.example',
      subject: 'one',
      text: filler(3000),
    });
    assert.equal((await mailbox(env.core, carol.id)).length, 1);
    // Room left at RCPT, none at the end of DATA: the only recipient gets 452 4.2.2.
    await refused(
      t.sendMail({
        from: 'a@other.example',
        to: 'carol@test.example',
        subject: 'two',
        text: filler(3000),
      }),
      /452 4\.2\.2 /,
    );
    // With another recipient, the message goes to the one with room.
    const bobBefore = (await mailbox(env.core, env.bob.id)).length;
    await t.sendMail({
      from: 'a@other.example',
      to: ['carol@test.example', 'bob@test.example'],
      subject: 'three',
      text: filler(3000),
    });
    assert.equal((await mailbox(env.core, env.bob.id)).length, bobBefore + 1);
    assert.equal((await mailbox(env.core, carol.id)).length, 1);
    t.close();
    // A SIZE that would not fit, or a mailbox already full, is refused at RCPT.
    const { talk } = await Talk.open(env.doors.ports.smtp);
    await talk.cmd('EHLO client.example');
    await talk.cmd('MAIL FROM:<a@other.example> SIZE=4000');
    assert.match(await talk.cmd('RCPT TO:<carol@test.example>'), /^452 4\.2\.2 /);
    await setQuota(env.core, 'carol@test.example', 100);
    await talk.cmd('RSET');
    await talk.cmd('MAIL FROM:<a@other.example>');
    assert.match(await talk.cmd('RCPT TO:<carol@test.example>'), /^452 4\.2\.2 /);
    talk.close();
  });

  it('enforces DMARC: p=reject → 550 5.7.1, p=quarantine → Junk', async () => {
    const t = mx(env);
    await refused(
      t.sendMail({
        from: 'ceo@evil.example',
        to: 'bob@test.example',
        subject: 'wire money',
        text: 'x',
      }),
      /550 5\.7\.1 /,
    );
    const junkBefore = (await mailbox(env.core, env.bob.id, 'junk')).length;
    await t.sendMail({
      from: 'ceo@shady.example',
      to: 'bob@test.example',
      subject: 'offer',
      text: 'x',
    });
    const junk = await mailbox(env.core, env.bob.id, 'junk');
    assert.equal(junk.length, junkBefore + 1);
    assert.match(headersOf(junk.at(-1)!), /dmarc=fail/);
    t.close();
  });

  it('asks the spam filter: spam → Junk, reject → 550 5.7.1', async () => {
    const t = mx(env);
    const inboxBefore = (await mailbox(env.core, env.alice.id)).length;
    await t.sendMail({
      from: 'a@other.example',
      to: 'alice@test.example',
      subject: 'CHEAP PILLS',
      text: 'x',
    });
    assert.equal((await mailbox(env.core, env.alice.id, 'junk')).length, 1);
    assert.equal((await mailbox(env.core, env.alice.id)).length, inboxBefore);
    await refused(
      t.sendMail({
        from: 'a@other.example',
        to: 'alice@test.example',
        subject: 'REJECTME',
        text: 'x',
      }),
      /550 5\.7\.1 /,
    );
    t.close();
  });

  it('close() lets a transaction in DATA finish and sends idle clients away', async () => {
    const idle = await Talk.open(env.doors.ports.smtp);
    await idle.talk.cmd('EHLO idle.example');
    const { talk } = await Talk.open(env.doors.ports.smtp);
    await talk.cmd('EHLO busy.example');
    await talk.cmd('MAIL FROM:<a@other.example>');
    await talk.cmd('RCPT TO:<alice@test.example>');
    assert.match(await talk.cmd('DATA'), /^354 /);
    talk.send('Subject: in flight\r\n\r\nfirst half\r\n');
    const closing = env.doors.close();
    assert.match(await idle.talk.reply(), /^421 4\.3\.2 /);
    talk.send('second half\r\n');
    assert.match(await talk.cmd('.'), /^250 /);
    await closing;
    const inbox = await mailbox(env.core, env.alice.id);
    assert.match(inbox.at(-1)!.toString(), /first half\r\nsecond half\r\n$/);
    const late = await Talk.open(env.doors.ports.smtp);
    assert.equal(late.greeting, '', 'no longer accepting connections');
  });
});
