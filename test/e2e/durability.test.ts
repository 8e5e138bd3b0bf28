// Nothing acknowledged is lost: every message answered 250 is in its mailbox after the server
// is killed with SIGKILL (no drain, no flush) and started again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { allPortsZero, forEachStore } from '../helpers/stores.ts';
import { initData, makeCliEnv, withDataCore, type CliEnv } from '../helpers/cli.ts';
import { patchConfig, serve } from '../helpers/serve.ts';
import { Talk } from '../smtp/setup.ts';
import { getAccount } from '../../src/core/accounts.ts';
import { mailboxByRole } from '../../src/core/mailboxes.ts';
import { mailboxMessages } from '../../src/core/messages.ts';
import { readMessage } from '../../src/core/deliver.ts';

const COUNT = 25;

function message(i: number): string {
  return (
    `From: teacher@school.example\r\nTo: postmaster@ministry.test\r\n` +
    `Subject: report ${i}\r\nMessage-ID: <r${i}@school.example>\r\n\r\n` +
    `${'ລາຍງານ '.repeat(200)}\r\nend of report ${i}\r\n.\r\n`
  );
}

forEachStore('durability', (kind) => {
  let env: CliEnv;
  before(async () => {
    env = await makeCliEnv(kind);
    await initData(env, 'ministry.test', ['--hostname', 'localhost']);
    await patchConfig(env.data, {
      listen: { address: '127.0.0.1', ports: allPortsZero() },
    });
  });
  after(() => env.cleanup());

  test('every message acknowledged with 250 survives kill -9 and a restart', async () => {
    const first = await serve(env.data);
    const { talk } = await Talk.open(first.ports.smtp!);
    assert.match(await talk.cmd('EHLO school.example'), /^250/);
    let acked = 0;
    for (let i = 0; i < COUNT; i++) {
      assert.match(await talk.cmd('MAIL FROM:<teacher@school.example>'), /^250/);
      assert.match(await talk.cmd('RCPT TO:<postmaster@ministry.test>'), /^250/);
      assert.match(await talk.cmd('DATA'), /^354/);
      talk.send(message(i));
      const reply = await talk.reply();
      if (i === COUNT - 1) first.child.kill('SIGKILL'); // the instant the last 250 arrives
      assert.match(reply, /^250/);
      acked++;
    }
    await first.kill();
    talk.close();

    const second = await serve(env.data);
    assert.equal(await second.stop(), 0, second.stderr() + second.stdout());

    await withDataCore(env.data, async (core) => {
      const account = await getAccount(core, 'postmaster@ministry.test');
      const inbox = await mailboxByRole(core.db, account!.id, 'inbox');
      const rows = await mailboxMessages(core.db, account!.id, inbox!.id);
      assert.equal(rows.length, acked);
      for (const [i, row] of rows.entries()) {
        const raw = (await readMessage(core, account!.id, row.emailId)).toString();
        assert.match(raw, new RegExp(`end of report ${i}\\r\\n$`));
      }
    });
  });
});
