// Mail settings and the address book, against a real `champa serve`: the signature set in
// Settings (Identity/set) starts every new message; the out-of-office reply (VacationResponse)
// is saved and shown again after a reload; GET /api/directory suggests only accounts of the
// user's own domain, by a prefix of the address or of a word of the name, ten at most, and
// only to someone signed in. Keyboard shortcuts and drag and drop onto a folder move mail.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { addDomain } from '../../src/core/domains.ts';
import { withDataCore } from '../helpers/cli.ts';
import {
  launch,
  needChromium,
  newPage,
  screenshot,
  signIn,
  startWebServer,
  type WebServer,
} from '../helpers/browser.ts';
import { forEachStore } from '../helpers/stores.ts';
import { seed } from './mailseed.ts';

const PASSWORD = 'correct-horse-battery';

forEachStore('webmail settings and address book', (kind) => {
  let server: WebServer;
  let browser: Browser;
  before(async () => {
    server = await startWebServer(kind);
    await withDataCore(server.env.data, async (core) => {
      const a = await addUser(core, {
        email: 'vanh@school.test',
        name: 'ວັນ ສຸລິຍະ',
        password: PASSWORD,
      });
      await seed(core, a.id, 'vanh@school.test');
      for (let i = 0; i < 12; i++)
        await addUser(core, {
          email: `teacher${i}@school.test`,
          name: `ຄູ ${i}`,
          password: PASSWORD,
        });
      await addUser(core, { email: 'khamla@school.test', name: 'ຄຳຫລ້າ ແສງ', password: PASSWORD });
      await addDomain(core, 'other.test');
      await addUser(core, { email: 'teacher@other.test', name: 'Elsewhere', password: PASSWORD });
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the address book: own domain, prefixes, ten at most, signed in only', async () => {
    const url = `${server.origin}/api/directory?q=teach`;
    const headers = { 'x-requested-with': 'champa' };
    // Node's fetch refuses the test certificate: ask through Chromium's request context.
    if (!browser) browser = await launch();
    const ctx = await browser.newContext({ ignoreHTTPSErrors: true });
    assert.equal((await ctx.request.get(url, { headers })).status(), 401);
    const s = await ctx.request.post(`${server.origin}/api/session`, {
      data: { email: 'vanh@school.test', password: PASSWORD },
      headers,
    });
    assert.equal(s.status(), 200);
    const r = (await (await ctx.request.get(url, { headers })).json()) as {
      entries: { email: string }[];
    };
    assert.equal(r.entries.length, 10);
    assert.ok(r.entries.every((e) => e.email.endsWith('@school.test')));
    const byName = (await (
      await ctx.request.get(`${server.origin}/api/directory?q=${encodeURIComponent('ແສງ')}`, {
        headers,
      })
    ).json()) as { entries: { email: string }[] };
    assert.deepEqual(
      byName.entries.map((e) => e.email),
      ['khamla@school.test'],
    );
    const wild = (await (
      await ctx.request.get(`${server.origin}/api/directory?q=%25`, { headers })
    ).json()) as { entries: unknown[] };
    assert.equal(wild.entries.length, 0, '% is a character, not a wildcard');
    await ctx.close();
  });

  test('signature, out-of-office, shortcuts and drag and drop (desktop)', async (t) => {
    if (!needChromium(t)) return;
    browser ??= await launch();
    const { context, page } = await newPage(browser, 'desktop');
    await signIn(page, server.origin, 'vanh@school.test', PASSWORD);
    const list = page.getByTestId('message-list');
    await list.getByText('Quarterly report with pictures').waitFor();

    // Keyboard: j moves down, o opens, s flags, u goes back, e archives.
    await page.locator('body').press('j');
    await page.locator('body').press('o');
    await page.getByRole('heading', { name: 'ກອງປະຊຸມປະຈຳເດືອນ' }).waitFor();
    await page.locator('body').press('s');
    await page.getByRole('button', { name: 'Remove flag' }).waitFor();
    await page.locator('body').press('e');
    await page.getByText('Moved to Archive.').waitFor();
    await page.locator('.folder[data-role="archive"]').click();
    await list.getByText('ກອງປະຊຸມປະຈຳເດືອນ').waitFor();

    // Drag and drop a conversation from the inbox onto Junk.
    await page.locator('.folder[data-role="inbox"]').click();
    const row = list.getByText('Quarterly report with pictures');
    await row.dragTo(page.locator('.folder[data-role="junk"]'));
    await page.getByText('Moved to Junk.').waitFor();
    await page.getByText('No mail in this folder.').waitFor();
    await page.locator('.folder[data-role="junk"]').click();
    await list.getByText('Quarterly report with pictures').waitFor();

    // Signature: set in Settings, then at the start of a new message.
    await page.getByRole('link', { name: 'Settings' }).click();
    const signature = page.getByLabel('Added at the end of the messages you write');
    await signature.fill('ວັນ ສຸລິຍະ\nກະຊວງສຶກສາທິການ ແລະ ກິລາ');
    await page.getByRole('button', { name: 'Save' }).first().click();
    await page.getByText('Signature saved.').waitFor();

    // Out-of-office: on, dates, subject, message; still there after a reload.
    await page.getByLabel('Answer incoming mail automatically').check();
    await page.getByLabel('From', { exact: true }).fill('2026-12-20');
    await page.getByLabel('Until').fill('2027-01-05');
    await page.getByLabel('Subject', { exact: true }).fill('ບໍ່ຢູ່ຫ້ອງການ');
    await page.getByLabel('Message', { exact: true }).fill('ຂ້ອຍຈະກັບມາວັນທີ 5 ມັງກອນ.');
    await page.getByRole('button', { name: 'Save' }).nth(1).click();
    await page.getByText('Out-of-office reply saved.').waitFor();
    await screenshot(page, `mail-${kind}-desktop-settings`);
    await page.reload();
    await page.getByLabel('Answer incoming mail automatically').waitFor();
    assert.ok(await page.getByLabel('Answer incoming mail automatically').isChecked());
    assert.equal(await page.getByLabel('Subject', { exact: true }).inputValue(), 'ບໍ່ຢູ່ຫ້ອງການ');
    assert.equal(await page.getByLabel('Until').inputValue(), '2027-01-05');
    assert.equal(await signature.inputValue(), 'ວັນ ສຸລິຍະ\nກະຊວງສຶກສາທິການ ແລະ ກິລາ');

    await page.getByRole('link', { name: 'Mail' }).click();
    await page.getByRole('button', { name: 'Compose' }).click();
    const compose = page.getByRole('dialog', { name: 'New message' });
    await compose.locator('fieldset:not([disabled])').waitFor();
    await screenshot(page, `mail-${kind}-desktop-compose-signature`);
    await compose.locator('.ProseMirror').getByText('ກະຊວງສຶກສາທິການ ແລະ ກິລາ').waitFor();
    // Closed, the draft stays in Drafts and opens again in compose.
    await compose.getByRole('textbox', { name: 'Subject' }).fill('ແຜນການສອນ');
    await compose.getByText('Draft saved').waitFor();
    await compose.getByRole('button', { name: 'Close (the draft is kept)' }).click();
    await page.locator('.folder[data-role="drafts"]').click();
    await list.getByText('ແຜນການສອນ').click();
    const again = page.getByRole('dialog', { name: 'New message' });
    await again.locator('fieldset:not([disabled])').waitFor();
    assert.equal(await again.getByRole('textbox', { name: 'Subject' }).inputValue(), 'ແຜນການສອນ');
    await again.getByRole('button', { name: 'Discard' }).click();
    await page.getByText('No mail in this folder.').waitFor();

    // A reply on a slow link (the identity, and so the signature, comes late): what is typed
    // at once is kept, above the signature, which stays above the quote.
    await page.route('**/jmap/api', async (route) => {
      if (route.request().postData()?.includes('Identity/get'))
        await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await page.locator('.folder[data-role="junk"]').click();
    await list.getByText('Quarterly report with pictures').click();
    await page.getByTestId('reader').getByRole('button', { name: 'Reply', exact: true }).click();
    const reply = page.getByRole('dialog', { name: 'Reply' });
    await reply.waitFor();
    await page.keyboard.type('ໄດ້ຮັບແລ້ວ, ຂອບໃຈ.');
    const body = reply.locator('.ProseMirror');
    await body.getByText('ກະຊວງສຶກສາທິການ ແລະ ກິລາ').waitFor();
    const text = await body.innerText();
    const typed = text.indexOf('ໄດ້ຮັບແລ້ວ, ຂອບໃຈ.');
    const sig = text.indexOf('ກະຊວງສຶກສາທິການ ແລະ ກິລາ');
    const quote = text.indexOf('wrote:');
    assert.ok(typed === 0 && typed < sig && sig < quote, text);
    await reply.getByRole('button', { name: 'Discard' }).click();
    await reply.waitFor({ state: 'detached' });
    await page.unroute('**/jmap/api');
    await context.close();
  });
});
