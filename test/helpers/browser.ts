// The web app under a real browser: Debian's Chromium driven by playwright-core, against a
// real `champa serve` (a data folder of its own, every door on an ephemeral port). Pages come
// in two sizes, a desktop and a phone (touch, 390×844). Screenshots go to
// test-artifacts/web/ (not committed) to be looked at: Lao must render in the shipped font.
// Without Chromium (a laptop), tests skip with the reason; under CI they fail instead.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { StoreKind } from './stores.ts';
import { initData, makeCliEnv, type CliEnv } from './cli.ts';
import { patchConfig, serve, type Served } from './serve.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'web');

export type Size = 'desktop' | 'phone';
const SIZES: Record<Size, Parameters<Browser['newContext']>[0]> = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: {
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 2,
  },
};

/** Skips the test when Chromium is missing (not under CI); returns false then. */
export function needChromium(t: TestContext): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true')
    throw new Error(`${CHROMIUM} is missing (apt-get install -y chromium)`);
  t.skip(`no ${CHROMIUM} here (apt-get install -y chromium)`);
  return false;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-background-networking'],
  });
}

export interface WebServer {
  served: Served;
  env: CliEnv;
  /** https://127.0.0.1:<port> */
  origin: string;
  stop(): Promise<void>;
}

/** A data folder for `domain` (admin password ADMIN_PASSWORD) served with every door on port 0. */
export async function startWebServer(kind: StoreKind, domain = 'school.test'): Promise<WebServer> {
  const env = await makeCliEnv(kind);
  await initData(env, domain, ['--hostname', 'localhost']);
  const zero = Object.fromEntries(
    ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'http', 'https'].map(
      (p) => [p, 0],
    ),
  );
  await patchConfig(env.data, { listen: { address: '127.0.0.1', ports: zero } });
  const served = await serve(env.data);
  return {
    served,
    env,
    origin: `https://localhost:${served.ports.https}`,
    async stop() {
      await served.stop();
      await env.cleanup();
    },
  };
}

export async function newPage(
  browser: Browser,
  size: Size,
  opts: { locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    ...SIZES[size],
    ignoreHTTPSErrors: true, // the test server's own certificate
    locale: opts.locale ?? 'en-US',
    serviceWorkers: 'block',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** Signs in through the sign-in page (English labels or Lao ones). */
export async function signIn(
  page: Page,
  origin: string,
  email: string,
  password: string,
): Promise<void> {
  await page.goto(origin + '/');
  await page.locator('input[name="email"]').fill(email);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('form button[type="submit"]').click();
}

/**
 * Whether the element's text is drawn with the shipped Noto Sans Lao (not a fallback or
 * boxes): asks the browser which font faces it loaded and used for the document.
 */
export async function laoFontLoaded(page: Page): Promise<boolean> {
  // A string: this file is compiled without the DOM's types.
  const used = await page.evaluate(`(async () => {
    await document.fonts.ready;
    return [...document.fonts].some(
      (f) => f.family.replace(/['"]/g, '') === 'Noto Sans Lao' && f.status === 'loaded',
    );
  })()`);
  return used === true;
}
