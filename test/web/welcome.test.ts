// A welcome link in Chromium: the page names the account, takes the first password, and the
// person then signs in with it; the same link cannot be used twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { createWelcomeToken } from '../../src/core/welcome.ts';
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

const CHOSEN = 'a welcome passphrase of mine';

forEachStore('welcome link in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser | undefined;
  let token = '';
  before(async () => {
    server = await startWebServer(kind);
    token = await withDataCore(server.env.data, async (core) => {
      const a = await addUser(core, {
        email: 'bounmy@school.test',
        name: 'ບຸນມີ',
        password: 'Unused-Initial-2026',
      });
      return (await createWelcomeToken(core.db, a.id, 'bounmy@example.org')).token;
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('choose the first password through the link, then sign in', async (t) => {
    if (!needChromium(t)) return;
    browser = await launch();
    const { page } = await newPage(browser, 'phone');
    // A reader whose phone is in Lao is told in Lao why a password cannot be used.
    const lao = await newPage(browser, 'phone', { locale: 'lo-LA' });
    await lao.page.goto(`${server.origin}/welcome#${token}`);
    await lao.page.getByText('bounmy@school.test').waitFor();
    await lao.page.locator('input[name="new-password"]').fill('short');
    await lao.page.locator('input[name="new-password-again"]').fill('short');
    await lao.page.locator('form button[type="submit"]').click();
    await lao.page.getByText('ລະຫັດຜ່ານຕ້ອງຍາວຢ່າງໜ້ອຍ').waitFor();
    assert.equal(await lao.page.getByText('at least').count(), 0, 'no English left');
    await screenshot(lao.page, `welcome-${kind}-lo-weak`);
    await lao.context.close();

    await page.goto(`${server.origin}/welcome#${token}`);
    await page.getByText('bounmy@school.test').waitFor();
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    await page.getByRole('button', { name: 'Set my password' }).click();
    await page.getByText('Your password is set').waitFor();
    await screenshot(page, `welcome-${kind}-done`);

    await signIn(page, server.origin, 'bounmy@school.test', CHOSEN);
    await page.getByRole('link', { name: 'Settings' }).waitFor();

    const second = await newPage(browser, 'desktop');
    await second.page.goto(`${server.origin}/welcome#${token}`);
    await second.page.getByText('This link cannot be used').waitFor();
    assert.equal(await second.page.getByRole('button', { name: 'Set my password' }).count(), 0);
  });
});
