// Bulk import over HTTPS, as the console does it: upload a CSV (text/csv) for a preview with
// each row's problems by line, apply it as a job, poll its progress (the light view without
// rows, as the console does), fetch the rows once it has ended, download the result.
// Hostile input: another encoding (refused with a clear message), missing columns, 10,000
// rows of which some are bad (duplicates, unknown domain, bad quota, a unit outside the
// provincial administrator's reach): the good land, the bad are reported by line, nothing is
// half-created. Then the two ways of handing out accounts: generated initial passwords in the
// result file (they sign in), and welcome links mailed to personal addresses (the link sets
// the password once; the account then signs in).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import PostalMime from 'postal-mime';
import type { Core } from '../../src/core/core.ts';
import { getAccount, insertAccount } from '../../src/core/accounts.ts';
import { listAudit } from '../../src/core/audit.ts';
import { hashPassword } from '../../src/core/passwords.ts';
import { grantRole } from '../../src/core/roles.ts';
import { verifySignIn } from '../../src/core/signin.ts';
import { parseCsv } from '../../src/util/csv.ts';
import { startHttp, type HttpDoors } from '../../src/http/server.ts';
import { forEachStore, makeCore } from '../helpers/stores.ts';
import { testCert } from '../helpers/tls.ts';
import { DOMAIN, seedTree } from '../admin/setup.ts';
import { call, type Reply } from './client.ts';

const PASSWORD = 'correct-horse-battery';
const VTE = '/ministry/provinces/vientiane';
const LPB = '/ministry/provinces/luangprabang';
const LAO = ['ສົມພອນ ແກ້ວມະນີ', 'ບຸນມີ ພົມມະຈັນ', 'ຄຳຫລ້າ ສີສຸລາດ', 'ແສງເດືອນ ວົງສາ'];

interface Job {
  id: string;
  state: string;
  done: number;
  total: number;
  summary: Record<string, number>;
  rows: { line: number; email: string; status: string; errors: string[]; welcomeTo?: string }[];
}

