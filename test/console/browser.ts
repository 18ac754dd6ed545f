import { existsSync, mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildConsole } from '../../web/build';
import { type ApiHarness, apiHarness } from '../support/api';
import { ROOT } from '../support/paths';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-results', 'console');

export interface ConsoleBrowser {
  base: string;
  browser: Browser;
  /** Script errors and CSP reports seen on any page: a console that needs inline script shows up here. */
  pageErrors: string[];
  close(): Promise<void>;
}

/** The real app on a real port, and a real Chromium on it. The bundle is built fresh from web/. */
export async function startConsoleBrowser(h: ApiHarness): Promise<ConsoleBrowser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run npm run setup`);
  await buildConsole();
  const server: Server = await new Promise((resolve) => {
    const s = h.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's sandbox cannot start as root (the test container); it isolates nothing we rely on here.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
  });
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    browser,
    pageErrors: [],
    async close() {
      await browser.close();
      await new Promise((r) => server.close(r));
    },
  };
}

export interface ConsoleSuite {
  h: ApiHarness;
  cb: ConsoleBrowser;
}

/**
 * A console test file's app and Chromium, up before its tests and closed after them; read `s.h` and
 * `s.cb` inside tests. `beforeClose` removes what the file wrote that other files would see.
 */
export function consoleSuite(
  taskQueue: string,
  beforeClose: (h: ApiHarness) => Promise<void> = async () => {},
): ConsoleSuite {
  const s = {} as ConsoleSuite;
  beforeAll(async () => {
    s.h = await apiHarness(taskQueue);
    s.cb = await startConsoleBrowser(s.h);
  }, 120_000);
  afterAll(async () => {
    if (s.h) await beforeClose(s.h);
    await s.cb?.close();
    await s.h?.close();
  });
  return s;
}

/** A fresh profile (no cookies), the sign-in page, the key typed in. */
export async function openConsole(cb: ConsoleBrowser, apiKey?: string): Promise<Page> {
  const context = await cb.browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1360, height: 900 });
  page.on('pageerror', (err) => cb.pageErrors.push(String(err)));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of [45]\d\d/.test(m.text())) cb.pageErrors.push(m.text());
  });
  // A 5xx is ours: the failing test names the call and what the API said, not just "status of 500".
  page.on('response', (r) => {
    if (r.status() < 500) return;
    const call = `${r.request().method()} ${new URL(r.url()).pathname} ${r.status()}`;
    const at = cb.pageErrors.push(call) - 1;
    r.text().then(
      (body) => (cb.pageErrors[at] = `${call}: ${body.slice(0, 500)}`),
      () => undefined,
    );
  });
  await page.goto(`${cb.base}/console`, { waitUntil: 'networkidle0' });
  if (apiKey) {
    await page.waitForSelector('#api-key');
    await page.type('#api-key', apiKey);
    await page.click('#sign-in');
  }
  return page;
}

export async function textOf(page: Page, selector: string): Promise<string> {
  return page.$eval(selector, (el) => (el as unknown as { textContent: string }).textContent ?? '');
}

/** Waits until `selector`'s text contains `want`, so slow workflow replies don't flake the test. */
export async function waitForText(
  page: Page,
  selector: string,
  want: string,
  timeout = 20_000,
): Promise<void> {
  // A string, because this project compiles without the DOM types; it runs in the page.
  await page.waitForFunction(
    `document.querySelector(${JSON.stringify(selector)})?.textContent?.includes(${JSON.stringify(want)}) ?? false`,
    { timeout },
  );
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}
