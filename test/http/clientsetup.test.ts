// Mail app set-up against `champa serve`, as a person's mail app meets it: Thunderbird's
// autoconfig file and Outlook's autodiscover answer name the ports the server really listens
// on, and imapflow and nodemailer, configured from nothing but those answers, sign in and send;
// the iPhone profile is a well-formed property list (read by Python's plistlib, an independent
// parser) with the person's address and no password; unknown domains and bad requests get
// clear refusals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { request } from 'node:https';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import { clientSettings } from '../../src/core/clientsettings.ts';
import { parseConfig } from '../../src/core/config.ts';
import { forEachStore } from '../helpers/stores.ts';
import { initData, makeCliEnv, runCli, type CliEnv } from '../helpers/cli.ts';
import { serve, type Served } from '../helpers/serve.ts';

const DOMAIN = 'school.test';
const USER = `noy@${DOMAIN}`;
const PASSWORD = 'correct-horse-battery';

interface Reply {
  status: number;
  type: string;
  disposition: string;
  body: string;
}

function fetchHttps(
  port: number,
  path: string,
  o: { method?: string; body?: string; host?: string; auth?: string } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: o.host ?? `mail.${DOMAIN}` };
    if (o.body !== undefined) {
      headers['content-type'] = 'text/xml';
      headers['content-length'] = String(Buffer.byteLength(o.body));
    }
    if (o.auth) headers.authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: o.method ?? 'GET',
        headers,
        rejectUnauthorized: false, // the self-signed certificate `champa init` made
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type'] ?? ''),
            disposition: String(res.headers['content-disposition'] ?? ''),
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

/** Parses with Python's standard library: an XML file, or a property list, as JSON. */
function python(kind: 'xml' | 'plist', text: string): unknown {
  const program =
    kind === 'plist'
      ? 'import json,plistlib,sys; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))'
      : [
          'import json,sys,xml.etree.ElementTree as E',
          'r=E.fromstring(sys.stdin.buffer.read())',
          'def t(e): return e.tag.split("}")[-1]',
          'def walk(e): return {"tag": t(e), "attrs": e.attrib, "text": (e.text or "").strip(), "kids": [walk(k) for k in e]}',
          'print(json.dumps(walk(r)))',
        ].join('\n');
  const r = spawnSync('python3', ['-c', program], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `python3 could not parse the ${kind}: ${r.stderr}`);
  return JSON.parse(r.stdout) as unknown;
}

interface Node {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  kids: Node[];
}
const all = (n: Node, tag: string): Node[] =>
  (n.tag === tag ? [n] : []).concat(n.kids.flatMap((k) => all(k, tag)));
const child = (n: Node, tag: string): string => n.kids.find((k) => k.tag === tag)?.text ?? '';

test('public ports: what mail apps are told follows listen.publicPorts, else the listening port', () => {
  const cfg = parseConfig(
    {
      hostname: 'mail.school.test',
      primaryDomain: DOMAIN,
      listen: { portBase: 20000, publicPorts: { imaps: 993, submissions: 465 } },
    },
    '/tmp',
  );
  const s = clientSettings(cfg, { imaps: 20993, submission: 20587, pop3s: 20995 });
  assert.deepEqual(s.imap, { host: 'mail.school.test', port: 993, security: 'tls' });
  assert.deepEqual(s.smtp, { host: 'mail.school.test', port: 465, security: 'tls' });
  assert.deepEqual(s.smtpStarttls, { host: 'mail.school.test', port: 20587, security: 'starttls' });
  assert.equal(s.pop3.port, 20995);
  assert.equal(s.imapStarttls.port, 20143, 'not listening yet: the configured port');
});

