// The POP3 doors over real sockets with a raw client: CAPA before and after STLS, sign-in
// only over TLS, STAT/LIST/RETR/TOP/UIDL byte for byte (a Lao message among them), DELE with
// RSET and QUIT (the INBOX, the change log and the quota follow), a message expunged by
// another session, pipelining, STLS injection, and hostile input.
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import { mailboxByRole } from '../../src/core/mailboxes.ts';
import { mailboxMessages } from '../../src/core/messages.ts';
import { forEachStore } from '../helpers/stores.ts';
import { ALICE, message, PASSWORD, plain, Pop3Client, pop3Env, type Pop3TestEnv } from './setup.ts';

const LAO_SUBJECT = 'ກອງປະຊຸມ ກະຊວງສຶກສາທິການ ແລະ ກິລາ';
const LAO_BODY = 'ຂໍແຈ້ງການປະຊຸມ ວັນຈັນ\n.ແຖວນີ້ເລີ່ມດ້ວຍຈຸດ\n..\n.\nທ້າຍ';

forEachStore('POP3 door', (kind) => {
  let env: Pop3TestEnv;
  let msgs: Buffer[];
  let ids: string[];
  before(async () => {
    env = await pop3Env(kind);
    msgs = [
      message('Monthly report', 'Hello,\nthe report is attached.\nRegards'),
      message(LAO_SUBJECT, LAO_BODY),
      message('Third', 'one\ntwo\nthree\nfour'),
    ];
    ids = [];
    for (const m of msgs) ids.push(await env.deliver(env.alice, m));
  });
  after(() => env.close());

  it('greets without an APOP timestamp; CAPA offers STLS before TLS and USER/SASL after', async () => {
    const { c, greeting } = await Pop3Client.open(env.doors.ports.pop3);
    assert.match(greeting, /^\+OK /);
    assert.doesNotMatch(greeting, /<.*@.*>/);
    const before = await c.multi('CAPA');
    assert.match(before.status, /^\+OK/);
    for (const cap of ['TOP', 'UIDL', 'RESP-CODES', 'AUTH-RESP-CODE', 'PIPELINING', 'STLS'])
      assert.ok(before.lines.includes(cap), `${cap} in ${before.lines.join(',')}`);
    assert.ok(!before.lines.includes('USER'));
    assert.ok(before.lines.some((l) => l.startsWith('IMPLEMENTATION ')));
    assert.match(await c.stls(), /^\+OK/);
    const after = await c.multi('CAPA');
    assert.ok(after.lines.includes('USER'));
    assert.ok(after.lines.includes('SASL PLAIN'));
    assert.ok(!after.lines.includes('STLS'));
    assert.match(await c.cmd('STLS'), /^-ERR/);
    assert.match(await c.quit(), /^\+OK/);
  });

  it('refuses USER, PASS and AUTH before TLS with -ERR [AUTH]', async () => {
    const { c } = await Pop3Client.open(env.doors.ports.pop3);
    assert.match(await c.cmd(`USER ${ALICE}`), /^-ERR \[AUTH\] /);
    assert.match(await c.cmd(`PASS ${PASSWORD}`), /^-ERR \[AUTH\] /);
    assert.match(await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`), /^-ERR \[AUTH\] /);
    assert.match(await c.cmd('STAT'), /^-ERR/);
    c.close();
  });

  it('STAT, LIST and RETR over port 995: sizes are the bytes RETR sends, byte for byte', async () => {
    const c = await Pop3Client.login(env.doors.ports.pop3s, { tls: true });
    const total = msgs.reduce((s, m) => s + m.length, 0);
    assert.equal(await c.cmd('STAT'), `+OK 3 ${total}`);
    const list = await c.multi('LIST');
    assert.match(list.status, /^\+OK 3 messages/);
    assert.deepEqual(
      list.lines,
      msgs.map((m, i) => `${i + 1} ${m.length}`),
    );
    for (let i = 0; i < msgs.length; i++) {
      const r = await c.multi(`RETR ${i + 1}`);
      assert.equal(r.status, `+OK ${msgs[i]!.length} octets`);
      assert.equal(r.body.length, msgs[i]!.length);
      assert.ok(r.body.equals(msgs[i]!), `message ${i + 1} differs`);
    }
    assert.equal(await c.cmd('LIST 2'), `+OK 2 ${msgs[1]!.length}`);
    assert.match(await c.quit(), /^\+OK/);
  });

  it('a Lao message with lines starting with "." comes back byte for byte (stuffed on the wire)', async () => {
    const c = await Pop3Client.login(env.doors.ports.pop3);
    const r = await c.multi('RETR 2');
    assert.ok(r.body.equals(msgs[1]!));
    assert.ok(r.body.toString('utf8').includes(`Subject: ${LAO_SUBJECT}`));
    assert.ok(r.lines.includes('.ແຖວນີ້ເລີ່ມດ້ວຍຈຸດ'));
    assert.ok(r.lines.includes('..'));
    assert.ok(r.lines.includes('.'));
    assert.match(await c.quit(), /^\+OK/);
  });

  it('TOP sends the header, the blank line and n body lines', async () => {
    const c = await Pop3Client.login(env.doors.ports.pop3s, { tls: true });
    const head = msgs[2]!.toString().split('\r\n\r\n')[0]!;
    const t0 = await c.multi('TOP 3 0');
    assert.equal(t0.body.toString(), `${head}\r\n\r\n`);
    const t2 = await c.multi('TOP 3 2');
    assert.equal(t2.body.toString(), `${head}\r\n\r\none\r\ntwo\r\n`);
    const all = await c.multi('TOP 3 100');
    assert.ok(all.body.equals(msgs[2]!));
    assert.match(await c.cmd('TOP 3'), /^-ERR/);
    assert.match(await c.cmd('TOP 3 -1'), /^-ERR/);
    c.close();
  });

  it('UIDL gives the email ids, the same in every session', async () => {
    const a = await Pop3Client.login(env.doors.ports.pop3s, { tls: true });
    const first = await a.multi('UIDL');
    assert.deepEqual(
      first.lines,
      ids.map((id, i) => `${i + 1} ${id}`),
    );
    for (const id of ids) assert.match(id, /^[\x21-\x7e]{1,70}$/);
    assert.equal(await a.cmd('UIDL 2'), `+OK 2 ${ids[1]}`);
    await a.quit();
    const b = await Pop3Client.login(env.doors.ports.pop3);
    assert.deepEqual((await b.multi('UIDL')).lines, first.lines);
    await b.quit();
  });

  it('AUTH PLAIN with an initial response, with a continuation, and cancelled', async () => {
    const a = await Pop3Client.open(env.doors.ports.pop3s, { tls: true });
    assert.deepEqual((await a.c.multi('AUTH')).lines, ['PLAIN']);
    assert.match(await a.c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`), /^\+OK/);
    assert.match(await a.c.cmd('STAT'), /^\+OK 3 /);
    await a.c.quit();

    const b = await Pop3Client.open(env.doors.ports.pop3s, { tls: true });
    assert.equal(await b.c.cmd('AUTH PLAIN'), '+ ');
    assert.match(await b.c.cmd('*'), /^-ERR/);
    assert.equal(await b.c.cmd('AUTH PLAIN'), '+ ');
    assert.match(await b.c.cmd(plain(ALICE, PASSWORD)), /^\+OK/);
    await b.c.quit();

    const c = await Pop3Client.open(env.doors.ports.pop3s, { tls: true });
    const asBob = plain(ALICE, PASSWORD, 'bob@test.example');
    assert.match(await c.c.cmd(`AUTH PLAIN ${asBob}`), /^-ERR \[AUTH\]/);
    assert.match(await c.c.cmd('AUTH PLAIN !!!'), /^-ERR \[AUTH\]/);
    assert.match(await c.c.cmd('AUTH CRAM-MD5'), /^-ERR/);
    c.c.close();
  });

  it('a wrong password or unknown user is refused alike, and the session may try again', async () => {
    const { c } = await Pop3Client.open(env.doors.ports.pop3s, { tls: true });
    assert.match(await c.cmd(`USER ${ALICE}`), /^\+OK/);
    const wrong = await c.cmd('PASS not-the-password');
    assert.match(wrong, /^-ERR \[AUTH\] /);
    assert.match(await c.cmd('PASS again'), /^-ERR/, 'PASS needs a new USER');
    assert.match(await c.cmd('USER nobody@test.example'), /^\+OK/);
    assert.equal(await c.cmd(`PASS ${PASSWORD}`), wrong);
    assert.match(await c.cmd(`USER ${ALICE}`), /^\+OK/);
    assert.match(await c.cmd(`PASS ${PASSWORD}`), /^\+OK/);
    await c.quit();
  });

  it('commands outside their state and bad message numbers get -ERR', async () => {
    const { c } = await Pop3Client.open(env.doors.ports.pop3s, { tls: true });
    assert.match(await c.cmd('STAT'), /^-ERR/);
    assert.match(await c.cmd('RETR 1'), /^-ERR/);
    await c.cmd(`USER ${ALICE}`);
    await c.cmd(`PASS ${PASSWORD}`);
    assert.match(await c.cmd('USER x'), /^-ERR/);
    assert.match(await c.cmd('RETR 99'), /^-ERR/);
    assert.match(await c.cmd('RETR 0'), /^-ERR/);
    assert.match(await c.cmd('RETR x'), /^-ERR/);
    assert.match(await c.cmd('LIST 4'), /^-ERR/);
    assert.equal(await c.cmd('NOOP'), '+OK');
    c.close(); // no QUIT: nothing changes
  });

  it('answers pipelined commands in order', async () => {
    const c = await Pop3Client.login(env.doors.ports.pop3s, { tls: true });
    c.send('STAT\r\nLIST\r\nUIDL 1\r\nRETR 1\r\nNOOP\r\n');
    assert.match(await c.line(), /^\+OK 3 /);
    assert.equal((await c.readMulti()).lines.length, 3);
    assert.equal(await c.line(), `+OK 1 ${ids[0]}`);
    assert.ok((await c.readMulti()).body.equals(msgs[0]!));
    assert.equal(await c.line(), '+OK');
    await c.quit();
  });

  it('STLS ignores commands the client sent before the handshake (RFC 2595 §4)', async () => {
    const { c } = await Pop3Client.open(env.doors.ports.pop3);
    assert.match(await c.stls(`USER ${ALICE}\r\nPASS ${PASSWORD}\r\nCAPA\r\n`), /^\+OK/);
    const capa = await c.multi('CAPA');
    assert.ok(capa.lines.includes('USER'), 'the first reply after TLS answers our CAPA');
    assert.match(await c.cmd('STAT'), /^-ERR/, 'the injected USER/PASS did not sign in');
    c.close();
  });

  it('DELE then RSET keeps the message; DELE then QUIT removes it for every door', async () => {
    const bob = env.bob;
    const bobId = Number(bob.id);
    const raws = [message('keep', 'one'), message('drop', 'two'), message('keep too', 'three')];
    const bobIds: string[] = [];
    for (const m of raws) bobIds.push(await env.deliver(bob, m));
    const user = 'bob@test.example';
    const usedBefore = await usedBytes(env, bobId);
    const modseqBefore = await modseqOf(env, bobId);

    const a = await Pop3Client.login(env.doors.ports.pop3s, { tls: true, user });
    assert.match(await a.cmd('DELE 2'), /^\+OK/);
    assert.match(await a.cmd('DELE 2'), /^-ERR/);
    assert.match(await a.cmd('RETR 2'), /^-ERR/);
    assert.match(await a.cmd('STAT'), /^\+OK 2 /);
    assert.equal((await a.multi('LIST')).lines.length, 2);
    assert.match(await a.cmd('RSET'), /^\+OK maildrop has 3 messages/);
    assert.match(await a.cmd('STAT'), /^\+OK 3 /);
    assert.match(await a.quit(), /^\+OK/);
    assert.deepEqual(await inbox(env, bobId), bobIds, 'RSET kept everything');
    assert.equal(await modseqOf(env, bobId), modseqBefore, 'nothing changed, nothing logged');

    const { thread_id: thread } = await env.core.db
      .selectFrom('emails')
      .select('thread_id')
      .where('account_id', '=', bobId)
      .where('id', '=', bobIds[1]!)
      .executeTakeFirstOrThrow();
    const b = await Pop3Client.login(env.doors.ports.pop3, { user });
    assert.match(await b.cmd('DELE 2'), /^\+OK/);
    assert.match(await b.quit(), /^\+OK .*2 messages left/);
    assert.deepEqual(await inbox(env, bobId), [bobIds[0], bobIds[2]]);
    assert.equal(await usedBytes(env, bobId), usedBefore - raws[1]!.length);
    const changes = await env.core.db
      .selectFrom('changes')
      .select(['type', 'object_id', 'op', 'modseq'])
      .where('account_id', '=', bobId)
      .where('modseq', '>', modseqBefore)
      .execute();
    const mbox = await mailboxByRole(env.core.db, bobId, 'inbox');
    assert.deepEqual(changes.map((c) => [c.type, c.object_id, c.op]).sort(), [
      ['Email', bobIds[1], 'd'],
      ['Mailbox', mbox!.id, 'u'],
      ['Thread', thread, 'd'],
    ]);
    assert.equal(
      await env.core.db
        .selectFrom('emails')
        .select('id')
        .where('account_id', '=', bobId)
        .where('id', '=', bobIds[1]!)
        .executeTakeFirst(),
      undefined,
      'the email is destroyed',
    );

    const c = await Pop3Client.login(env.doors.ports.pop3s, { tls: true, user });
    assert.deepEqual(
      (await c.multi('UIDL')).lines,
      [`1 ${bobIds[0]}`, `2 ${bobIds[2]}`],
      'the next session sees two messages, ids unchanged',
    );
    await c.quit();
  });

  it('a message removed by another session meanwhile answers -ERR to RETR; QUIT still works', async () => {
    const id = await env.deliver(env.bob, message('shared', 'body'));
    const user = 'bob@test.example';
    const a = await Pop3Client.login(env.doors.ports.pop3s, { tls: true, user });
    const b = await Pop3Client.login(env.doors.ports.pop3s, { tls: true, user });
    const n = (await a.multi('UIDL')).lines.find((l) => l.endsWith(` ${id}`))!.split(' ')[0]!;
    assert.match(await b.cmd(`DELE ${n}`), /^\+OK/);
    assert.match(await b.quit(), /^\+OK/);
    assert.match(await a.cmd(`RETR ${n}`), /^-ERR .*no longer/);
    assert.match(await a.cmd(`TOP ${n} 0`), /^-ERR/);
    assert.match(await a.cmd(`DELE ${n}`), /^\+OK/);
    assert.match(await a.quit(), /^\+OK/, 'removing a message already gone is no error');
  });

  it('long lines, garbage and unknown commands get -ERR; too many end the connection; the server lives on', async () => {
    const { c } = await Pop3Client.open(env.doors.ports.pop3);
    assert.match(await c.cmd('X'.repeat(300)), /^-ERR line too long/);
    assert.match(await c.cmd(`CAPA ${'A'.repeat(100_000)}`), /^-ERR line too long/);
    assert.match(await c.cmd('FROB'), /^-ERR unknown command/);
    c.send(Buffer.from([0, 1, 2, 0xff, 0xfe, 0x0d, 0x0a]));
    assert.match(await c.line(), /^-ERR/);
    assert.match((await c.multi('CAPA')).status, /^\+OK/, 'still serving after bad input');
    const replies: string[] = [];
    for (let i = 0; i < 10; i++) replies.push(await c.cmd('GARBAGE'));
    assert.ok(replies.every((r) => r === '' || r.startsWith('-ERR')));
    assert.match(replies.filter(Boolean).at(-1)!, /too many bad commands/);
    await c.closed;
    const again = await Pop3Client.login(env.doors.ports.pop3s, { tls: true });
    assert.match(await again.cmd('STAT'), /^\+OK 3 /);
    await again.quit();
  });

  it('blocks an address after 10 failed sign-ins, even with the right password', async () => {
    // From an address of its own, so the block does not reach the other tests.
    const from = { tls: true, localAddress: '127.0.0.2' };
    const { c } = await Pop3Client.open(env.doors.ports.pop3s, from);
    // Failures against an unknown address: alice's own lockout (core/lockout.ts) stays clear.
    for (let i = 0; i < 10; i++) {
      await c.cmd(`USER nobody-${ALICE}`);
      assert.match(await c.cmd(`PASS wrong-${i}`), /^-ERR \[AUTH\]/);
    }
    await c.cmd(`USER ${ALICE}`);
    assert.match(await c.cmd(`PASS ${PASSWORD}`), /^-ERR \[SYS\/TEMP\]/);
    assert.match(await c.cmd(`AUTH PLAIN ${plain(ALICE, PASSWORD)}`), /^-ERR \[SYS\/TEMP\]/);
    c.close();
    const other = await Pop3Client.login(env.doors.ports.pop3s, { tls: true });
    assert.match(await other.cmd('STAT'), /^\+OK/, 'other addresses still sign in');
    await other.quit();
  });
});

