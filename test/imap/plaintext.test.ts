// Port 143 in clear from loopback: by default LOGINDISABLED and LOGIN/AUTHENTICATE refused;
// with security.allowPlaintextOnLoopback on, AUTH=PLAIN offered and both sign in.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { forEachStore } from '../helpers/stores.ts';
import { imapEnv, PASSWORD, type ImapTestEnv } from './setup.ts';

/** A raw client on the plain port: `until` waits for a match and returns the buffer so far. */
async function plainClient(port: number): Promise<{
  sock: Socket;
  greeting: string;
  cmd(line: string, tag: string): Promise<string>;
}> {
  const sock = connect(port, '127.0.0.1');
  let buf = '';
  sock.on('data', (d: Buffer) => (buf += d.toString()));
  const until = async (re: RegExp): Promise<string> => {
    for (let i = 0; i < 250 && !re.test(buf); i++) await new Promise((r) => setTimeout(r, 20));
    const out = buf;
    buf = '';
    return out;
  };
  const greeting = await until(/\r\n/);
  return {
    sock,
    greeting,
    cmd: (line, tag) => {
      sock.write(`${tag} ${line}\r\n`);
      return until(new RegExp(`^${tag} `, 'm'));
    },
  };
}

const plainAuth = Buffer.from(`\0alice@test.example\0${PASSWORD}`).toString('base64');

forEachStore('IMAP sign-in in clear from loopback', (kind) => {
  let env: ImapTestEnv;
  before(async () => {
    env = await imapEnv(kind);
  });
  after(async () => env.close());

  test('off (the default): LOGINDISABLED, LOGIN and AUTHENTICATE refused', async () => {
    assert.equal(env.core.config.security.allowPlaintextOnLoopback, false);
    const c = await plainClient(env.doors.ports.imap);
    assert.match(c.greeting, /STARTTLS LOGINDISABLED/);
    assert.doesNotMatch(c.greeting, /AUTH=PLAIN/);
    assert.match(
      await c.cmd(`LOGIN alice@test.example ${PASSWORD}`, 'a'),
      /^a NO \[PRIVACYREQUIRED\]/m,
    );
    assert.match(await c.cmd(`AUTHENTICATE PLAIN ${plainAuth}`, 'b'), /^b NO \[PRIVACYREQUIRED\]/m);
    c.sock.destroy();
  });

  test('on: AUTH=PLAIN offered, LOGIN and AUTHENTICATE work in clear from 127.0.0.1', async () => {
    env.core.config.security.allowPlaintextOnLoopback = true;
    try {
      const c = await plainClient(env.doors.ports.imap);
      assert.match(c.greeting, /STARTTLS/);
      assert.match(c.greeting, /AUTH=PLAIN/);
      assert.doesNotMatch(c.greeting, /LOGINDISABLED/);
      const caps = await c.cmd('CAPABILITY', 'a');
      assert.match(caps, /^\* CAPABILITY .*AUTH=PLAIN/m);
      assert.doesNotMatch(caps, /LOGINDISABLED/);
      assert.match(await c.cmd(`LOGIN alice@test.example ${PASSWORD}`, 'b'), /^b OK /m);
      assert.match(await c.cmd('SELECT INBOX', 'c'), /^c OK /m);
      c.sock.destroy();
      const d = await plainClient(env.doors.ports.imap);
      assert.match(await d.cmd(`AUTHENTICATE PLAIN ${plainAuth}`, 'a'), /^a OK /m);
      d.sock.destroy();
    } finally {
      env.core.config.security.allowPlaintextOnLoopback = false;
    }
  });
});
