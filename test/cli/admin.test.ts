// The administrator's command line, run as a real child process against a real data folder:
// init, domains, users, aliases, the queue, and how errors are reported.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { forEachStore } from '../helpers/stores.ts';
import {
  hasStackTrace,
  initData,
  makeCliEnv,
  runCli,
  withDataCore,
  type CliEnv,
} from '../helpers/cli.ts';
import { loadConfig } from '../../src/core/config.ts';
import { authenticate } from '../../src/core/accounts.ts';
import { enqueue } from '../../src/core/outbound.ts';

forEachStore('champa init', (kind) => {
  let env: CliEnv;
  let data: string;
  let adminPassword = '';
  const cli = (...args: string[]) => runCli([...args, '--data', data]);

  before(async () => {
    env = await makeCliEnv(kind);
    data = env.data;
  });
  after(() => env.cleanup());

  test('init creates the folder, prints the admin password once and the DNS records', async () => {
    const r = await runCli([
      'init',
      '--data',
      data,
      '--domain',
      'Ministry.Test',
      '--port-base',
      '10000',
      ...env.initArgs,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const pw = /password:\s+(\S+)/.exec(r.stdout);
    assert.ok(pw, r.stdout);
    adminPassword = pw[1]!;
    assert.match(r.stdout, /administrator: postmaster@ministry\.test/);
    assert.match(r.stdout, /^ministry\.test\.\s+\d+\s+IN\s+MX\s+10 mail\.ministry\.test\.$/m);
    assert.match(r.stdout, /^ministry\.test\.\s.*TXT\s+"v=spf1 mx -all"$/m);
    assert.match(
      r.stdout,
      /^champa\d{6}\._domainkey\.ministry\.test\.\s.*TXT\s+"v=DKIM1; k=rsa; p=/m,
    );
    assert.match(
      r.stdout,
      /^_dmarc\.ministry\.test\.\s.*"v=DMARC1; p=quarantine; rua=mailto:postmaster@ministry\.test"$/m,
    );
    // RFC 6186 / 8314 SRV records carry the port base.
    assert.match(
      r.stdout,
      /^_submissions\._tcp\.ministry\.test\.\s.*SRV\s+0 1 10465 mail\.ministry\.test\.$/m,
    );
    assert.match(
      r.stdout,
      /^_imaps\._tcp\.ministry\.test\.\s.*SRV\s+0 1 10993 mail\.ministry\.test\.$/m,
    );
    // A DKIM key is longer than one TXT string: split into strings of at most 255.
    const dkim = /_domainkey.*TXT\s+(.*)$/m.exec(r.stdout)![1]!;
    for (const s of dkim.match(/"[^"]*"/g) ?? []) assert.ok(s.length - 2 <= 255);
    assert.ok((dkim.match(/"[^"]*"/g) ?? []).length >= 2);

    const key = await stat(join(data, 'tls', 'key.pem'));
    assert.equal(key.mode & 0o777, 0o600);
    assert.match(await readFile(join(data, 'tls', 'cert.pem'), 'utf8'), /BEGIN CERTIFICATE/);
    const cfg = loadConfig(data, {});
    assert.equal(cfg.hostname, 'mail.ministry.test');
    assert.equal(cfg.listen.portBase, 10000);
    const admin = await withDataCore(data, (core) =>
      authenticate(core, 'postmaster@ministry.test', adminPassword),
    );
    assert.equal(admin?.is_admin, 1);
  });

  test('user add and list --json work on this store', async () => {
    const add = await cli('user', 'add', 'somchai@ministry.test', '--name', 'ສົມໃຈ');
    assert.equal(add.code, 0, add.stderr);
    const users = JSON.parse((await cli('user', 'list', '--json')).stdout) as {
      email: string;
      name: string;
    }[];
    assert.deepEqual(
      users.map((u) => [u.email, u.name]),
      [
        ['postmaster@ministry.test', 'Postmaster'],
        ['somchai@ministry.test', 'ສົມໃຈ'],
      ],
    );
  });
});

// The rest does not depend on the store (the core functions it calls are tested on both):
// it runs on SQLite only, to keep the suite fast.
describe('champa command line', () => {
  let env: CliEnv;
  let data: string;
  const cli = (...args: string[]) => runCli([...args, '--data', data]);

  before(async () => {
    env = await makeCliEnv('sqlite');
    data = env.data;
    const r = await initData(env, 'ministry.test');
    assert.doesNotMatch(r.stdout, /password:/);
  });
  after(() => env.cleanup());

  test('init refuses a folder that is not empty, and bad input', async () => {
    const again = await runCli(['init', '--data', data, '--domain', 'other.test']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /is not empty/);
    assert.ok(!hasStackTrace(again.stderr), again.stderr);

    const fresh = join(data, '..', 'fresh');
    const bad = await runCli(['init', '--data', fresh, '--domain', 'not a domain']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /not a valid domain/);
    const weak = join(data, '..', 'weak.txt');
    await writeFile(weak, 'short\n');
    const w = await runCli([
      'init',
      '--data',
      fresh,
      '--domain',
      'x.test',
      '--admin-password-file',
      weak,
    ]);
    assert.equal(w.code, 1);
    assert.match(w.stderr, /at least 10 characters/);
    await assert.rejects(stat(join(fresh, 'champa.json')));
  });

  test('user add, list --json, passwd, disable, enable and remove', async () => {
    const add = await cli(
      'user',
      'add',
      'Somchai@Ministry.test',
      '--name',
      'ສົມໃຈ ພົມມະຈັນ',
      '--quota',
      '500M',
    );
    assert.equal(add.code, 0, add.stderr);
    const generated = /password: (\S+)/.exec(add.stdout)?.[1];
    assert.ok(generated, add.stdout);

    const list = await cli('user', 'list', '--json');
    assert.equal(list.code, 0, list.stderr);
    const users = JSON.parse(list.stdout) as {
      email: string;
      name: string;
      quotaBytes: number;
      admin: boolean;
    }[];
    const s = users.find((u) => u.email === 'somchai@ministry.test');
    assert.equal(s?.name, 'ສົມໃຈ ພົມມະຈັນ');
    assert.equal(s?.quotaBytes, 500 * 1024 * 1024);
    assert.equal(s?.admin, false);
    assert.equal(users.find((u) => u.email === 'postmaster@ministry.test')?.admin, true);

    const table = await cli('user', 'list', '--domain', 'ministry.test');
    assert.match(table.stdout, /^somchai@ministry\.test\s+ສົມໃຈ ພົມມະຈັນ\s+0\s+500M\s+no\s+no$/m);

    const pw = await runCli(
      ['user', 'passwd', 'somchai@ministry.test', '--password-stdin', '--data', data],
      {
        input: 'ລະຫັດຜ່ານໃໝ່ long enough\n',
      },
    );
    assert.equal(pw.code, 0, pw.stderr);
    await withDataCore(data, async (core) => {
      assert.ok(await authenticate(core, 'somchai@ministry.test', 'ລະຫັດຜ່ານໃໝ່ long enough'));
      assert.equal(await authenticate(core, 'somchai@ministry.test', generated), null);
    });

    assert.equal((await cli('user', 'disable', 'somchai@ministry.test')).code, 0);
    const disabled = JSON.parse((await cli('user', 'list', '--json')).stdout) as {
      email: string;
      disabled: boolean;
    }[];
    assert.equal(disabled.find((u) => u.email === 'somchai@ministry.test')?.disabled, true);
    assert.equal((await cli('user', 'enable', 'somchai@ministry.test')).code, 0);

    const file = join(data, '..', 'pw.txt');
    await writeFile(file, 'from a file, long enough\n');
    const add2 = await cli('user', 'add', 'noy@ministry.test', '--password-file', file);
    assert.equal(add2.code, 0, add2.stderr);
    assert.doesNotMatch(add2.stdout, /password/);
    const rm = await cli('user', 'remove', 'noy@ministry.test');
    assert.equal(rm.code, 0, rm.stderr);
    const after = JSON.parse((await cli('user', 'list', '--json')).stdout) as { email: string }[];
    assert.ok(!after.some((u) => u.email === 'noy@ministry.test'));
  });

  test('aliases and domains', async () => {
    const a = await cli('alias', 'add', 'director@ministry.test', 'somchai@ministry.test');
    assert.equal(a.code, 0, a.stderr);
    const list = JSON.parse((await cli('alias', 'list', '--json')).stdout) as {
      address: string;
      target: string;
    }[];
    assert.deepEqual(
      list.map((x) => [x.address, x.target]),
      [['director@ministry.test', 'somchai@ministry.test']],
    );
    const taken = await cli('user', 'add', 'director@ministry.test');
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already in use/);
    assert.equal((await cli('alias', 'remove', 'director@ministry.test')).code, 0);
    assert.deepEqual(JSON.parse((await cli('alias', 'list', '--json')).stdout), []);

    const d = await cli('domain', 'add', 'school.ministry.test');
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^school\.ministry\.test\.\s.*MX\s+10 mail\.ministry\.test\.$/m);
    const domains = JSON.parse((await cli('domain', 'list', '--json')).stdout) as {
      name: string;
      accounts: number;
    }[];
    assert.deepEqual(
      domains.map((x) => [x.name, x.accounts]),
      [
        ['ministry.test', 2],
        ['school.ministry.test', 0],
      ],
    );
    const busy = await cli('domain', 'remove', 'ministry.test');
    assert.equal(busy.code, 1);
    assert.match(busy.stderr, /still has 2 account/);
    assert.equal((await cli('domain', 'remove', 'school.ministry.test')).code, 0);
  });

  test('queue list, retry and remove', async () => {
    const empty = await cli('queue', 'list', '--json');
    assert.deepEqual(JSON.parse(empty.stdout), []);
    const id = await withDataCore(data, (core) =>
      enqueue(core, {
        sender: 'somchai@ministry.test',
        recipients: [{ address: 'friend@elsewhere.example' }],
        raw: Buffer.from('Subject: hi\r\n\r\nhello\r\n'),
      }),
    );
    const listed = JSON.parse((await cli('queue', 'list', '--json')).stdout) as {
      queueId: number;
      recipient: string;
      status: string;
    }[];
    assert.deepEqual(
      listed.map((q) => [q.queueId, q.recipient, q.status]),
      [[id, 'friend@elsewhere.example', 'queued']],
    );
    const retry = await cli('queue', 'retry', String(id));
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stderr, /1 recipient/);
    const rm = await cli('queue', 'remove', String(id));
    assert.equal(rm.code, 0, rm.stderr);
    assert.deepEqual(JSON.parse((await cli('queue', 'list', '--json')).stdout), []);
    const gone = await cli('queue', 'remove', String(id));
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /no message with queue id/);
  });

  test('bad input exits 1 with a clear message and no stack trace', async () => {
    const cases: [string[], RegExp][] = [
      [['user', 'add', 'nobody@unknown.test'], /domain unknown\.test is not served here/],
      [['user', 'add', 'not-an-address'], /not a valid mail address/],
      [['user', 'add', 'x@ministry.test', '--quota', 'lots'], /quota "lots" is not a size/],
      [['user', 'passwd', 'somchai@ministry.test'], /--password-file or --password-stdin/],
      [['user', 'remove', 'ghost@ministry.test'], /no account ghost@ministry\.test/],
      [['alias', 'add', 'a@ministry.test', 'ghost@ministry.test'], /no account ghost/],
      [['queue', 'remove', 'abc'], /not a queue id/],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    for (const [i, [args, message]] of cases.entries()) {
      const r = results[i]!;
      assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.ok(!hasStackTrace(r.stderr), r.stderr);
    }
    const missing = await runCli(['user', 'list', '--data', join(data, '..', 'nowhere')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no Champa data folder .* create one with "champa init/);
  });

  test('bin/champa.js (what npx champa runs) runs the same command line', async () => {
    const bin = fileURLToPath(new URL('../../bin/champa.js', import.meta.url));
    const child = spawnSync(process.execPath, [bin, 'user', 'list', '--json', '--data', data], {
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    assert.ok(
      (JSON.parse(child.stdout) as { email: string }[]).some(
        (u) => u.email === 'postmaster@ministry.test',
      ),
    );
    const version = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
    assert.match(version.stdout, /^\d+\.\d+\.\d+/);
  });

  test('a config with an unknown or wrong key names the key', async () => {
    const dir = join(data, '..', 'badconfig');
    await mkdir(dir);
    await writeFile(
      join(dir, 'champa.json'),
      JSON.stringify({
        hostname: 'mail.x.test',
        primaryDomain: 'x.test',
        lisen: {},
        smtp: { maxRecipients: 'many' },
      }),
    );
    const r = await runCli(['user', 'list', '--data', dir]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /lisen/);
    assert.match(r.stderr, /smtp\.maxRecipients/);
    assert.ok(!hasStackTrace(r.stderr), r.stderr);
  });
});
