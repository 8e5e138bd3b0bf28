// End to end in Chromium, at phone size: a user given a temporary password signs in, must
// choose a new one, turns on two-step sign-in with the code an authenticator app would show,
// signs out and in again with a code, and switches the interface to Lao — which must render
// in the shipped Lao font. Screenshots: test-artifacts/web/signin-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { addUser, setPassword } from '../../src/core/accounts.ts';
import { base32Decode, totp, totpStep } from '../../src/mail/totp.ts';
import { withDataCore } from '../helpers/cli.ts';
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

const TEMPORARY = 'Temporary-Pass-2026';
const CHOSEN = 'my own long passphrase';

forEachStore('web sign-in in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser;
  before(async () => {
    server = await startWebServer(kind);
    await withDataCore(server.env.data, async (core) => {
      await addUser(core, { email: 'noy@school.test', name: 'ນ້ອຍ ພົມມະວົງ', password: TEMPORARY });
      await setPassword(core, 'noy@school.test', TEMPORARY, { temporary: true });
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('temporary password → new password → two-step sign-in → Lao', async (t) => {
    if (!needChromium(t)) return;
    browser = await launch();
    const { page } = await newPage(browser, 'phone');

    await signIn(page, server.origin, 'noy@school.test', 'not the password');
    await page.getByRole('alert').filter({ hasText: 'not right' }).waitFor();

    await signIn(page, server.origin, 'noy@school.test', TEMPORARY);
    await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
    await page.getByLabel('Current password').fill(TEMPORARY);
    await page.getByLabel('New password', { exact: true }).fill(CHOSEN);
    await page.getByLabel('New password again').fill(CHOSEN);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('link', { name: 'Settings' }).waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Turn on two-step sign-in' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.trim();
    const key = base32Decode(secret)!;
    const enrolledAt = Date.now();
    await page.getByLabel('Code shown by the app').fill(totp(key, enrolledAt));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    assert.equal(await page.getByTestId('recovery-codes').locator('li').count(), 10);
    await screenshot(page, `signin-${kind}-recovery-codes`);

    await page.getByRole('button', { name: 'Sign out' }).first().click();
    await signIn(page, server.origin, 'noy@school.test', CHOSEN);
    const codeField = page.getByLabel('Code from your authenticator app');
    await codeField.waitFor();
    // A code is accepted once (RFC 6238 §5.2): wait for the step after the enrolment's.
    const next = (totpStep(enrolledAt) + 1) * 30_000;
    await new Promise((r) => setTimeout(r, Math.max(0, next - Date.now() + 200)));
    await codeField.fill(totp(key, Date.now()));
    await page.locator('form button[type="submit"]').click();
    await page.getByRole('link', { name: 'Settings' }).waitFor();

    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('combobox', { name: 'Language' }).first().selectOption('lo');
    await page.getByRole('heading', { name: 'ການຕັ້ງຄ່າ' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'lo');
    assert.ok(await laoFontLoaded(page), 'Noto Sans Lao is loaded and used');
    await screenshot(page, `signin-${kind}-settings-lao`);

    // The choice is kept: a reload shows Lao from the start.
    await page.reload();
    await page.getByRole('link', { name: 'ການຕັ້ງຄ່າ' }).waitFor();
  });
});
