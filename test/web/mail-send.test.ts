// Sending from the webmail in Chromium, desktop and phone: the sender picks the recipient from
// the address book, writes, attaches a file (upload with progress), the draft is saved as they
// type; "Undo" during the undo window brings the draft back, which is edited and saved again;
// sent again, the message appears in the recipient's open inbox (a second browser) without a
// reload, with the attachment; the recipient replies and the reply reaches the sender's open
// inbox; forward carries the attachment. Screenshots: test-artifacts/web/mail-*-send-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { withDataCore } from '../helpers/cli.ts';
import {
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

const PASSWORD = 'correct-horse-battery';
const SIZES: Size[] = ['desktop', 'phone'];
const ARRIVAL = { timeout: 45_000 };

async function openCompose(page: Page, size: Size): Promise<void> {
  if (size === 'phone') await page.getByRole('button', { name: 'Write a new message' }).click();
  else await page.getByRole('button', { name: 'Compose' }).click();
  await page.getByRole('dialog', { name: 'New message' }).waitFor();
}

forEachStore('webmail sending in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser;
  before(async () => {
    server = await startWebServer(kind);
    await withDataCore(server.env.data, async (core) => {
      for (const i of SIZES.keys()) {
        await addUser(core, {
          email: `sender${i}@school.test`,
          name: `ສົມສັກ ${i}`,
          password: PASSWORD,
        });
        await addUser(core, {
          email: `recipient${i}@school.test`,
          name: `ແກ້ວ ${i}`,
          password: PASSWORD,
        });
      }
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [i, size] of SIZES.entries()) {
    test(`compose, attach, undo, send, arrive without reload, reply (${size})`, async (t) => {
      if (!needChromium(t)) return;
      browser ??= await launch();
      const subject = `Budget ງົບປະມານ ${size}`;
      const recipient = `recipient${i}@school.test`;
      const sender = `sender${i}@school.test`;

      // The recipient's inbox is open, and stays open.
      const them = await newPage(browser, size);
      await signIn(them.page, server.origin, recipient, PASSWORD);
      await them.page.getByText('No mail in this folder.').waitFor();

      const me = await newPage(browser, size);
      const page = me.page;
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await signIn(page, server.origin, sender, PASSWORD);
      await page.getByText('No mail in this folder.').waitFor();
      await openCompose(page, size);
      const compose = page.getByRole('dialog', { name: 'New message' });

      // The address book suggests the recipient from a prefix of the address.
      const to = compose.getByRole('combobox', { name: 'To' });
      await to.fill('recipient');
      await compose.getByRole('option', { name: new RegExp(recipient) }).click();
      await compose.getByRole('button', { name: new RegExp(`Remove .*${recipient}`) }).waitFor();
      await compose.getByRole('textbox', { name: 'Subject' }).fill(subject);
      await compose.locator('.ProseMirror').click();
      await page.keyboard.type('The budget for next year is attached. ຂອບໃຈ.');
      await compose.getByTestId('attach-input').setInputFiles({
        name: 'budget.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('item,kip\nbooks,1200000\n'),
      });
      await compose.getByTestId('compose-attachment').filter({ hasText: 'budget.csv' }).waitFor();
      await compose.locator('progress').waitFor({ state: 'detached' });
      // Saved as a draft while typing.
      await compose.getByText('Draft saved').waitFor();
      await screenshot(page, `mail-${kind}-${size}-send-compose`);

      // Send, then call it back during the undo window: the draft comes back.
      await compose.getByRole('button', { name: 'Send', exact: true }).click();
      await page.getByRole('button', { name: 'Undo' }).click();
      await page.getByText('Sending undone.').waitFor();
      const again = page.getByRole('dialog', { name: 'New message' });
      await again.getByRole('button', { name: new RegExp(`Remove .*${recipient}`) }).waitFor();
      assert.equal(await again.getByRole('textbox', { name: 'Subject' }).inputValue(), subject);
      await again.getByTestId('compose-attachment').filter({ hasText: 'budget.csv' }).waitFor();
      // A line more: the draft is saved again, replacing the one it was opened from (and the
      // blobs of that one's parts); the attachment must still go with it.
      // (The editor takes the focus itself once the draft is in; then to the end of the text.)
      await again.locator('.ProseMirror:focus').waitFor();
      await page.keyboard.press('Control+End');
      await page.keyboard.type(' See the second sheet.');
      await again.getByText('Draft saved').waitFor();
      await again.getByRole('button', { name: 'Send', exact: true }).click();
      await again.waitFor({ state: 'detached' });
      await page.getByText('Sending…').waitFor();

      // It arrives in the recipient's open inbox, no reload.
      const row = them.page.getByTestId('message-list').getByText(subject);
      await row.waitFor(ARRIVAL);
      await screenshot(them.page, `mail-${kind}-${size}-send-arrived`);
      await row.click();
      const reader = them.page.getByTestId('reader');
      await reader
        .locator('iframe.html-body')
        .contentFrame()
        .getByText('The budget for next year is attached. ຂອບໃຈ. See the second sheet.')
        .waitFor();
      await reader.getByTestId('attachment').filter({ hasText: 'budget.csv' }).waitFor();

      // Forward carries the attachment (discarded here).
      await reader.getByRole('button', { name: 'Forward' }).click();
      const fwd = them.page.getByRole('dialog', { name: 'Forward' });
      await fwd.getByTestId('compose-attachment').filter({ hasText: 'budget.csv' }).waitFor();
      assert.equal(
        await fwd.getByRole('textbox', { name: 'Subject' }).inputValue(),
        `Fwd: ${subject}`,
      );
      await fwd.getByRole('button', { name: 'Discard' }).click();
      await fwd.waitFor({ state: 'detached' });

      // Reply: the sender's open inbox shows it.
      await reader.getByRole('button', { name: 'Reply', exact: true }).click();
      const reply = them.page.getByRole('dialog', { name: 'Reply' });
      // The caret waits above the quoted message from the start: what is typed at once,
      // before the sender's identity has even been fetched, is kept.
      await reply.waitFor();
      await them.page.keyboard.type('Received, thank you. ໄດ້ຮັບແລ້ວ.');
      await reply.getByRole('button', { name: new RegExp(`Remove .*${sender}`) }).waitFor();
      await screenshot(them.page, `mail-${kind}-${size}-send-reply`);
      await reply.getByRole('button', { name: 'Send', exact: true }).click();
      await reply.waitFor({ state: 'detached' });
      const back = page.getByTestId('message-list').getByText(`Re: ${subject}`);
      await back.waitFor(ARRIVAL);
      await back.click();
      await page
        .getByTestId('reader')
        .locator('iframe.html-body')
        .last()
        .contentFrame()
        .getByText('Received, thank you. ໄດ້ຮັບແລ້ວ.')
        .waitFor();
      // The conversation holds the sent message and the reply.
      assert.equal(
        (await page.getByTestId('reader').getByTestId('message').count()) +
          (await page.getByTestId('reader').locator('.message.folded').count()),
        2,
      );
      await screenshot(page, `mail-${kind}-${size}-send-conversation`);
      assert.deepEqual(errors, []);
      await them.context.close();
      await me.context.close();
    });
  }
  test('ten files attached at once all upload, within the server limit on uploads', async (t) => {
    if (!needChromium(t)) return;
    browser ??= await launch();
    const { context, page } = await newPage(browser, 'desktop');
    await signIn(page, server.origin, 'sender0@school.test', PASSWORD);
    await openCompose(page, 'desktop');
    const compose = page.getByRole('dialog', { name: 'New message' });
    // Bigger than one network read each, so several are in flight at the same time.
    const files = Array.from({ length: 10 }, (_, n) => ({
      name: `scan-${n}.bin`,
      mimeType: 'application/octet-stream',
      buffer: Buffer.alloc(400_000, n),
    }));
    await compose.getByTestId('attach-input').setInputFiles(files);
    await compose.getByTestId('compose-attachment').nth(9).waitFor();
    await compose.locator('progress').first().waitFor({ state: 'detached', timeout: 60_000 });
    assert.equal(await compose.getByTestId('compose-attachment').count(), 10);
    assert.equal(await compose.getByText('Upload failed').count(), 0);
    await context.close();
  });
});
