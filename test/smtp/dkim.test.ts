// DKIM end to end: a message signed by the submission door, then delivered to the MX of the
// same server (as the queue would), verifies as dkim=pass against the key published in a
// fake DNS on loopback, with SPF and DMARC passing too; a changed body fails.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { dkimPublicKey, getDomain } from '../../src/core/domains.ts';
import { forEachStore } from '../helpers/stores.ts';
import { startDns, type FakeDns } from '../helpers/dns.ts';
import { headersOf, mailbox, PASSWORD, smtpEnv, type SmtpTestEnv } from './setup.ts';

forEachStore('DKIM from submission to MX', (kind) => {
  let env: SmtpTestEnv;
  let dns: FakeDns;
  before(async () => {
    dns = await startDns();
    env = await smtpEnv(kind, { dns: { servers: [dns.server] } });
    const d = await getDomain(env.core, 'test.example');
    assert.ok(d);
    dns.set(`${d.dkim_selector}._domainkey.test.example`, {
      TXT: [`v=DKIM1; k=rsa; p=${dkimPublicKey(d.dkim_private_key)}`],
    });
    dns.set('test.example', { TXT: ['v=spf1 ip4:127.0.0.1 -all'] });
    dns.set('_dmarc.test.example', { TXT: ['v=DMARC1; p=reject'] });
  });
  after(async () => {
    await env.close();
    await dns.close();
  });

  it('signs on submission and verifies dkim=pass, spf=pass, dmarc=pass on the MX', async () => {
    const sub = nodemailer.createTransport({
      host: '127.0.0.1',
      port: env.doors.ports.submission,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
      auth: { user: 'alice@test.example', pass: PASSWORD },
    });
    await sub.sendMail({
      from: 'Alice <alice@test.example>',
      to: 'carol@remote.example',
      subject: 'ລາຍງານປະຈຳເດືອນ',
      text: 'ສະບາຍດີ, the monthly report.',
    });
    sub.close();
    const q = await env.core.db.selectFrom('queue_messages').selectAll().executeTakeFirstOrThrow();
    const signed = await env.core.blobs.get(q.blob_hash);

    const mx = nodemailer.createTransport({
      host: '127.0.0.1',
      port: env.doors.ports.smtp,
      tls: { rejectUnauthorized: false },
    });
    const envelope = { from: 'alice@test.example', to: ['bob@test.example'] };
    await mx.sendMail({ envelope, raw: signed });
    const tampered = Buffer.from(signed.toString('utf8').replace('monthly', 'weekly'));
    await mx.sendMail({ envelope, raw: tampered });
    mx.close();

    const [good, bad] = await mailbox(env.core, env.bob.id);
    const goodHead = headersOf(good!);
    assert.match(goodHead, /^Authentication-Results: mail\.test;/m);
    assert.match(goodHead, /dkim=pass header\.i=@test\.example /);
    assert.match(goodHead, /spf=pass/);
    assert.match(goodHead, /dmarc=pass/);
    // mailauth's lenient mode reports a body hash mismatch as neutral (strict mode: fail).
    assert.match(headersOf(bad!), /dkim=(fail|neutral) \(body hash did not verify\)/);
  });
});
