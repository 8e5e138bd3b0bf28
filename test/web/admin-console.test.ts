// The administration console end to end in Chromium, against a real `champa serve`:
// (a) a provincial administrator (unit_admin on /provinces/vientiane) imports a 1,500-row CSV
//     in which 100 rows are for another province: the preview refuses exactly those, by line;
//     the import runs to the end of its progress bar (polling the light progress view, the
//     rows fetched once at the end), the result file holds the initial passwords, and
//     afterwards the accounts exist in Vientiane and none in Luang Prabang;
// (b) a helpdesk user resets a password in the console (and is refused, visibly, outside their
//     reach); the user signs in with it, must change it, enrols TOTP and signs in with a code;
// (c) the console in Lao at phone size: the menu folds, tables become cards, nothing overflows,
//     Lao is drawn with the shipped font, sizes have Lao unit words, the import's problems
//     are in Lao;
// (d) a global administrator creates a unit and an account (its password shown once), adds an
//     alias, disables it, and reads the queue, trace, audit log, DNS records, roles and API keys.
// Screenshots: test-artifacts/web/admin-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { request, type Browser, type Page } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { grantRole } from '../../src/core/roles.ts';
import { importUnitsCsv } from '../../src/core/units.ts';
import { base32Decode, totp, totpStep } from '../../src/mail/totp.ts';
import { parseCsv } from '../../src/util/csv.ts';
import { ADMIN_PASSWORD, withDataCore } from '../helpers/cli.ts';
import {
  laoFontLoaded,
  launch,
  needChromium,
  newPage,
  screenshot,
  signIn,
  startWebServer,
  type WebServer,
} from '../helpers/browser.ts';
import { forEachStore } from '../helpers/stores.ts';

const DOMAIN = 'moes.gov.la';
const PASSWORD = 'Ministry-2026-load-test';
const SOMPHONE = `somphone@${DOMAIN}`; // unit_admin on /provinces/vientiane
const KEO = `keo@${DOMAIN}`; // helpdesk on /provinces/vientiane
const NOY = `noy@${DOMAIN}`; // an account in Xaythany district
const BOUNMA = `bounma@${DOMAIN}`; // an account in Luang Prabang, outside both roles
const VIENTIANE = '/provinces/vientiane';
const LUANGPRABANG = '/provinces/luangprabang';
const ROWS = 1500;
const OUTSIDE = 100;

const LAO_GIVEN = ['ສົມພອນ', 'ບຸນມີ', 'ແສງເດືອນ', 'ວັນນະ', 'ຄຳຫຼ້າ', 'ນາງ ມະນີ', 'ທອງໃສ'];
const LAO_FAMILY = ['ພົມມະວົງ', 'ແກ້ວມະນີ', 'ສີສຸວັນ', 'ວົງສະຫວັນ', 'ຈັນທະລາ'];

/** 1,500 rows: every 15th for Luang Prabang (outside the province), the rest in Vientiane. */
function provinceCsv(): { csv: string; outsideLines: number[] } {
  const lines = ['email,name,unit,quota'];
  const outsideLines: number[] = [];
  for (let i = 0; i < ROWS; i++) {
    const line = i + 2; // the header is line 1
    const outside = i % 15 === 7;
    if (outside) outsideLines.push(line);
    const unit = outside ? LUANGPRABANG : i % 2 ? `${VIENTIANE}/xaythany` : VIENTIANE;
    const name = `${LAO_GIVEN[i % LAO_GIVEN.length]} ${LAO_FAMILY[i % LAO_FAMILY.length]}`;
    lines.push(`teacher${String(i).padStart(4, '0')}@${DOMAIN},${name},${unit},1G`);
  }
  return { csv: lines.join('\r\n') + '\r\n', outsideLines };
}

/** Whether anything on the page is wider than the viewport (a phone must not scroll sideways). */
async function overflows(page: Page): Promise<boolean> {
  return (await page.evaluate(
    'document.documentElement.scrollWidth > document.documentElement.clientWidth + 1',
  )) as boolean;
}