forEachStore('admin API bulk import', (kind) => {
  let core: Core;
  let doors: HttpDoors;
  let close: () => Promise<void>;

  const auth = { user: `vte-admin@${DOMAIN}`, pass: PASSWORD };
  const upload = (csv: string | Buffer, query = '', type = 'text/csv'): Promise<Reply> =>
    call(doors.ports.https, `/api/admin/imports${query}`, {
      method: 'POST',
      auth,
      headers: { 'content-type': type },
      body: csv,
    });
  const get = (path: string): Promise<Reply> => call(doors.ports.https, path, { auth });
  const post = (path: string, body?: unknown): Promise<Reply> =>
    call(doors.ports.https, path, {
      method: 'POST',
      auth,
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
  const accounts = async (): Promise<number> =>
    Number(
      (
        await core.db
          .selectFrom('accounts')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  /**
   * Applies a preview and polls its progress to the end, as the console's progress bar does:
   * the progress view has the counts and no rows; the rows are fetched once, at the end.
   */
  async function applyAndWait(id: string, body?: unknown): Promise<Job> {
    const started = await post(`/api/admin/imports/${id}/apply`, body);
    assert.equal(started.status, 202, started.body.toString());
    assert.equal((started.json() as Job).state, 'running');
    let done = 0;
    for (;;) {
      const r = await get(`/api/admin/imports/${id}/progress`);
      assert.equal(r.status, 200);
      const progress = r.json() as Omit<Job, 'rows'> & { rows?: unknown };
      assert.equal(progress.rows, undefined, 'no rows in the progress view');
      assert.equal(progress.id, id);
      assert.ok(progress.done <= progress.total);
      assert.ok(progress.done >= done, 'progress never goes back');
      done = progress.done;
      if (progress.state !== 'running') {
        const full = (await get(`/api/admin/imports/${id}`)).json() as Job;
        assert.equal(full.state, progress.state);
        assert.deepEqual(full.summary, progress.summary);
        assert.equal(progress.done, progress.total);
        return full;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  before(async () => {
    const h = await makeCore(kind);
    core = h.core;
    await seedTree(core);
    const hash = await hashPassword(PASSWORD);
    await core.db.transaction().execute(async (trx) => {
      await insertAccount(trx, { email: `vte-admin@${DOMAIN}`, unitPath: VTE }, hash);
      for (let k = 0; k < 11; k++)
        await insertAccount(trx, { email: `taken${k}@${DOMAIN}`, unitPath: LPB }, hash);
    });
    await grantRole(core, `vte-admin@${DOMAIN}`, 'unit_admin', VTE, 'test');
    doors = await startHttp(core, await testCert());
    close = async () => {
      await doors.close();
      await h.close();
    };
  });
  after(() => close());

  test('another encoding is refused with a message naming the fix; nothing is kept', async () => {
    const latin1 = Buffer.from(`email,name,unit\nrene@${DOMAIN},Ren\xe9,${VTE}\n`, 'latin1');
    const r = await upload(latin1);
    assert.equal(r.status, 400);
    const p = r.json() as { detail: string; errors: { field: string; message: string }[] };
    assert.match(p.detail, /not UTF-8 .*line 2.*CSV UTF-8/);
    assert.equal(p.errors[0]?.field, '(body)');
    const utf16 = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from('email,name,unit\n', 'utf16le'),
    ]);
    assert.match((await upload(utf16)).body.toString(), /UTF-16/);
    const declared = await upload(
      Buffer.from('email,name,unit\n'),
      '',
      'text/csv; charset=windows-1252',
    );
    assert.equal(declared.status, 400);
    assert.match(declared.body.toString(), /windows-1252.*CSV UTF-8/);
    const json = await upload('{"email":"x"}', '', 'application/json');
    assert.equal(json.status, 400);
    assert.match(json.body.toString(), /text\/csv/);
  });

  test('missing columns are named', async () => {
    const r = await upload(`email,unit\na@${DOMAIN},${VTE}\n`);
    assert.equal(r.status, 400);
    assert.match(r.body.toString(), /missing: name/);
  });

  test('10,000 rows with bad ones: preview writes nothing; apply lands the good, reports the bad by line', async () => {
    const lines = ['email,name,unit,quota,personal_email'];
    const bad = new Map<number, RegExp>();
    for (let i = 0; i < 10_000; i++) {
      const line = i + 2;
      let row = `staff${i}@${DOMAIN},${LAO[i % LAO.length]},${VTE}/district-${i % 5},2G,person${i}@home.example`;
      if (i % 997 === 1) {
        row = `staff${i}@nowhere.example,ນ້ອຍ,${VTE},1G,`;
        bad.set(line, /domain nowhere\.example is not served/);
      } else if (i % 997 === 2) {
        row = `staff0@${DOMAIN},ຊ້ຳ,${VTE},1G,`;
        bad.set(line, /duplicate address/);
      } else if (i % 997 === 3) {
        row = `staff${i}@${DOMAIN},ໂຄຕ້າ,${VTE},lots,`;
        bad.set(line, /quota "lots" is not a size/);
      } else if (i % 997 === 4) {
        row = `staff${i}@${DOMAIN},ຫລວງພະບາງ,${LPB},1G,`;
        bad.set(line, /outside your reach/);
      } else if (i % 997 === 5) {
        row = `taken${Math.floor(i / 997)}@${DOMAIN},ມີແລ້ວ,${VTE},1G,`;
        bad.set(line, /already in use/);
      }
      lines.push(row);
    }
    const before = await accounts();
    const r = await upload(lines.join('\n'), '?source=staff.csv');
    assert.equal(r.status, 201, r.body.toString().slice(0, 500));
    const preview = r.json() as Job;
    assert.equal(preview.state, 'preview');
    assert.equal(preview.rows.length, 10_000);
    assert.equal(preview.summary.error, bad.size);
    assert.equal(preview.summary.create, 10_000 - bad.size);
    for (const row of preview.rows) {
      const why = bad.get(row.line);
      if (why) {
        assert.equal(row.status, 'error', `line ${row.line}`);
        assert.match(row.errors.join('; '), why, `line ${row.line}`);
      } else assert.equal(row.status, 'create', `line ${row.line}: ${row.errors.join('; ')}`);
    }
    assert.equal(await accounts(), before, 'a preview writes nothing');

    // The progress view of 10,000 rows is a few hundred bytes; the job with its rows is not.
    const light = await get(`/api/admin/imports/${preview.id}/progress`);
    const heavy = await get(`/api/admin/imports/${preview.id}`);
    assert.equal((light.json() as Job).state, 'preview');
    assert.ok(light.body.length < 1000, `${light.body.length} bytes`);
    assert.ok(heavy.body.length > 100 * light.body.length);
    // Only the one who uploaded it sees it.
    const other = await call(doors.ports.https, `/api/admin/imports/${preview.id}/progress`, {
      auth: { user: `taken0@${DOMAIN}`, pass: PASSWORD },
    });
    assert.equal(other.status, 404);

    const job = await applyAndWait(preview.id);
    assert.equal(job.state, 'done');
    assert.equal(job.summary.created, 10_000 - bad.size);
    assert.equal(job.summary.error, bad.size);
    assert.equal(await accounts(), before + 10_000 - bad.size);
    // Nothing half-created: every created account has its six mailboxes and its welcome token;
    // no refused row left a trace.
    const mailboxes = Number(
      (
        await core.db
          .selectFrom('mailboxes')
          .innerJoin('accounts', 'accounts.id', 'mailboxes.account_id')
          .where('accounts.email', 'like', 'staff%')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    assert.equal(mailboxes, 6 * (10_000 - bad.size));
    assert.equal(await getAccount(core, `staff${4}@${DOMAIN}`), undefined); // line 6: LPB
    const tokens = Number(
      (
        await core.db
          .selectFrom('welcome_tokens')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    assert.equal(tokens, 10_000 - bad.size);
    const queued = Number(
      (
        await core.db
          .selectFrom('queue_recipients')
          .where('recipient', 'like', 'person%@home.example')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    assert.equal(queued, 10_000 - bad.size, 'one welcome mail per created account');
    const denied = await listAudit(core, { action: 'account.create', outcome: 'denied' });
    assert.ok(denied.some((a) => a.actor === `vte-admin@${DOMAIN}` && a.unitPath === LPB));

    // The result file names each row's outcome by line.
    const res = await get(`/api/admin/imports/${preview.id}/result`);
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /^text\/csv/);
    assert.match(String(res.headers['content-disposition']), /attachment/);
    const records = parseCsv(res.body.toString('utf8'));
    assert.deepEqual(records[0]?.fields, [
      'line',
      'email',
      'status',
      'password',
      'welcome_to',
      'errors',
    ]);
    const byLine = new Map(records.slice(1).map((rec) => [Number(rec.fields[0]), rec.fields]));
    assert.equal(byLine.get(2)?.[2], 'created');
    assert.equal(byLine.get(2)?.[4], 'person0@home.example');
    assert.equal(byLine.get(3)?.[2], 'error');
    assert.match(byLine.get(3)?.[5] ?? '', /not served/);

    // Applying twice is refused; a re-upload reports the rows as already imported.
    assert.equal((await post(`/api/admin/imports/${preview.id}/apply`)).status, 409);
    const again = (await upload(lines.slice(0, 11).join('\n'))).json() as Job;
    assert.ok(again.rows.filter((x) => !bad.has(x.line)).every((x) => x.status === 'already'));
  });

  test('generated passwords come in the result file, once, and sign in', async () => {
    const csv = `email,name,unit,quota,password\nnoy@${DOMAIN},ນ້ອຍ,${VTE}/schools,1G,\nkham@${DOMAIN},Kham,${VTE},,${PASSWORD}x\n`;
    const preview = (await upload(csv, '?unknownUnits=create')).json() as Job & {
      newUnits: string[];
    };
    assert.deepEqual(preview.newUnits, [`${VTE}/schools`]);
    const job = await applyAndWait(preview.id);
    assert.equal(job.summary.created, 2);
    const rec = parseCsv((await get(`/api/admin/imports/${preview.id}/result`)).body.toString());
    const noy = rec.find((r) => r.fields[1] === `noy@${DOMAIN}`)!.fields;
    const kham = rec.find((r) => r.fields[1] === `kham@${DOMAIN}`)!.fields;
    assert.equal(kham[3], '', 'a given password is not echoed');
    assert.ok(noy[3] && noy[3].length >= 12);
    const signIn = await verifySignIn(core, {
      email: `noy@${DOMAIN}`,
      password: noy[3],
      door: 'http',
    });
    assert.equal(signIn.ok ? 'ok' : signIn.reason, 'must_change_password');
    // Forgotten on request: the passwords go with the job.
    assert.equal(
      (
        await call(doors.ports.https, `/api/admin/imports/${preview.id}`, {
          method: 'DELETE',
          auth,
        })
      ).status,
      204,
    );
    assert.equal((await get(`/api/admin/imports/${preview.id}/result`)).status, 404);
  });

  test('a welcome link sets the password once, then the account signs in', async () => {
    const csv = `email,name,unit,personal_email\nsengdao@${DOMAIN},ແສງດາວ,${VTE},sengdao.home@gmail.example\n`;
    const preview = (await upload(csv)).json() as Job;
    assert.equal(preview.rows[0]?.welcomeTo, 'sengdao.home@gmail.example');
    const job = await applyAndWait(preview.id, { welcomeDays: 3 });
    assert.equal(job.summary.created, 1);
    // The mail waits in the queue for the personal address; its link holds the token.
    const q = await core.db
      .selectFrom('queue_messages as m')
      .innerJoin('queue_recipients as r', 'r.message_id', 'm.id')
      .select(['m.blob_hash'])
      .where('r.recipient', '=', 'sengdao.home@gmail.example')
      .executeTakeFirstOrThrow();
    const mail = await PostalMime.parse(await core.blobs.get(q.blob_hash));
    assert.match(mail.subject ?? '', /ບັນຊີອີເມວຂອງທ່ານ \/ Your mail account/);
    const token = /\/welcome#([0-9]+\.[A-Za-z0-9_-]+)/.exec(mail.text ?? '')?.[1];
    const raw = mail.text ?? '';
    assert.ok(token, `a link in the mail:\n${raw.slice(0, 1500)}`);
    const state = (await get(`/api/admin/users/sengdao@${DOMAIN}/signin`)).json() as {
      welcome: { sentTo: string } | null;
    };
    assert.equal(state.welcome?.sentTo, 'sengdao.home@gmail.example');
    // Before the link is used no password signs in.
    assert.equal(
      (await verifySignIn(core, { email: `sengdao@${DOMAIN}`, password: '!welcome', door: 'http' }))
        .ok,
      false,
    );

    const pub = (path: string, body: unknown): Promise<Reply> =>
      call(doors.ports.https, path, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const info = await pub('/api/welcome/info', { token });
    assert.equal(info.status, 200, info.body.toString());
    assert.equal((info.json() as { email: string }).email, `sengdao@${DOMAIN}`);
    const weak = await pub('/api/welcome', { token, password: '12345' });
    assert.equal(weak.status, 400);
    assert.equal((weak.json() as { errors: { field: string }[] }).errors[0]?.field, 'password');
    const ok = await pub('/api/welcome', { token, password: 'Ministry-2026-load-test' });
    assert.equal(ok.status, 204, ok.body.toString());
    const signIn = await verifySignIn(core, {
      email: `sengdao@${DOMAIN}`,
      password: 'Ministry-2026-load-test',
      door: 'http',
    });
    assert.ok(signIn.ok, 'signs in with the chosen password');
    assert.equal(
      (await pub('/api/welcome', { token, password: 'Another-2026-password' })).status,
      404,
      'works once',
    );
    assert.equal(
      (await pub('/api/welcome/info', { token: `${token!.split('.')[0]}.${'A'.repeat(43)}` }))
        .status,
      404,
    );
  });
});
