// The IMAP doors against real clients from Debian, on both stores: mbsync (isync) syncing a
// 1,000-message INBOX to a local Maildir and back (flags changed locally reach the server, a
// message added locally is appended), three runs with no duplicates on either side; curl
// reading a message byte for byte and running UID SEARCH.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../../src/core/deliver.ts';
import { mailboxByName } from '../../src/core/mailboxes.ts';
import { mailboxMessages } from '../../src/core/messages.ts';
import { forEachStore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { imapEnv, PASSWORD, type ImapTestEnv } from './setup.ts';

const HAVE = (cmd: string, arg: string): boolean => spawnSync(cmd, [arg]).status === 0;
// .ci/run installs both; under CI a missing client fails instead of skipping.
const IN_CI = process.env.CI === 'true';
const skipMbsync =
  HAVE('mbsync', '--version') || IN_CI
    ? false
    : 'mbsync is not installed (apt-get install -y isync)';
const skipCurl =
  HAVE('curl', '--version') || IN_CI ? false : 'curl is not installed (apt-get install -y curl)';

function run(cmd: string, args: string[]): Promise<{ code: number; out: Buffer; err: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { encoding: 'buffer', timeout: 120_000, maxBuffer: 64 << 20 },
      (e, out, err) => {
        const code = e ? Number((e as { code?: number }).code ?? 1) : 0;
        resolve({ code, out, err: err.toString() });
      },
    );
  });
}

const COUNT = 1000;

function message(i: number): Buffer {
  return Buffer.from(
    `From: Bob <bob@test.example>\r\nTo: alice@test.example\r\nSubject: Report ${i} ລາຍງານ\r\nDate: Wed, 7 Feb 2024 10:00:00 +0700\r\nMessage-ID: <m${i}@test.example>\r\n\r\nLine one of ${i}\r\n`,
  );
}

forEachStore('IMAP with real clients', (kind) => {
  let env: ImapTestEnv;
  let dir: string;
  before(async () => {
    env = await imapEnv(kind);
    // Concurrent deliveries share commits (group commit), so a thousand take moments.
    for (let i = 0; i < COUNT; i += 100)
      await Promise.all(
        Array.from({ length: 100 }, (_, j) =>
          ingest(env.core, message(i + j + 1), [{ accountId: env.alice.id }]),
        ),
      );
    dir = await mkdtemp(join(tmpdir(), 'champa-clients-'));
  });
  after(async () => {
    await env.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('mbsync', () => {
    const maildir = (): string => join(dir, 'mail', 'INBOX');
    const files = async (): Promise<string[]> => {
      const out: string[] = [];
      for (const sub of ['cur', 'new'])
        out.push(...(await readdir(join(maildir(), sub))).map((f) => join(sub, f)));
      return out;
    };
    const server = async (): Promise<{ n: number; flagged: number; ids: Set<string> }> => {
      const inbox = await mailboxByName(env.core.db, env.alice.id, 'INBOX');
      const list = await mailboxMessages(env.core.db, env.alice.id, inbox!.id);
      return {
        n: list.length,
        flagged: list.filter((m) => m.keywords.includes('$flagged')).length,
        ids: new Set(list.map((m) => m.emailId)),
      };
    };
    const sync = async (): Promise<void> => {
      const r = await run('mbsync', ['-q', '-c', join(dir, 'mbsyncrc'), '-a']);
      assert.equal(r.code, 0, r.err);
    };

    before(async () => {
      await mkdir(join(dir, 'mail'), { recursive: true });
      const certFile = join(dir, 'server.pem');
      await writeFile(certFile, (await testCert()).cert);
      await writeFile(
        join(dir, 'mbsyncrc'),
        [
          'IMAPAccount champa',
          'Host 127.0.0.1',
          `Port ${env.doors.ports.imaps}`,
          'User alice@test.example',
          `Pass ${PASSWORD}`,
          'SSLType IMAPS', // isync 1.4 (1.5 calls it TLSType)
          `CertificateFile ${certFile}`,
          '',
          'IMAPStore remote',
          'Account champa',
          '',
          'MaildirStore local',
          `Path ${join(dir, 'mail')}/`,
          `Inbox ${maildir()}`,
          '',
          'Channel inbox',
          'Far :remote:',
          'Near :local:',
          'Patterns INBOX',
          'Create Both',
          'Expunge Both',
          'SyncState *',
          'Sync All',
          '',
        ].join('\n'),
      );
    });

    it(
      'pulls 1,000 messages, pushes local flags and a new message, and repeats with no duplicates',
      { skip: skipMbsync },
      async () => {
        await sync();
        let local = await files();
        assert.equal(local.length, COUNT);
        // Flag ten messages locally (Maildir info ":2,F…"), and write one new message.
        for (const f of local.slice(0, 10)) {
          const [name, info = ''] = f.split(':2,');
          const flags = [...new Set([...info, 'F'])].sort().join('');
          await rename(join(maildir(), f), join(maildir(), `${name}:2,${flags}`));
        }
        const added = Buffer.from(
          'From: alice@test.example\r\nSubject: written offline\r\n\r\nhello\r\n',
        );
        await writeFile(join(maildir(), 'new', `1700000000.champa-test.local`), added);
        await sync();
        let srv = await server();
        assert.equal(srv.n, COUNT + 1);
        assert.equal(srv.flagged, 10);
        local = await files();
        assert.equal(local.length, COUNT + 1);
        const before = srv.ids;
        for (let round = 0; round < 2; round++) {
          await sync();
          srv = await server();
          assert.equal(srv.n, COUNT + 1);
          assert.deepEqual(srv.ids, before);
          assert.equal((await files()).length, COUNT + 1);
        }
      },
    );
  });

  describe('curl', () => {
    const url = (): string => `imaps://127.0.0.1:${env.doors.ports.imaps}/INBOX`;
    const curl = (args: string[]) =>
      run('curl', [
        '-sS',
        '-k',
        '--max-time',
        '30',
        '-u',
        `alice@test.example:${PASSWORD}`,
        ...args,
      ]);

    it(
      'finds a message with UID SEARCH and reads it byte for byte',
      { skip: skipCurl },
      async () => {
        const r = await curl([url(), '-X', 'UID SEARCH HEADER Message-ID m77@']);
        assert.equal(r.code, 0, r.err);
        const m = /^\* SEARCH (\d+)\r?$/m.exec(r.out.toString());
        assert.ok(m, r.out.toString());
        const one = await curl([`${url()};UID=${m[1]}`]);
        assert.equal(one.code, 0, one.err);
        assert.ok(one.out.equals(message(77)), one.out.toString());
      },
    );
  });
});