forEachStore('administration console in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser | undefined;
  before(async () => {
    server = await startWebServer(kind, DOMAIN);
    await withDataCore(server.env.data, async (core) => {
      await importUnitsCsv(
        core,
        [
          'path,name',
          '/provinces,ແຂວງ',
          `${VIENTIANE},ແຂວງວຽງຈັນ`,
          `${VIENTIANE}/xaythany,ເມືອງໄຊທານີ`,
          `${LUANGPRABANG},ແຂວງຫຼວງພະບາງ`,
        ].join('\n'),
      );
      const people: [string, string, string][] = [
        [SOMPHONE, 'ສົມພອນ ແກ້ວມະນີ', VIENTIANE],
        [KEO, 'ແກ້ວ ສີສຸວັນ', VIENTIANE],
        [NOY, 'ນ້ອຍ ພົມມະວົງ', `${VIENTIANE}/xaythany`],
        [BOUNMA, 'ບຸນມາ ຈັນທະລາ', LUANGPRABANG],
      ];
      for (const [email, name, unitPath] of people)
        await addUser(core, { email, name, unitPath, password: PASSWORD });
      await grantRole(core, SOMPHONE, 'unit_admin', VIENTIANE, 'cli:test');
      await grantRole(core, KEO, 'helpdesk', VIENTIANE, 'cli:test');
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  // Hashing 1,400 initial passwords (Argon2id at full cost) takes a while on a busy machine.
  test(
    'a provincial administrator imports 1,500 accounts; other provinces are refused',
    { timeout: 1_500_000 },
    async (t) => {
      if (!needChromium(t)) return;
      browser ??= await launch();
      const { context, page } = await newPage(browser, 'desktop');
      await signIn(page, server.origin, SOMPHONE, PASSWORD);
      await page.getByRole('link', { name: 'Administration' }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
      // A unit administrator has no queue, trace or audit log in the menu.
      const nav = page.getByRole('navigation', { name: 'Administration sections' });
      await nav.getByRole('link', { name: 'Bulk import' }).waitFor();
      assert.equal(await nav.getByRole('link', { name: 'Mail queue' }).count(), 0);
      assert.equal(await nav.getByRole('link', { name: 'Audit log' }).count(), 0);

      await nav.getByRole('link', { name: 'Bulk import' }).click();
      const { csv, outsideLines } = provinceCsv();
      await page.getByLabel('CSV file').setInputFiles({
        name: 'vientiane.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv, 'utf8'),
      });
      await page.getByRole('button', { name: 'Check the file' }).click();
      const summary = page.getByTestId('import-summary');
      await summary.waitFor({ timeout: 60_000 });
      await summary.getByText(`${(ROWS - OUTSIDE).toLocaleString('en')} to create`).waitFor();
      await summary.getByText(`${OUTSIDE} refused`).waitFor();

      // Every refused row is named by its line, with the reason, and only those.
      const problems = page.getByTestId('import-problems').locator('tbody tr');
      assert.equal(await problems.count(), OUTSIDE);
      const lines = (await problems.locator('td:first-child').allTextContents()).map(Number);
      assert.deepEqual(lines, outsideLines);
      assert.match(
        (await problems.first().textContent()) ?? '',
        /teacher0007@moes\.gov\.la.*the unit \/provinces\/luangprabang is outside your reach/,
      );
      await screenshot(page, `admin-${kind}-import-preview`);

      // What the console asks while the import runs: its progress, not its 1,500 rows.
      const asked: string[] = [];
      page.on('request', (req) => {
        const path = new URL(req.url()).pathname;
        if (req.method() === 'GET' && path.startsWith('/api/admin/imports/')) asked.push(path);
      });
      await page
        .getByRole('button', { name: `Create ${(ROWS - OUTSIDE).toLocaleString('en')} accounts` })
        .click();
      const progress = page.getByTestId('import-progress');
      await progress.waitFor();
      await page.getByText('The import is finished.').waitFor({ timeout: 1_400_000 });
      const total = (ROWS - OUTSIDE).toLocaleString('en');
      assert.equal((await progress.textContent())?.trim(), `${total} of ${total}`);
      assert.equal(
        await page.evaluate(
          '(() => { const p = document.querySelector("#adm-progress"); return p.value === p.max; })()',
        ),
        true,
        'the progress bar is full',
      );
      await screenshot(page, `admin-${kind}-import-done`);
      const progressPolls = asked.filter((p) => p.endsWith('/progress'));
      const fullReads = asked.filter((p) => !p.endsWith('/progress'));
      assert.ok(progressPolls.length >= 1, 'the progress is polled');
      assert.equal(fullReads.length, 1, `the rows are read once, at the end: ${fullReads.join()}`);

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: 'Download the result (CSV)' }).click(),
      ]);
      const result = parseCsv(
        (await readFile((await download.path())!, 'utf8')).replace(/^\uFEFF/, ''),
      );
      const header = result.shift()!.fields;
      assert.deepEqual(header, ['line', 'email', 'status', 'password', 'welcome_to', 'errors']);
      assert.equal(result.length, ROWS);
      const created = result.filter((r) => r.fields[2] === 'created');
      assert.equal(created.length, ROWS - OUTSIDE);
      assert.ok(
        created.every((r) => (r.fields[3] ?? '').length >= 10),
        'initial passwords',
      );
      const refused = result.filter((r) => r.fields[2] === 'error').map((r) => Number(r.fields[0]));
      assert.deepEqual(refused, outsideLines);

      await withDataCore(server.env.data, async (core) => {
        const rows = await core.db
          .selectFrom('accounts')
          .select(['email', 'unit_path'])
          .where('email', 'like', 'teacher%')
          .execute();
        assert.equal(rows.length, ROWS - OUTSIDE);
        assert.ok(
          rows.every((r) => r.unit_path === VIENTIANE || r.unit_path.startsWith(`${VIENTIANE}/`)),
        );
        assert.ok(!rows.some((r) => r.unit_path.startsWith(LUANGPRABANG)));
      });

      // One of them can sign in with the password from the result file.
      const first = created[0]!.fields;
      const other = await newPage(browser, 'desktop');
      await signIn(other.page, server.origin, first[1]!, first[3]!);
      await other.page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
      await other.context.close();
      await context.close();
    },
  );

  test('a helpdesk user resets a password; the user changes it and turns on TOTP', async (t) => {
    if (!needChromium(t)) return;
    browser ??= await launch();
    const { context, page } = await newPage(browser, 'desktop');
    await signIn(page, server.origin, KEO, PASSWORD);
    await page.getByRole('link', { name: 'Administration' }).click();
    const nav = page.getByRole('navigation', { name: 'Administration sections' });
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('searchbox', { name: 'Search' }).fill('noy@');
    await page.getByRole('link', { name: NOY }).click();
    await page.getByRole('heading', { name: 'ນ້ອຍ ພົມມະວົງ' }).waitFor();
    // Helpdesk: reset and unlock only; no editing, moving or removing.
    await page.getByRole('button', { name: 'Unlock' }).waitFor();
    for (const name of ['Remove account', 'Disable', 'Move', 'Save'])
      assert.equal(await page.getByRole('button', { name, exact: true }).count(), 0, name);
    await page.getByRole('button', { name: 'Reset password' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Reset password' }).click();
    const temporary = (await page.getByTestId('shown-once').textContent())!.trim();
    assert.ok(temporary.length >= 10);
    await screenshot(page, `admin-${kind}-helpdesk-reset`);

    // Outside the helpdesk's reach the server refuses, and the console says so plainly.
    await page.goto(`${server.origin}/#/admin/users/${encodeURIComponent(BOUNMA)}`);
    await page.getByRole('alert').filter({ hasText: 'Your role does not allow this.' }).waitFor();
    await context.close();

    const user = await newPage(browser, 'phone');
    const p = user.page;
    await signIn(p, server.origin, NOY, temporary);
    await p.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    const chosen = 'my own long passphrase';
    await p.getByLabel('Current password').fill(temporary);
    await p.getByLabel('New password', { exact: true }).fill(chosen);
    await p.getByLabel('New password again').fill(chosen);
    await p.getByRole('button', { name: 'Change password' }).click();
    await p.getByRole('link', { name: 'Settings' }).click();
    await p.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    const key = base32Decode((await p.getByTestId('totp-secret').textContent())!.trim())!;
    const enrolledAt = Date.now();
    await p.getByLabel('Code shown by the app').fill(totp(key, enrolledAt));
    await p.getByRole('button', { name: 'Confirm' }).click();
    await p.getByTestId('recovery-codes').waitFor();
    await p.getByRole('button', { name: 'Sign out' }).first().click();
    await signIn(p, server.origin, NOY, chosen);
    const codeField = p.getByLabel('Code from your authenticator app');
    await codeField.waitFor();
    // A code is accepted once (RFC 6238 §5.2): wait for the step after the enrolment's.
    const next = (totpStep(enrolledAt) + 1) * 30_000;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now() + 200)));
    await codeField.fill(totp(key, Date.now()));
    await p.locator('form button[type="submit"]').click();
    await p.getByRole('link', { name: 'Settings' }).waitFor();
    await user.context.close();
  });

  test('the console in Lao on a phone', async (t) => {
    if (!needChromium(t)) return;
    browser ??= await launch();
    const { context, page } = await newPage(browser, 'phone', { locale: 'lo-LA' });
    await signIn(page, server.origin, SOMPHONE, PASSWORD);
    await page.getByRole('link', { name: 'ການບໍລິຫານ' }).click();
    await page.getByRole('heading', { name: 'ພາບລວມ' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'lo');
    // Sizes in Lao words (Intl would write "0 byte").
    const tiles = page.locator('.adm-tiles');
    await tiles.waitFor();
    assert.match((await tiles.textContent()) ?? '', /ໄບຕ໌/);
    assert.doesNotMatch((await tiles.textContent()) ?? '', /byte/i);
    assert.ok(await laoFontLoaded(page), 'Noto Sans Lao is loaded and used');
    // The section list is folded behind a menu button on a phone.
    const nav = page.locator('#adm-nav');
    assert.equal(await nav.isVisible(), false);
    const menu = page.locator('.adm-menu-button');
    assert.ok(((await menu.boundingBox())?.height ?? 0) >= 44, 'menu button ≥ 44px');
    assert.equal(await overflows(page), false, 'dashboard fits the phone');
    await screenshot(page, `admin-${kind}-lo-phone-dashboard`);

    await menu.click();
    await nav.waitFor();
    await screenshot(page, `admin-${kind}-lo-phone-menu`);
    await nav.getByRole('link', { name: 'ຜູ້ໃຊ້' }).click();
    assert.equal(await nav.isVisible(), false, 'the menu folds after a choice');
    await page.getByRole('heading', { name: 'ຜູ້ໃຊ້' }).waitFor();
    await page.locator('.adm-table tbody tr').first().waitFor();
    assert.equal(await overflows(page), false, 'the users list fits the phone');
    // Rows are cards: each cell carries its column's name.
    const firstLink = page.locator('.adm-table tbody tr a').first();
    assert.ok(((await firstLink.boundingBox())?.height ?? 0) >= 44, 'row link ≥ 44px');
    await screenshot(page, `admin-${kind}-lo-phone-users`);

    await firstLink.click();
    await page.getByRole('button', { name: 'ຕັ້ງລະຫັດຜ່ານໃໝ່' }).waitFor();
    assert.equal(await overflows(page), false, 'the account page fits the phone');
    await screenshot(page, `admin-${kind}-lo-phone-user`);

    await page.goto(`${server.origin}/#/admin/units`);
    await page.getByRole('tree').getByText('ແຂວງວຽງຈັນ').waitFor();
    assert.equal(await overflows(page), false, 'the unit tree fits the phone');
    await screenshot(page, `admin-${kind}-lo-phone-units`);

    await page.goto(`${server.origin}/#/admin/import`);
    await page.locator('#adm-import-file').setInputFiles({
      name: 'ນຳເຂົ້າ.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(
        [
          'email,name,unit,quota,password',
          `new1@${DOMAIN},ຄົນໃໝ່ ໜຶ່ງ,${VIENTIANE},,`,
          `new2@${DOMAIN},ຄົນໃໝ່ ສອງ,${LUANGPRABANG},,`,
          `new1@${DOMAIN},ຊ້ຳ,${VIENTIANE},,`,
          `new3@${DOMAIN},ຄົນໃໝ່ ສາມ,/ແຂວງ,lots,12345`,
        ].join('\n'),
      ),
    });
    await page.getByRole('button', { name: 'ກວດໄຟລ໌' }).click();
    // The Lao file name (vowel and tone marks included) is kept as it was.
    await page.getByRole('heading', { name: 'ຕົວຢ່າງກ່ອນນຳເຂົ້າ ນຳເຂົ້າ.csv' }).waitFor();
    const problems = page.getByTestId('import-problems');
    await problems.getByText('ຢູ່ນອກຂອບເຂດຂອງທ່ານ').waitFor();
    await problems.getByText('ມີສອງເທື່ອໃນໄຟລ໌').waitFor();
    await problems.getByText('"lots" ບໍ່ແມ່ນຂະໜາດ').waitFor();
    await problems.getByText('ລະຫັດຜ່ານຕ້ອງຍາວຢ່າງໜ້ອຍ 10 ຕົວອັກສອນ').waitFor();
    await problems.getByText('"/ແຂວງ" ບໍ່ແມ່ນເສັ້ນທາງໜ່ວຍງານ').waitFor();
    // Every problem in Lao: none of the server's English sentences is left.
    assert.doesNotMatch(
      (await problems.locator('tbody').textContent()) ?? '',
      /outside|twice|not a|must be|is empty/,
    );
    assert.equal(await overflows(page), false, 'the import preview fits the phone');
    await screenshot(page, `admin-${kind}-lo-phone-import`);
    await problems.locator('tbody tr').last().scrollIntoViewIfNeeded();
    await screenshot(page, `admin-${kind}-lo-phone-import-problems`);
    await context.close();
  });

  test('a global administrator goes through every section', async (t) => {
    if (!needChromium(t)) return;
    browser ??= await launch();
    const { context, page } = await newPage(browser, 'desktop');
    await signIn(page, server.origin, `postmaster@${DOMAIN}`, ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByText('Waiting in the queue').waitFor();
    await screenshot(page, `admin-${kind}-dashboard`);
    const nav = page.getByRole('navigation', { name: 'Administration sections' });
    const open = async (section: string, heading = section): Promise<void> => {
      await nav.getByRole('link', { name: section, exact: true }).click();
      await page.getByRole('heading', { name: heading, exact: true }).waitFor();
    };

    await open('Units');
    await page.getByRole('tree').getByText('ແຂວງຫຼວງພະບາງ').waitFor();
    const lp = page.getByRole('treeitem').filter({ hasText: LUANGPRABANG }).last();
    await lp.getByRole('button', { name: 'Add below' }).first().click();
    await page.getByLabel('Short name in the path').fill('nambak');
    await page.getByLabel('Display name (Lao or English)').fill('ເມືອງນ້ຳບາກ');
    await page.getByRole('button', { name: 'Create unit' }).click();
    await page.getByRole('tree').getByText('ເມືອງນ້ຳບາກ').waitFor();
    await screenshot(page, `admin-${kind}-units`);

    await open('Users');
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Address').fill(`khamla@${DOMAIN}`);
    await dialog.getByLabel('Name').fill('ຄຳຫຼ້າ ວົງສະຫວັນ');
    await dialog.getByLabel('Unit').fill(`${LUANGPRABANG}/nambak`);
    await dialog.getByLabel('Quota').fill('2G');
    await dialog.getByRole('button', { name: 'Create' }).click();
    const initial = (await dialog.getByTestId('shown-once').textContent())!.trim();
    assert.ok(initial.length >= 10, 'the generated password is shown');
    await dialog.getByRole('button', { name: 'Open the account' }).click();
    await page.getByRole('heading', { name: 'ຄຳຫຼ້າ ວົງສະຫວັນ' }).waitFor();
    // A 2G quota is 2 × 1024³ bytes: "2 GB", as it was typed.
    await page.getByText(/used of 2 GB$/).waitFor();
    await page.getByLabel('New alias').fill(`khamla.v@${DOMAIN}`);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByText(`khamla.v@${DOMAIN} now delivers to this account.`).waitFor();
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Disable' }).click();
    await page.getByText('The account is disabled.').waitFor();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    await screenshot(page, `admin-${kind}-user`);
    await withDataCore(server.env.data, async (core) => {
      const a = await core.db
        .selectFrom('accounts')
        .select(['unit_path', 'disabled', 'quota_bytes'])
        .where('email', '=', `khamla@${DOMAIN}`)
        .executeTakeFirstOrThrow();
      assert.equal(a.unit_path, `${LUANGPRABANG}/nambak`);
      assert.equal(Number(a.disabled), 1);
      assert.equal(Number(a.quota_bytes), 2 * 1024 ** 3);
    });

    await open('Roles');
    await page.getByRole('cell', { name: SOMPHONE }).first().waitFor();
    await open('Mail queue');
    await open('Message trace');
    await open('Audit log');
    await page.getByRole('cell', { name: 'account.create' }).first().waitFor();
    await page.getByLabel('Outcome').selectOption('denied');
    await page.getByRole('button', { name: 'Search' }).click();
    // The helpdesk's look at an account outside their reach (test b) is on record.
    await page.getByRole('cell', { name: KEO }).first().waitFor();
    await screenshot(page, `admin-${kind}-audit`);
    await open('Domains');
    await page.getByRole('button', { name: 'Show DNS records' }).click();
    await page.getByRole('cell', { name: 'MX', exact: true }).first().waitFor();
    await screenshot(page, `admin-${kind}-domains`);
    await open('API keys');
    await page.getByLabel('What the key is for').fill('nightly export');
    await page.getByRole('button', { name: 'Create key' }).click();
    const key = (await page.getByTestId('shown-once').textContent())!.trim();
    // The key works for a script, with the administrator's roles.
    const script = await request.newContext({ ignoreHTTPSErrors: true });
    const me = await script.get(`${server.origin}/api/admin/me`, {
      headers: { authorization: `Bearer ${key}` },
    });
    assert.equal(me.status(), 200);
    assert.equal(((await me.json()) as { email: string }).email, `postmaster@${DOMAIN}`);
    await script.dispose();
    await page.getByRole('cell', { name: 'nightly export' }).waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'no section showed an error');
    await context.close();
  });
});
