// `champa serve` as an administrator runs it: it starts, says `champa: ready` once every
// listener is up, takes mail, and on SIGTERM closes cleanly with exit code 0.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { allPortsZero, forEachStore } from '../helpers/stores.ts';
import { MAIN, initData, makeCliEnv, runCli, type CliEnv } from '../helpers/cli.ts';
import { startDns, type FakeDns } from '../helpers/dns.ts';

forEachStore('champa serve', (kind) => {
  let env: CliEnv;
  let dns: FakeDns;
  before(async () => {
    env = await makeCliEnv(kind);
    dns = await startDns();
    await initData(env, 'ministry.test', ['--hostname', 'localhost']);
    const file = join(env.data, 'champa.json');
    const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    config.listen = { address: '127.0.0.1', ports: allPortsZero() };
    config.dns = { servers: [dns.server] };
    await writeFile(file, JSON.stringify(config));
  });
  after(async () => {
    await dns.close();
    await env.cleanup();
  });

  test('starts, prints ready once, takes mail, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, [MAIN, 'serve', '--data', env.data], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = once(child, 'exit');
    const smtpPort = await new Promise<number>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        const port = /"door":"smtp","address":"127\.0\.0\.1","port":(\d+)/.exec(stdout)?.[1];
        if (stdout.includes('champa: ready\n') && port) resolve(Number(port));
      });
      child.on('exit', (code) => reject(new Error(`serve exited early (${code}): ${stderr}`)));
    });
    const lines = stdout.split('\n');
    assert.equal(lines.filter((l) => l === 'champa: ready').length, 1);
    for (const door of ['smtp', 'submission', 'submissions'])
      assert.ok(
        lines.some((l) => l.includes(`"door":"${door}"`)),
        `a log line for ${door}: ${stdout}`,
      );

    const mx = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpPort,
      secure: false,
      tls: { rejectUnauthorized: false },
    });
    const info = await mx.sendMail({
      from: 'teacher@school.example',
      to: 'postmaster@ministry.test',
      subject: 'ລາຍງານປະຈຳເດືອນ',
      text: 'monthly report',
    });
    assert.deepEqual(info.accepted, ['postmaster@ministry.test']);
    mx.close();

    child.kill('SIGTERM');
    const [code] = await exited;
    assert.equal(code, 0, stderr);

    const exported = await runCli([
      'mail',
      'export',
      'postmaster@ministry.test',
      '--data',
      env.data,
    ]);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stdout, /^Subject: =\?UTF-8\?/m);
    assert.match(exported.stdout, /monthly report/);
  });
});