forEachStore('mail app set-up', (kind) => {
  let env: CliEnv;
  let server: Served;
  let https: number;

  before(async () => {
    env = await makeCliEnv(kind);
    await initData(env, DOMAIN);
    const pw = join(env.data, '..', 'noy.pw');
    await writeFile(pw, `${PASSWORD}\n`);
    const r = await runCli([
      'user',
      'add',
      USER,
      '--name',
      'ນ້ອຍ <Noy> & co',
      '--data',
      env.data,
      '--password-file',
      pw,
    ]);
    assert.equal(r.code, 0, r.stderr);
    server = await serve(env.data);
    https = server.ports.https!;
  });

  after(async () => {
    await server?.stop();
    await env?.cleanup();
  });

  test('Thunderbird autoconfig names the real ports; imapflow and nodemailer work from it alone', async () => {
    const r = await fetchHttps(
      https,
      `/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(USER)}`,
    );
    assert.equal(r.status, 200, r.body);
    assert.match(r.type, /^application\/xml/);
    const doc = python('xml', r.body) as Node;
    assert.equal(doc.tag, 'clientConfig');
    assert.equal(all(doc, 'domain')[0]?.text, DOMAIN);
    const incoming = all(doc, 'incomingServer');
    const outgoing = all(doc, 'outgoingServer');
    const imap = incoming.find((n) => n.attrs.type === 'imap' && child(n, 'socketType') === 'SSL')!;
    const imapStarttls = incoming.find(
      (n) => n.attrs.type === 'imap' && child(n, 'socketType') === 'STARTTLS',
    )!;
    const pop3 = incoming.find((n) => n.attrs.type === 'pop3')!;
    const smtp = outgoing.find((n) => child(n, 'socketType') === 'SSL')!;
    const smtpStarttls = outgoing.find((n) => child(n, 'socketType') === 'STARTTLS')!;
    assert.equal(incoming[0], imap, 'IMAP over TLS comes first (RFC 8314 §3.3)');
    assert.equal(Number(child(imap, 'port')), server.ports.imaps);
    assert.equal(Number(child(imapStarttls, 'port')), server.ports.imap);
    assert.equal(Number(child(pop3, 'port')), server.ports.pop3s);
    assert.equal(Number(child(smtp, 'port')), server.ports.submissions);
    assert.equal(Number(child(smtpStarttls, 'port')), server.ports.submission);
    assert.equal(child(imap, 'hostname'), child(smtp, 'hostname'));
    assert.equal(child(imap, 'username'), '%EMAILADDRESS%');

    // A client that knows only the answer (and connects to loopback for the host name).
    const user = child(imap, 'username').replace('%EMAILADDRESS%', USER);
    const client = new ImapFlow({
      host: '127.0.0.1',
      port: Number(child(imap, 'port')),
      secure: child(imap, 'socketType') === 'SSL',
      tls: { rejectUnauthorized: false },
      auth: { user, pass: PASSWORD },
      logger: false,
    });
    await client.connect();
    const boxes = await client.list();
    assert.ok(boxes.some((b) => b.specialUse === '\\Sent'));
    await client.logout();
    const transport = nodemailer.createTransport({
      host: '127.0.0.1',
      port: Number(child(smtp, 'port')),
      secure: child(smtp, 'socketType') === 'SSL',
      tls: { rejectUnauthorized: false },
      auth: { user: child(smtp, 'username').replace('%EMAILADDRESS%', USER), pass: PASSWORD },
    });
    const info = await transport.sendMail({ from: USER, to: USER, subject: 'set up', text: 'ok' });
    assert.deepEqual(info.accepted, [USER]);
    transport.close();
  });

  test('autoconfig by host name (autoconfig.DOMAIN), and refusals', async () => {
    const byHost = await fetchHttps(https, '/mail/config-v1.1.xml', {
      host: `autoconfig.${DOMAIN}`,
    });
    assert.equal(byHost.status, 200, byHost.body);
    assert.equal(all(python('xml', byHost.body) as Node, 'domain')[0]?.text, DOMAIN);
    const other = await fetchHttps(
      https,
      '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=someone%40elsewhere.example',
    );
    assert.equal(other.status, 404);
    const garbage = await fetchHttps(
      https,
      '/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=%3Cscript%3E',
    );
    assert.equal(garbage.status, 404);
    const post = await fetchHttps(https, '/mail/config-v1.1.xml', { method: 'POST', body: '' });
    assert.equal(post.status, 405);
  });

  test('Outlook autodiscover (POX) for an IMAP account, and a malformed request', async () => {
    const body = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request>
    <EMailAddress>${USER}</EMailAddress>
    <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
  </Request>
</Autodiscover>`;
    const r = await fetchHttps(https, '/Autodiscover/Autodiscover.xml', { method: 'POST', body });
    assert.equal(r.status, 200, r.body);
    const doc = python('xml', r.body) as Node;
    assert.equal(all(doc, 'AccountType')[0]?.text, 'email');
    const protocols = all(doc, 'Protocol');
    const imap = protocols.find((p) => child(p, 'Type') === 'IMAP')!;
    const smtp = protocols.find((p) => child(p, 'Type') === 'SMTP')!;
    assert.equal(Number(child(imap, 'Port')), server.ports.imaps);
    assert.equal(child(imap, 'SSL'), 'on');
    assert.equal(child(imap, 'LoginName'), USER);
    assert.equal(Number(child(smtp, 'Port')), server.ports.submissions);

    const bad = await fetchHttps(https, '/autodiscover/autodiscover.xml', {
      method: 'POST',
      body: '<Autodiscover><Request></Request></Autodiscover>',
    });
    assert.equal(bad.status, 400);
    assert.equal(all(python('xml', bad.body) as Node, 'ErrorCode')[0]?.text, '600');
    const get = await fetchHttps(https, '/autodiscover/autodiscover.xml');
    assert.equal(get.status, 405);
  });

  test('the iPhone profile: signed in only, a valid property list, no password, stable ids', async () => {
    const anonymous = await fetchHttps(https, '/api/account/mobileconfig');
    assert.equal(anonymous.status, 401);
    const r = await fetchHttps(https, '/api/account/mobileconfig', { auth: `${USER}:${PASSWORD}` });
    assert.equal(r.status, 200, r.body);
    assert.equal(r.type, 'application/x-apple-aspen-config');
    assert.match(r.disposition, /attachment; filename="noy@school\.test\.mobileconfig"/);
    const plist = python('plist', r.body) as {
      PayloadType: string;
      PayloadUUID: string;
      PayloadContent: Record<string, unknown>[];
    };
    assert.equal(plist.PayloadType, 'Configuration');
    const mail = plist.PayloadContent[0]!;
    assert.equal(mail.PayloadType, 'com.apple.mail.managed');
    assert.equal(mail.EmailAddress, USER);
    assert.equal(mail.EmailAccountName, 'ນ້ອຍ <Noy> & co');
    assert.equal(mail.EmailAccountType, 'EmailTypeIMAP');
    assert.equal(mail.IncomingMailServerPortNumber, server.ports.imaps);
    assert.equal(mail.IncomingMailServerUseSSL, true);
    assert.equal(mail.OutgoingMailServerPortNumber, server.ports.submissions);
    assert.equal(mail.OutgoingMailServerUseSSL, true);
    assert.equal(mail.IncomingMailServerUsername, USER);
    assert.ok(!('IncomingPassword' in mail) && !r.body.includes(PASSWORD), 'no password inside');
    const again = await fetchHttps(https, '/api/account/mobileconfig', {
      auth: `${USER}:${PASSWORD}`,
    });
    const plist2 = python('plist', again.body) as typeof plist;
    assert.equal(plist2.PayloadUUID, plist.PayloadUUID, 'a new download replaces, not adds');

    const json = await fetchHttps(https, '/api/account/client-settings', {
      auth: `${USER}:${PASSWORD}`,
    });
    assert.equal(json.status, 200);
    const s = JSON.parse(json.body) as {
      email: string;
      imap: { port: number };
      smtp: { port: number };
    };
    assert.equal(s.email, USER);
    assert.equal(s.imap.port, server.ports.imaps);
    assert.equal(s.smtp.port, server.ports.submissions);
  });
});
