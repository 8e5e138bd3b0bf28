// The webmail catching up on push in Chromium, desktop and phone, against a real
// `champa serve`: with the inbox scrolled down and a message open, mail arriving by SMTP, a
// flag set from IMAP (imapflow), a message moved away from IMAP and one expunged from IMAP
// all show in the list while the user keeps their place (the rows on screen stay put) and
// the message they read. The list is not queried again (no Email/query, only
// Email/queryChanges and Email/changes), except after the expunge: the server cannot say
// where a destroyed email stood in a list of threads (cannotCalculateChanges), so the rows
// on screen are read afresh — and still stay put.
// Screenshots: test-artifacts/web/mail-push-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { Browser, Locator, Page } from 'playwright-core';
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
import { plainMessage } from './mailseed.ts';

const PASSWORD = 'correct-horse-battery';
const SIZES: Size[] = ['desktop', 'phone'];
const MESSAGES = 120;
/** The list's row height (MessageList.tsx ROW). */
const ROW = 80;

/** The JMAP methods the page calls, in order. */
function watchMethods(page: Page): string[] {
  const methods: string[] = [];
  page.on('request', (r) => {
    if (r.method() !== 'POST' || !r.url().endsWith('/jmap/api')) return;
    const body = JSON.parse(r.postData() ?? '{}') as { methodCalls?: [string][] };
    for (const [name] of body.methodCalls ?? []) methods.push(name);
  });
  return methods;
}

/** The little of the DOM these checks touch (this file is compiled without the DOM's types). */
interface Box {
  top: number;
  bottom: number;
}
interface El {
  scrollTop: number;
  textContent: string | null;
  getBoundingClientRect(): Box;
  querySelector(s: string): El | null;
  querySelectorAll(s: string): Iterable<El>;
}

/** The row at the top of the list's viewport: its subject and how far below the top it is. */
function topRow(list: Locator): Promise<{ subject: string; offset: number }> {
  return list.evaluate((node) => {
    const el = node as unknown as El;
    const top = el.getBoundingClientRect().top;
    let best = { subject: '', offset: Infinity };
    for (const row of el.querySelectorAll('.msg-row')) {
      const r = row.getBoundingClientRect();
      const offset = Math.round(r.top - top);
      if (r.bottom > top + 1 && offset < best.offset)
        best = { subject: row.querySelector('.row-subject')?.textContent ?? '', offset };
    }
    return best;
  });
}

function scrollTo(list: Locator, top: number): Promise<void> {
  return list.evaluate((node, y) => {
    (node as unknown as El).scrollTop = y;
  }, top);
}

/** The row of "Message number n" (its subject may start with a hidden "Unread"). */
const row = (list: Locator, n: number): Locator =>
  list
    .locator('.msg-row')
    .filter({ has: list.page().locator('.row-subject', { hasText: new RegExp(` ${n}$`) }) });

