// `npm run bench:web`: how long the web app takes to show the inbox (its first rows drawn) on a
// slow provincial link, emulated by Chromium (CDP Network.emulateNetworkConditions: 1.6 Mbit/s
// down, 750 kbit/s up, 150 ms latency), for an account holding 10,000 messages (stored through
// core ingest() first, as delivery would). The first visit starts with an empty cache (the
// session cookie already set, so only the app and the inbox are timed); the repeat visit
// reloads with the cache warm. Each is run --runs times (default 5); medians are reported,
// with the bytes that crossed the wire.
// Method and figures: docs/BENCHMARKS.md, "Web app".
import { parseArgs } from 'node:util';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { addUser } from '../../src/core/accounts.ts';
import { ingest } from '../../src/core/deliver.ts';
import { withDataCore } from '../../test/helpers/cli.ts';
import { CHROMIUM, launch, newPage, startWebServer } from '../../test/helpers/browser.ts';
import { plainMessage } from '../../test/web/mailseed.ts';
import { existsSync } from 'node:fs';
import { buildWeb } from '../../scripts/build-web.ts';

const { values } = parseArgs({
  options: { messages: { type: 'string' }, runs: { type: 'string' } },
});
const MESSAGES = Number(values.messages ?? process.env.BENCH_MESSAGES ?? 10_000);
const RUNS = Number(values.runs ?? process.env.BENCH_RUNS ?? 5);
const USER = 'bench@school.test';
const PASSWORD = 'Ministry-2026-load-test';
const LINK = {
  offline: false,
  latency: 150,
  downloadThroughput: (1.6e6 / 8) | 0,
  uploadThroughput: (750e3 / 8) | 0,
};

const log = (s: string): void => console.log(s);
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
await buildWeb();
log(`champa serve (SQLite), ${MESSAGES} messages for ${USER}`);
const server = await startWebServer('sqlite');
process.on('exit', () => void server.stop());
const t0 = Date.now();
await withDataCore(server.env.data, async (core) => {
  const a = await addUser(core, { email: USER, name: 'ບັນຊີທົດສອບ', password: PASSWORD });
  const start = Date.now() - MESSAGES * 60_000;
  for (let i = 0; i < MESSAGES; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, MESSAGES - i) }, (_, j) => {
        const n = i + j;
        const at = start + n * 60_000;
        return ingest(core, plainMessage(USER, n, new Date(at)), [{ accountId: a.id }], {
          receivedAt: at,
        });
      }),
    );
  }
});
log(`stored in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

const browser = await launch();

async function throttled(context: BrowserContext, page: Page): Promise<CDPSession> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', LINK);
  return cdp;
}

/** Opens the app and waits for the inbox's first rows; returns ms and bytes received. */
async function visit(page: Page, cdp: CDPSession, reload: boolean) {
  let bytes = 0;
  const onDone = (e: { encodedDataLength: number }): void => {
    bytes += e.encodedDataLength;
  };
  cdp.on('Network.loadingFinished', onDone);
  const started = Date.now();
  if (reload) await page.reload({ waitUntil: 'commit' });
  else await page.goto(server.origin + '/', { waitUntil: 'commit' });
  await page
    .locator('[data-testid="message-list"] .msg-row:not(.row-loading)')
    .first()
    .waitFor({ timeout: 120_000 });
  const ms = Date.now() - started;
  cdp.off('Network.loadingFinished', onDone);
  return { ms, bytes };
}

const first: { ms: number; bytes: number }[] = [];
const repeat: { ms: number; bytes: number }[] = [];
for (let r = 0; r < RUNS; r++) {
  const { context, page } = await newPage(browser, 'desktop');
  // Signed in beforehand, over the API: only the app and the inbox are timed.
  const res = await context.request.post(server.origin + '/api/session', {
    data: { email: USER, password: PASSWORD },
    headers: { 'x-requested-with': 'champa' },
  });
  if (!res.ok()) throw new Error(`sign-in failed: ${res.status()} ${await res.text()}`);
  const cdp = await throttled(context, page);
  first.push(await visit(page, cdp, false));
  repeat.push(await visit(page, cdp, true));
  log(
    `run ${r + 1}: first ${first[r]!.ms} ms (${(first[r]!.bytes / 1024).toFixed(0)} KB), ` +
      `repeat ${repeat[r]!.ms} ms (${(repeat[r]!.bytes / 1024).toFixed(0)} KB)`,
  );
  await context.close();
}
await browser.close();

const row = (name: string, xs: { ms: number; bytes: number }[]): string =>
  `| ${name} | ${(median(xs.map((x) => x.ms)) / 1000).toFixed(2)} s | ${Math.min(...xs.map((x) => x.ms))}–${Math.max(...xs.map((x) => x.ms))} ms | ${(median(xs.map((x) => x.bytes)) / 1024).toFixed(0)} KB |`;
log('\n| visit | median time to inbox rows | range | received |\n| --- | --- | --- | --- |');
log(row('first (empty cache)', first));
log(row('repeat (cache warm)', repeat));
await server.stop();
process.exit(0);
