// The POP3 doors against Debian's curl, a real POP3 client: a message retrieved over 995 and
// over 110 with STLS (curl's AUTH PLAIN with a continuation) byte for byte, the message list
// and UIDL, DELE through a custom request, and no sign-in without TLS.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { forEachStore } from '../helpers/stores.ts';
import { ALICE, message, PASSWORD, pop3Env, type Pop3TestEnv } from './setup.ts';

const HAVE_CURL = spawnSync('curl', ['--version']).status === 0;
const skip = HAVE_CURL ? false : 'curl is not installed (apt-get install -y curl)';

function curl(args: string[]): Promise<{ code: number; out: Buffer; err: string }> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '-k', '--max-time', '20', '-u', `${ALICE}:${PASSWORD}`, ...args],
      { encoding: 'buffer' },
      (e, stdout, stderr) => {
        const code = e ? Number((e as { code?: number }).code ?? 1) : 0;
        resolve({ code, out: stdout, err: stderr.toString() });
      },
    );
  });
}

const LAO = 'ແຈ້ງການ ກະຊວງສຶກສາທິການ ແລະ ກິລາ';

forEachStore('POP3 with curl', (kind) => {
  let env: Pop3TestEnv;
  let msgs: Buffer[];
  let ids: string[];
  let s: string;
  let p: string;
  before(async () => {
    env = await pop3Env(kind);
    msgs = [message(LAO, `${LAO}\n.line with a dot\nend`), message('second', 'two')];
    ids = [];
    for (const m of msgs) ids.push(await env.deliver(env.alice, m));
    s = `pop3s://127.0.0.1:${env.doors.ports.pop3s}`;
    p = `pop3://127.0.0.1:${env.doors.ports.pop3}`;
  });
  after(() => env.close());

  it('retrieves message 1 over 995 byte for byte', { skip }, async () => {
    const r = await curl([`${s}/1`]);
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.equals(msgs[0]!), r.out.toString());
  });

  it('retrieves over 110 with STLS (--ssl-reqd), and lists the messages', { skip }, async () => {
    const one = await curl(['--ssl-reqd', `${p}/2`]);
    assert.equal(one.code, 0, one.err);
    assert.ok(one.out.equals(msgs[1]!));
    const list = await curl(['--ssl-reqd', `${p}/`]);
    assert.equal(list.code, 0, list.err);
    assert.equal(list.out.toString(), `1 ${msgs[0]!.length}\r\n2 ${msgs[1]!.length}\r\n`);
  });

  it('gives the unique ids with -X UIDL', { skip }, async () => {
    const r = await curl(['-X', 'UIDL', `${s}/`]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.toString(), `1 ${ids[0]}\r\n2 ${ids[1]}\r\n`);
  });

  it('cannot sign in without TLS', { skip }, async () => {
    const r = await curl([`${p}/1`]);
    assert.notEqual(r.code, 0);
    assert.equal(r.out.length, 0);
  });

  it('deletes with -X DELE; the message is gone in the next session', { skip }, async () => {
    const extra = await env.deliver(env.alice, message('to delete', 'bye'));
    const r = await curl(['-X', 'DELE', '-I', `${s}/3`]);
    assert.equal(r.code, 0, r.err);
    const after = await curl(['-X', 'UIDL', `${s}/`]);
    assert.doesNotMatch(after.out.toString(), new RegExp(extra));
    assert.equal(after.out.toString(), `1 ${ids[0]}\r\n2 ${ids[1]}\r\n`);
  });
});