forEachStore('webmail catching up on push in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser;
  before(async () => {
    server = await startWebServer(kind);
    await withDataCore(server.env.data, async (core) => {
      const now = Date.now();
      for (const i of SIZES.keys()) {
        const email = `push${i}@school.test`;
        const a = await addUser(core, { email, password: PASSWORD });
        for (let n = 1; n <= MESSAGES; n++) {
          const at = now - (MESSAGES + 1 - n) * 60_000;
          await ingest(core, plainMessage(email, n, new Date(at)), [{ accountId: a.id }], {
            receivedAt: at,
          });
        }
      }
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  for (const [i, size] of SIZES.entries()) {
    test(`new mail, IMAP flag, move and expunge keep the user's place (${size})`, async (t) => {
      if (!needChromium(t)) return;
      browser ??= await launch();
      const email = `push${i}@school.test`;
      const { context, page } = await newPage(browser, size);
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const methods = watchMethods(page);
      await signIn(page, server.origin, email, PASSWORD);
      const list = page.getByTestId('message-list');
      await row(list, MESSAGES).waitFor();

      // Scroll down to the 60th conversation and open the one below it.
      await scrollTo(list, 60 * ROW);
      await row(list, 59).click();
      const reader = page.getByTestId('reader');
      await reader.getByRole('heading', { name: 'Message number 59' }).waitFor();
      const route = page.url();
      // Opening it marked it read; that change comes back by push and is taken in.
      await list.locator('.msg-row.unread').filter({ hasText: 'Message number 59' }).waitFor({
        state: 'detached',
      });
      const before = size === 'desktop' ? await topRow(list) : null;
      if (before) assert.match(before.subject, /Message number 60$/);

      const imap = new ImapFlow({
        host: '127.0.0.1',
        port: server.served.ports.imaps!,
        secure: true,
        auth: { user: email, pass: PASSWORD },
        tls: { rejectUnauthorized: false },
        logger: false,
      });
      await imap.connect();
      await imap.mailboxOpen('INBOX');
      const calls = methods.length;
      const caughtUp = page.waitForResponse(
        (r) =>
          r.url().endsWith('/jmap/api') &&
          (r.request().postData() ?? '').includes('"Email/queryChanges"'),
      );

      // New mail by SMTP, a flag and a move from IMAP.
      const mx = nodemailer.createTransport({
        host: '127.0.0.1',
        port: server.served.ports.smtp,
        secure: false,
        tls: { rejectUnauthorized: false },
      });
      await mx.sendMail({
        from: 'Partner <news@partner.test>',
        to: email,
        subject: 'Fresh news',
        text: 'Arrived while you were reading.',
      });
      await imap.messageFlagsAdd({ subject: 'Message number 58' }, ['\\Flagged']);
      assert.ok(await imap.messageMove({ subject: 'Message number 57' }, 'Archive'));

      if (size === 'phone') {
        // The reading pane covers the list: the message stays open; then back to the list.
        await caughtUp;
        await reader.getByRole('heading', { name: 'Message number 59' }).waitFor();
        await screenshot(page, `mail-push-${kind}-${size}-reading`);
        await reader.getByRole('button', { name: 'Back to the list' }).click();
      }
      // 120 − 1 moved + 1 new; the flag shows, the moved one is gone.
      await list.locator('.msg-row[aria-setsize="120"]').first().waitFor();
      await row(list, 58).locator('.marker.flag').waitFor();
      await row(list, 57).waitFor({ state: 'detached' });
      assert.equal(page.url(), size === 'desktop' ? route : route.replace(/\/[^/]+$/, ''));
      if (size === 'desktop')
        assert.equal(await reader.getByRole('heading', { name: 'Message number 59' }).count(), 1);
      // Where the user was: the same conversation at the top, where it was.
      const kept = await topRow(list);
      assert.match(kept.subject, /Message number 60$/, 'the same conversation at the top');
      if (before) assert.equal(kept.offset, before.offset, 'at the same height');
      const since = methods.slice(calls);
      assert.ok(since.includes('Email/queryChanges'), since.join(' '));
      assert.ok(!since.includes('Email/query'), `no reload of the list: ${since.join(' ')}`);
      await screenshot(page, `mail-push-${kind}-${size}-scrolled`);

      // An expunge from IMAP of a message above the rows on screen.
      const beforeExpunge = await topRow(list);
      await imap.messageDelete({ subject: 'Message number 100' });
      await list.locator('.msg-row[aria-setsize="119"]').first().waitFor();
      assert.deepEqual(await topRow(list), beforeExpunge, 'still in place after the expunge');
      await imap.logout();

      // Up at the top: the new message, unread, first.
      await scrollTo(list, 0);
      const first = list.locator('.msg-row[data-index="0"]');
      await first.filter({ hasText: 'Fresh news' }).waitFor();
      assert.match((await first.getAttribute('class')) ?? '', /\bunread\b/);
      await row(list, 100).waitFor({ state: 'detached' });
      await screenshot(page, `mail-push-${kind}-${size}-top`);
      assert.deepEqual(errors, []);
      await context.close();
    });
  }
});
