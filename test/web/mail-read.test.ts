// The webmail in Chromium, desktop and phone, against a real `champa serve`: sign in, the
// inbox lists the mail delivered, a message opens with its HTML cleaned (no script) and the
// remote picture blocked until allowed, attachments listed; a Lao word inside a sentence is
// found; flags, moves and deletes reach the server; the interface switches to Lao in the
// shipped font; on a phone one column without sideways scrolling.
// Screenshots: test-artifacts/web/mail-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { withDataCore } from '../helpers/cli.ts';
import {
  laoFontLoaded,
  launch,
  needChromium,
  newPage,
  screenshot,
  signIn,
  startWebServer,
  type Size,
  type WebServer,
} from '../helpers/browser.ts';
import { forEachStore } from '../helpers/stores.ts';
import { LAO_SUBJECT, LAO_WORD, seed } from './mailseed.ts';

const PASSWORD = 'correct-horse-battery';

async function jmapCall(page: Page, calls: unknown[]): Promise<unknown[][]> {
  return (await page.evaluate(
    `fetch('/jmap/session', {headers: {'x-requested-with': 'champa'}}).then((r) => r.json()).then((s) => fetch('/jmap/api', {method: 'POST', headers: {'content-type': 'application/json', 'x-requested-with': 'champa'},
      body: JSON.stringify({using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'],
        methodCalls: ${JSON.stringify(calls)}.map(([n, a, c]) => [n, {accountId: s.primaryAccounts['urn:ietf:params:jmap:mail'], ...a}, c])})}))
      .then((r) => r.json()).then((j) => j.methodResponses)`,
  )) as unknown[][];
}

