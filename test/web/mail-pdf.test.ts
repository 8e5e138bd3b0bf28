// A PDF attachment's preview in Chromium, desktop and phone, against a real `champa serve`.
// The message is a real one from the shared corpus (flanker's attached-pdf.eml, a one-page
// PDF saying "Test."). The preview frame's document is the download URL asked for inline:
// the server answers with the PDF inline under a policy of its own (no script, a sandbox,
// framed by this origin only) and nosniff, while the page keeps `object-src 'none'`.
// Chromium's own viewer must then show the document (its page count reads 1), and the
// dialog's download link still saves the file under its name with the same bytes.
// Screenshots: test-artifacts/web/mail-pdf-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import PostalMime from 'postal-mime';
import type { Browser, Frame } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { ingest } from '../../src/core/deliver.ts';
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
import { TESTDATA } from '../helpers/testdata.ts';

const PASSWORD = 'correct-horse-battery';
const MESSAGE = join(TESTDATA, 'mime', 'flanker', 'attached-pdf.eml');
const SUBJECT = 'test message via curl - extra content-type (_001_)';
/** Chromium's PDF viewer (a component extension with a fixed id). */
const VIEWER = 'chrome-extension://mhjfbmdgcfjbbpaeojofohoefgiehjai/';

forEachStore('PDF preview in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser;
  let pdf: Buffer;
  before(async () => {
    server = await startWebServer(kind);
    const raw = await readFile(MESSAGE);
    const parsed = await PostalMime.parse(raw);
    const part = parsed.attachments.find((a) => a.mimeType === 'application/pdf');
    assert.ok(part, 'the corpus message carries a PDF');
    pdf = Buffer.from(part.content as ArrayBuffer);
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    await withDataCore(server.env.data, async (core) => {
      for (const i of [0, 1]) {
        const a = await addUser(core, { email: `pdf${i}@school.test`, password: PASSWORD });
        await ingest(core, raw, [{ accountId: a.id }]);
      }
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [i, size] of (['desktop', 'phone'] as Size[]).entries()) {
    test(`the preview shows the PDF in the browser's viewer; download still saves it (${size})`, async (t) => {
      if (!needChromium(t)) return;
      browser ??= await launch();
      const { context, page } = await newPage(browser, size);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const refused: string[] = [];
      page.on('console', (m) => {
        if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text());
      });
      const home = page.waitForResponse((r) => r.url() === `${server.origin}/`);
      await signIn(page, server.origin, `pdf${i}@school.test`, PASSWORD);
      const csp = (await (await home).headerValue('content-security-policy')) ?? '';
      assert.match(csp, /object-src 'none'/, 'the page allows no plugin');
      assert.doesNotMatch(csp, /frame-src[^;]*blob:/, 'no blob: frames either');

      await page.getByTestId('message-list').getByText(SUBJECT).click();
      const attachment = page.getByTestId('attachment').filter({ hasText: 'test.pdf' });
      await attachment.getByRole('button', { name: 'Preview', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'test.pdf' });
      await dialog.waitFor();

      // The frame is the download URL, asked for inline.
      const src = await dialog.locator('iframe.pdf-frame').getAttribute('src');
      assert.ok(src, 'the preview frame has a source');
      const url = new URL(src, server.origin);
      assert.match(url.pathname, /^\/jmap\/download\/[^/]+\/[^/]+\/test\.pdf$/);
      assert.equal(url.searchParams.get('disposition'), 'inline');
      // What the server sends for it (asked again with the page's own session cookie).
      const res = await page.request.get(url.href);
      assert.equal(res.status(), 200);
      const headers = res.headers();
      assert.equal(headers['content-type'], 'application/pdf');
      assert.match(headers['content-disposition'] ?? '', /^inline; filename\*=UTF-8''test\.pdf$/);
      assert.equal(headers['x-content-type-options'], 'nosniff');
      assert.equal(
        headers['content-security-policy'],
        "default-src 'none'; frame-ancestors 'self'; sandbox",
      );
      assert.deepEqual(await res.body(), pdf);
      // Another type asked for inline is still a download.
      const other = new URL(url);
      other.searchParams.set('type', 'text/html');
      const html = await page.request.get(other.href);
      assert.match(html.headers()['content-disposition'] ?? '', /^attachment;/);

      // Chromium's viewer runs inside the frame and has read the document: one page.
      let viewer: Frame | undefined;
      for (let n = 0; !viewer; n++) {
        viewer = page
          .frames()
          .find((f) => f.url().startsWith(VIEWER) && f.parentFrame()?.url() === url.href);
        assert.ok(viewer || n < 100, "Chromium's PDF viewer opens in the preview frame");
        if (!viewer) await new Promise((r) => setTimeout(r, 100));
      }
      // (On a phone the viewer hides its page count: attached is enough.)
      await viewer.locator('#pagelength').filter({ hasText: /^1$/ }).waitFor({ state: 'attached' });
      await screenshot(page, `mail-pdf-${kind}-${size}`);

      // The dialog's download link saves the file under its name, the same bytes.
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        dialog.getByRole('link', { name: 'Download' }).click(),
      ]);
      assert.equal(download.suggestedFilename(), 'test.pdf');
      assert.deepEqual(await readFile(await download.path()), pdf);

      await dialog.getByRole('button', { name: 'Close' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.deepEqual(refused, [], 'nothing was refused by a Content-Security-Policy');
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
