// "Inside and outside": two Champa servers, ministry.test and school.test, each started with
// `champa serve`, exchange mail both ways over loopback. Each publishes in a DNS server on
// loopback exactly the records `champa dns` prints, so SPF and DKIM pass only if those
// records are right; each routes the other's domain to its MX port (queue.routes).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { forEachStore } from '../helpers/stores.ts';
import { initData, makeCliEnv, runCli, type CliEnv } from '../helpers/cli.ts';
import { startDns, type FakeDns, type FakeRecords } from '../helpers/dns.ts';
import { freePort, patchConfig, serve, waitForMail, type Served } from '../helpers/serve.ts';
import type { DnsRecord } from '../../src/mail/dnsrecords.ts';

const PASSWORD = 'a password long enough';

interface Side {
  domain: string;
  user: string;
  env: CliEnv;
  mx: number;
  server?: Served;
}

/** Loads `champa dns DOMAIN --no-check --json --ip 127.0.0.1` into the fake DNS. */
async function publish(dns: FakeDns, side: Side): Promise<void> {
  const r = await runCli([
    'dns',
    side.domain,
    '--data',
    side.env.data,
    '--no-check',
    '--json',
    '--ip',
    '127.0.0.1',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const records = JSON.parse(r.stdout) as DnsRecord[];
  for (const rec of records) {
    const name = rec.name.replace(/\.$/, '');
    const cur: FakeRecords = dns.zone.get(name) ?? {};
    if (rec.type === 'TXT') cur.TXT = [...(cur.TXT ?? []), rec.value];
    if (rec.type === 'A') cur.A = [...(cur.A ?? []), rec.value];
    if (rec.type === 'MX') {
      const [prio, host] = rec.value.split(' ');
      cur.MX = [...(cur.MX ?? []), { priority: Number(prio), exchange: host!.replace(/\.$/, '') }];
    }
    dns.set(name, cur);
  }
}

async function addUser(side: Side): Promise<void> {
  const pw = join(side.env.data, '..', 'user.pw');
  await writeFile(pw, `${PASSWORD}\n`);
  const r = await runCli([
    'user',
    'add',
    side.user,
    '--data',
    side.env.data,
    '--password-file',
    pw,
  ]);
  assert.equal(r.code, 0, r.stderr);
}

async function submit(side: Side, to: string, subject: string, text: string): Promise<void> {
  const t = nodemailer.createTransport({
    host: '127.0.0.1',
    port: side.server!.ports.submission!,
    secure: false,
    requireTLS: true,
    tls: { rejectUnauthorized: false },
    auth: { user: side.user, pass: PASSWORD },
  });
  try {
    const info = await t.sendMail({ from: side.user, to, subject, text });
    assert.deepEqual(info.accepted, [to]);
  } finally {
    t.close();
  }
}

const authResults = (mbox: string): string =>
  /^Authentication-Results:[^\n]*(\n[ \t][^\n]*)*/m.exec(mbox)?.[0] ?? '';

forEachStore('two servers exchange mail', (kind) => {
  let dns: FakeDns;
  const a: Side = {
    domain: 'ministry.test',
    user: 'somchai@ministry.test',
    env: undefined as unknown as CliEnv,
    mx: 0,
  };
  const b: Side = {
    domain: 'school.test',
    user: 'teacher@school.test',
    env: undefined as unknown as CliEnv,
    mx: 0,
  };

  before(async () => {
    dns = await startDns();
    for (const s of [a, b]) {
      s.env = await makeCliEnv(kind);
      await initData(s.env, s.domain, ['--hostname', `mail.${s.domain}`]);
      s.mx = await freePort();
      await addUser(s);
      await publish(dns, s);
    }
    for (const [s, other] of [
      [a, b],
      [b, a],
    ] as const) {
      await patchConfig(s.env.data, {
        listen: {
          address: '127.0.0.1',
          ports: {
            smtp: s.mx,
            submission: 0,
            submissions: 0,
            imap: 0,
            imaps: 0,
            pop3: 0,
            pop3s: 0,
            http: 0,
            https: 0,
          },
        },
        dns: { servers: [dns.server] },
        queue: { routes: { [other.domain]: `127.0.0.1:${other.mx}` } },
      });
    }
    a.server = await serve(a.env.data);
    b.server = await serve(b.env.data);
  });

  after(async () => {
    for (const s of [a, b]) {
      if (s.server) assert.equal(await s.server.stop(), 0, s.server.stderr());
      await s.env.cleanup();
    }
    await dns.close();
  });

  test('ministry → school: delivered with spf=pass and dkim=pass', async () => {
    await submit(a, b.user, 'ກອງປະຊຸມຄູ ວັນຈັນ', 'ສະບາຍດີ ຄູ');
    const mbox = await waitForMail(
      b.env.data,
      b.user,
      (m) => m.includes('From: somchai@ministry.test'),
      'the message from the ministry',
    );
    const ar = authResults(mbox);
    assert.match(ar, /spf=pass/, ar);
    assert.match(ar, /dkim=pass[^;]*header\.i=@ministry\.test/, ar);
    assert.match(ar, /dmarc=pass/, ar);
    assert.match(mbox, /^Received: from /m);
  });

  test('school → ministry: the reply comes back verified too', async () => {
    await submit(b, a.user, 'Re: teachers meeting', 'ຂອບໃຈ, ພວກເຮົາຈະມາ');
    const mbox = await waitForMail(
      a.env.data,
      a.user,
      (m) => /^Subject: Re: teachers meeting/m.test(m),
      'the reply',
    );
    const ar = authResults(mbox);
    assert.match(ar, /spf=pass/, ar);
    assert.match(ar, /dkim=pass[^;]*header\.i=@school\.test/, ar);
  });

  test('mail to an unknown user at the other server bounces to the sender', async () => {
    await submit(a, 'nobody@school.test', 'for nobody', 'this will not arrive');
    const mbox = await waitForMail(
      a.env.data,
      a.user,
      (m) => m.includes('multipart/report'),
      'the bounce',
    );
    assert.match(mbox, /^Status: 5\.1\.1/m);
    assert.match(mbox, /^Final-Recipient: rfc822; ?nobody@school\.test/im);
    assert.match(mbox, /^Action: failed/m);
  });
});
