// Port 110 in clear from loopback: by default no USER/SASL in CAPA and USER/PASS/AUTH refused;
// with security.allowPlaintextOnLoopback on, offered and accepted.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { forEachStore } from '../helpers/stores.ts';
import { ALICE, PASSWORD, plain, Pop3Client, pop3Env, type Pop3TestEnv } from './setup.ts';

forEachStore('POP3 sign-in in clear from loopback', (kind) => {
  let env: Pop3TestEnv;
  before(async () => {
    env = await pop3Env(kind);
  });
  after(() => env.close());

  it('off (the default): only STLS offered; USER, PASS and AUTH refused', async () => {
    assert.equal(env.core.config.security.allowPlaintextOnLoopback, false);
    const { c } = await Pop3Client.open(env.doors.ports.pop3);
    const caps = await c.multi('CAPA');
    assert.ok(caps.lines.includes('STLS'));
    assert.ok(!caps.lines.includes('USER'));
    assert.ok(!caps.lines.includes('SASL PLAIN'));
    assert.match(await c.cmd(`USER ${ALICE}`), /^-ERR \[AUTH\]/);
    assert.match(await c.cmd(`PASS ${PASSWORD}`), /^-ERR \[AUTH\]/);
    assert.match(await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`), /^-ERR \[AUTH\]/);
    await c.quit();
  });

  it('on: USER and SASL PLAIN offered, and both sign in from 127.0.0.1', async () => {
    env.core.config.security.allowPlaintextOnLoopback = true;
    try {
      const { c } = await Pop3Client.open(env.doors.ports.pop3);
      const caps = await c.multi('CAPA');
      for (const cap of ['STLS', 'USER', 'SASL PLAIN'])
        assert.ok(caps.lines.includes(cap), `${cap} in ${caps.lines.join(',')}`);
      assert.deepEqual((await c.multi('AUTH')).lines, ['PLAIN']);
      assert.match(await c.cmd(`USER ${ALICE}`), /^\+OK/);
      assert.match(await c.cmd(`PASS ${PASSWORD}`), /^\+OK/);
      assert.match(await c.cmd('STAT'), /^\+OK 0 0/);
      await c.quit();
      const { c: d } = await Pop3Client.open(env.doors.ports.pop3);
      assert.match(await d.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`), /^\+OK/);
      await d.quit();
    } finally {
      env.core.config.security.allowPlaintextOnLoopback = false;
    }
  });
});