forEachStore('webmail reading in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser;
  before(async () => {
    server = await startWebServer(kind);
    await withDataCore(server.env.data, async (core) => {
      for (const [i, size] of (['desktop', 'phone'] as Size[]).entries()) {
        const email = `reader${i}@school.test`;
        const a = await addUser(core, { email, name: `ຜູ້ອ່ານ ${size}`, password: PASSWORD });
        await seed(core, a.id, email);
      }
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [i, size] of (['desktop', 'phone'] as Size[]).entries()) {
    test(`read, search a Lao word, act on mail, Lao interface (${size})`, async (t) => {
      if (!needChromium(t)) return;
      browser ??= await launch();
      const { context, page } = await newPage(browser, size);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, server.origin, `reader${i}@school.test`, PASSWORD);

      const list = page.getByTestId('message-list');
      await list.getByText('Quarterly report with pictures').waitFor();
      await list.getByText(LAO_SUBJECT).waitFor();
      // Unread markers and the folder's unread count.
      assert.equal(await list.locator('.msg-row.unread').count(), 2);
      if (size === 'phone') {
        const wide = await page.evaluate('document.documentElement.scrollWidth');
        assert.ok((wide as number) <= 390, `no sideways scrolling (${wide}px)`);
        await page.getByRole('button', { name: 'Folders' }).click();
      }
      await page.locator('.folder[data-role="inbox"] .count').filter({ hasText: '2' }).waitFor();
      await screenshot(page, `mail-${kind}-${size}-inbox`);
      if (size === 'phone')
        await page.locator('.drawer-scrim').click({ position: { x: 370, y: 400 } });

      // The HTML message: cleaned, in a sandboxed frame, the remote picture held back.
      await list.getByText('Quarterly report with pictures').click();
      const reader = page.getByTestId('reader');
      await reader.getByText('Pictures from other servers are blocked').waitFor();
      const frame = page.frameLocator('iframe.html-body');
      await frame.getByText('The report is attached.').waitFor();
      assert.equal(await frame.locator('script').count(), 0, 'no script survives');
      assert.equal(await frame.locator('[onclick]').count(), 0, 'no event handler survives');
      assert.equal(await frame.locator('img[src^="https://tracker"]').count(), 0);
      assert.equal(
        await page.locator('iframe.html-body').getAttribute('sandbox'),
        'allow-same-origin allow-popups allow-popups-to-escape-sandbox',
      );
      const attachments = reader.getByTestId('attachment');
      await attachments.filter({ hasText: 'chart.png' }).waitFor();
      await attachments.filter({ hasText: 'report.pdf' }).waitFor();
      // The picture's preview really loads from the server.
      // (Polled from here: the page's CSP forbids the eval behind waitForFunction strings.)
      const thumb = attachments.filter({ hasText: 'chart.png' }).locator('img');
      for (let n = 0; ; n++) {
        const loaded = await thumb.evaluate((el) => {
          const img = el as unknown as { complete: boolean; naturalWidth: number };
          return img.complete && img.naturalWidth === 2;
        });
        if (loaded) break;
        assert.ok(n < 100, 'the picture preview loads');
        await new Promise((r) => setTimeout(r, 100));
      }
      await screenshot(page, `mail-${kind}-${size}-html-message`);
      await reader.getByRole('button', { name: 'Show pictures' }).click();
      await frame.locator('img[src^="https://tracker"]').waitFor({ state: 'attached' });
      // Opening marked it read, on the server.
      await list.locator('.msg-row.unread').nth(1).waitFor({ state: 'detached' });

      // Flag it from the reading pane: the server has $flagged.
      await reader.getByRole('button', { name: 'Flag', exact: true }).click();
      await reader.getByRole('button', { name: 'Remove flag' }).waitFor();
      const flagged = await jmapCall(page, [
        ['Email/query', { filter: { hasKeyword: '$flagged' } }, 'q'],
      ]);
      assert.equal((flagged[0]![1] as { ids: string[] }).ids.length, 1);

      // Back to the list; search a Lao word that stands inside a sentence.
      if (size === 'phone') await page.getByRole('button', { name: 'Back to the list' }).click();
      const search = page.getByRole('searchbox', { name: 'Search mail' });
      await search.fill(LAO_WORD);
      await search.press('Enter');
      await page.getByRole('heading', { name: `Search: ${LAO_WORD}` }).waitFor();
      await list.getByText(LAO_SUBJECT).waitFor();
      assert.equal(await list.locator('.msg-row').count(), 1);
      await list.locator('mark').filter({ hasText: LAO_WORD }).first().waitFor();
      await screenshot(page, `mail-${kind}-${size}-search-lao`);
      await list.getByText(LAO_SUBJECT).click();
      await reader.locator('.text-body a[href="https://moe.gov.la/news"]').waitFor();

      // Delete moves it to Trash (the server agrees), then the keyboard's "?" lists shortcuts.
      await reader.getByRole('button', { name: 'Delete', exact: true }).click();
      await page.getByText('Moved to Trash.').waitFor();
      const boxes = await jmapCall(page, [['Mailbox/get', { ids: null }, 'm']]);
      const trash = (
        boxes[0]![1] as { list: { role: string | null; totalEmails: number }[] }
      ).list.find((m) => m.role === 'trash');
      assert.equal(trash?.totalEmails, 1);
      if (size === 'desktop') {
        await page.locator('body').press('?');
        await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
        await page.getByRole('dialog').getByText('Next conversation').waitFor();
        await page.keyboard.press('Escape');
      }

      // Lao interface, in the shipped font.
      await page.getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('heading', { name: 'Signature' }).waitFor();
      await page.getByRole('combobox', { name: 'Language' }).first().selectOption('lo');
      await page.getByRole('link', { name: 'ອີເມວ' }).click();
      await page.getByRole('heading', { name: 'ກ່ອງຂາເຂົ້າ' }).waitFor();
      assert.ok(await laoFontLoaded(page), 'Noto Sans Lao is loaded and used');
      await list.getByText('Quarterly report with pictures').click();
      await page.getByRole('button', { name: 'ຕອບກັບທັງໝົດ' }).waitFor();
      await screenshot(page, `mail-${kind}-${size}-lao`);
      if (size === 'phone') {
        const wide = await page.evaluate('document.documentElement.scrollWidth');
        assert.ok((wide as number) <= 390, `no sideways scrolling in Lao (${wide}px)`);
      }
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
