// End to end in Chromium, at phone size: a signed-in user opens Settings and finds how to set
// up their mail apps — the server, the ports the server really listens on, their user name —
// in English and in Lao (rendered in the shipped Lao font), and downloads the iPhone profile,
// which names their address and the IMAP port. Screenshot: test-artifacts/web/mail-apps-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
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
  type WebServer,
} from '../helpers/browser.ts';
import { forEachStore } from '../helpers/stores.ts';

const USER = 'noy@school.test';
const PASSWORD = 'correct-horse-battery';

forEachStore('mail app settings in Chromium', (kind) => {
  let server: WebServer;
  let browser: Browser;
  before(async () => {
    server = await startWebServer(kind);
    await withDataCore(server.env.data, async (core) => {
      await addUser(core, { email: USER, name: 'ນ້ອຍ ພົມມະວົງ', password: PASSWORD });
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('Settings shows the mail app set-up and gives the iPhone profile', async (t) => {
    if (!needChromium(t)) return;
    browser = await launch();
    const { page } = await newPage(browser, 'phone');
    await signIn(page, server.origin, USER, PASSWORD);
    await page.getByRole('link', { name: 'Settings' }).click();

    const card = page.getByTestId('mail-apps');
    await card.getByRole('heading', { name: 'Mail apps and phones' }).waitFor();
    const incoming = card.getByRole('row', { name: /Incoming \(IMAP\)/ });
    await incoming.waitFor();
    const ports = server.served.ports;
    assert.match(
      (await incoming.textContent())!,
      new RegExp(`localhost\\s*${ports.imaps}\\s*SSL/TLS`),
    );
    const outgoing = card.getByRole('row', { name: /^Outgoing \(SMTP\)/ });
    assert.match((await outgoing.textContent())!, new RegExp(`${ports.submissions}\\s*SSL/TLS`));
    const alt = card.getByRole('row', { name: /blocked/ });
    assert.match((await alt.textContent())!, new RegExp(`${ports.submission}\\s*STARTTLS`));
    await card.getByText(`your whole address, ${USER}`).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      card.getByRole('link', { name: 'Download the profile for iPhone and iPad' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `${USER}.mobileconfig`);
    const profile = await readFile((await download.path())!, 'utf8');
    assert.match(profile, new RegExp(`<key>EmailAddress</key>\\s*<string>${USER}</string>`));
    assert.match(
      profile,
      new RegExp(`<key>IncomingMailServerPortNumber</key>\\s*<integer>${ports.imaps}</integer>`),
    );

    await page.getByRole('combobox', { name: 'Language' }).first().selectOption('lo');
    await card.getByRole('heading', { name: 'ແອັບອີເມວ ແລະ ໂທລະສັບ' }).waitFor();
    await card.getByRole('row', { name: /ຂາເຂົ້າ \(IMAP\)/ }).waitFor();
    await card.getByRole('link', { name: 'ດາວໂຫຼດໂປຣໄຟລ໌ສຳລັບ iPhone ແລະ iPad' }).waitFor();
    assert.ok(await laoFontLoaded(page), 'Noto Sans Lao is loaded and used');
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, `mail-apps-${kind}-lao`);
  });
});
