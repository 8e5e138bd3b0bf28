// Accessibility, checked from outside: axe-core (Deque's WCAG rules engine) runs in Chromium
// over every screen a person or an administrator reaches — sign-in, the inbox, a message, the
// composer, settings, each section of the console — in English and in Lao, at desktop and
// phone sizes, and no WCAG 2.1 A/AA violation of serious or critical impact may remain
// (missing names on controls, contrast, labels, landmark and ARIA errors).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import type { Browser, Page } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { ADMIN_PASSWORD, withDataCore } from '../helpers/cli.ts';
import {
  launch,
  needChromium,
  newPage,
  signIn,
  startWebServer,
  type Size,
  type WebServer,
} from '../helpers/browser.ts';
import { forEachStore } from '../helpers/stores.ts';
import { seed } from './mailseed.ts';

const USER = 'noy@school.test';
const PASSWORD = 'correct-horse-battery';
const ADMIN_SECTIONS = [
  'dashboard',
  'users',
  'units',
  'import',
  'roles',
  'queue',
  'trace',
  'audit',
  'domains',
  'keys',
];

/** The serious and critical WCAG 2.1 A/AA violations on the page, one line each. */
async function violations(page: Page, where: string): Promise<string[]> {
  // Legacy mode runs axe in the page itself (the message frame is sandboxed and left out).
  const r = await new AxeBuilder({ page })
    .setLegacyMode(true)
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  return r.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${where}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes
          .slice(0, 3)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

/** Waits for the app to settle after a navigation (no request in flight for a moment). */
async function settle(page: Page): Promise<void> {
  await page.waitForLoadState('networkidle');
}

forEachStore('accessibility (axe-core) in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser;
  before(async () => {
    server = await startWebServer(kind);
    await withDataCore(server.env.data, async (core) => {
      const a = await addUser(core, { email: USER, name: 'ນ້ອຍ ພົມມະວົງ', password: PASSWORD });
      await seed(core, a.id, USER);
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const size of ['desktop', 'phone'] as Size[])
    test(`every screen, English and Lao, ${size}`, { timeout: 300_000 }, async (t) => {
      if (!needChromium(t)) return;
      browser ??= await launch();
      const found: string[] = [];
      for (const locale of ['en-US', 'lo-LA']) {
        const lang = locale.slice(0, 2);
        const { context, page } = await newPage(browser, size, { locale });
        await page.goto(`${server.origin}/`);
        await page.locator('input[name="email"]').waitFor();
        assert.equal(await page.getAttribute('html', 'lang'), lang);
        found.push(...(await violations(page, `${lang} sign-in`)));

        await signIn(page, server.origin, USER, PASSWORD);
        const first = page.getByText('Quarterly report with pictures').first();
        await first.waitFor();
        await settle(page);
        found.push(...(await violations(page, `${lang} inbox`)));
        await first.click();
        await settle(page);
        found.push(...(await violations(page, `${lang} message`)));
        await page.goto(`${server.origin}/#/mail`);
        await settle(page);
        await page.locator('body').press('c');
        await page.locator('.ProseMirror, [contenteditable="true"]').first().waitFor();
        found.push(...(await violations(page, `${lang} compose`)));
        await page.goto(`${server.origin}/#/settings`);
        await page.getByTestId('mail-apps').waitFor();
        await settle(page);
        found.push(...(await violations(page, `${lang} settings`)));
        await context.close();

        const admin = await newPage(browser, size, { locale });
        await signIn(admin.page, server.origin, 'postmaster@school.test', ADMIN_PASSWORD);
        await admin.page.locator('a[href="#/admin"]').first().waitFor();
        for (const section of ADMIN_SECTIONS) {
          await admin.page.goto(`${server.origin}/#/admin/${section}`);
          await admin.page
            .locator(`a[href="#/admin/${section}"][aria-current="page"]`)
            .waitFor({ state: 'attached' });
          await settle(admin.page);
          found.push(...(await violations(admin.page, `${lang} console ${section}`)));
        }
        await admin.context.close();
      }
      assert.deepEqual(found, [], found.join('\n'));
    });
});