forEachStore('POP3 idle timeout', (kind) => {
  let env: Pop3TestEnv;
  before(async () => {
    env = await pop3Env(kind, { limits: { idleMs: 300 } });
  });
  after(() => env.close());

  it('closes an idle connection without a word (RFC 1939 §3)', async () => {
    const { c } = await Pop3Client.open(env.doors.ports.pop3);
    await c.closed;
    assert.equal(await c.line(), '');
  });

  it('on shutdown tells a waiting client and closes', async () => {
    const { c } = await Pop3Client.open(env.doors.ports.pop3);
    await env.doors.close();
    assert.match(await c.line(), /^-ERR \[SYS\/TEMP\] server shutting down/);
    await c.closed;
  });
});

async function inbox(env: Pop3TestEnv, accountId: number): Promise<string[]> {
  const mbox = await mailboxByRole(env.core.db, accountId, 'inbox');
  return (await mailboxMessages(env.core.db, accountId, mbox!.id)).map((r) => r.emailId);
}

async function accountNumber(
  env: Pop3TestEnv,
  accountId: number,
  column: 'used_bytes' | 'modseq',
): Promise<number> {
  const r = await env.core.db
    .selectFrom('accounts')
    .select(column)
    .where('id', '=', accountId)
    .executeTakeFirstOrThrow();
  return Number(r[column as keyof typeof r]);
}

const usedBytes = (env: Pop3TestEnv, id: number) => accountNumber(env, id, 'used_bytes');
const modseqOf = (env: Pop3TestEnv, id: number) => accountNumber(env, id, 'modseq');
