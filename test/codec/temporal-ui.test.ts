import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { bundleWorkflowCode, DefaultLogger, NativeConnection, Worker } from '@temporalio/worker';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { failureConverterPath, loanflowDataConverter } from '../../codec/data-converter';
import { devKeyring } from '../../codec/payload-codec';
import { ROOT } from '../support/paths';
import '../support/temporal'; // quiet SDK runtime logger
import { type Applicant, type FixtureActivities, registerApplicant } from './fixture-workflow';
import { type LocalUiStack, startLocalUiStack } from './local-ui-stack';

/**
 * The operator's first look at a workflow in the UI that `npm start` runs: a real Chromium on the
 * dev server's UI, calling the codec server configured exactly as the local stack configures it.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOT = path.join(ROOT, 'test-results', 'temporal-ui', 'decoded-workflow.png');
const METADATA_SCREENSHOT = path.join(ROOT, 'test-results', 'temporal-ui', 'decoded-user-metadata.png');

const dataConverter = loanflowDataConverter(devKeyring());
const applicant: Applicant = {
  name: '张三',
  idNumber: '110101199003076632',
  card: '6222020200112233446',
  phone: '13800138000',
};
const SUMMARY = 'Register applicant 张三 for a credit line';
const DETAILS = 'Card 6222020200112233446 verified by the bank';
const activities: FixtureActivities = {
  async verifyCard(a) {
    return { card: a.card, approved: true };
  },
  async declineCard() {},
};

let stack: LocalUiStack;
let browser: Browser;
let worker: Worker;
let running: Promise<void>;
let workflowUrl: string;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run npm run setup`);
  stack = await startLocalUiStack();
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: require.resolve('./fixture-workflow'),
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
  });
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: stack.temporalAddress }),
    taskQueue: 'temporal-ui',
    workflowBundle,
    activities,
    dataConverter,
  });
  running = worker.run();
  const connection = await Connection.connect({ address: stack.temporalAddress });
  const client = new Client({ connection, dataConverter });
  const handle = await client.workflow.start(registerApplicant, {
    taskQueue: 'temporal-ui',
    workflowId: `applicant-${randomUUID()}`,
    args: [applicant],
    staticSummary: SUMMARY,
    staticDetails: DETAILS,
  });
  await handle.result();
  await connection.close();
  workflowUrl = `${stack.uiUrl}/namespaces/default/workflows/${handle.workflowId}/${handle.firstExecutionRunId}/history`;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium's sandbox cannot start as root (the test container); it isolates nothing we rely on here.
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  worker?.shutdown();
  await running;
  await stack?.stop();
});

/** The UI renders summaries and details as markdown in sandboxed iframes, so every frame counts. */
async function pageText(page: Page): Promise<string> {
  const texts = await Promise.all(
    // A string, because this project compiles without the DOM types; it runs in the page.
    page.frames().map((f) => f.evaluate('document.body?.innerText ?? ""').catch(() => '')),
  );
  return texts.map(String).join('\n');
}

async function shows(page: Page, screenshot: string, ...want: string[]): Promise<string> {
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      const text = await pageText(page);
      const missing = want.filter((w) => !text.includes(w));
      if (missing.length === 0) return text;
      if (Date.now() > deadline) throw new Error(`the page never showed ${JSON.stringify(missing)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot, fullPage: true });
  }
}

it('shows a decoded workflow, its summary and its details on first open', async () => {
  // A fresh profile: no codec settings saved in the browser, no /login session.
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1440, height: 1100 });
  const codecCalls: { status: number; origin?: string }[] = [];
  page.on('response', (res) => {
    if (res.url().startsWith(stack.wiring.codecUrl) && res.request().method() === 'POST')
      codecCalls.push({ status: res.status(), origin: res.request().headers().origin });
  });
  await page.goto(workflowUrl, { waitUntil: 'load' });
  // Input and result, and the summary on the start event.
  await shows(page, SCREENSHOT, `"phone": "${applicant.phone}"`, `"approved": true`, SUMMARY);
  await page.locator('::-p-text(User Metadata)').click();
  const shown = await shows(page, METADATA_SCREENSHOT, SUMMARY, DETAILS);

  expect(shown).not.toMatch(/could not connect/i);
  expect(shown).not.toContain('binary/encrypted');
  expect(codecCalls.length).toBeGreaterThan(0);
  expect(codecCalls.filter((c) => c.status !== 200 || c.origin !== stack.uiUrl)).toEqual([]);
  await context.close();
});

it('gives nothing to a page on another origin of this machine, even over loopback', async () => {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  const codecPort = new URL(stack.wiring.codecUrl).port;
  // Any other local web page (here the codec server's own, under another host name) is another origin.
  await page.goto(`http://localhost:${codecPort}/login`);
  const status = await page.evaluate(
    `fetch(${JSON.stringify(`${stack.wiring.codecUrl}/decode`)}, {
       method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' }, body: '{}',
     }).then((r) => r.status, (e) => 'blocked: ' + e.message)`,
  );
  expect(String(status)).toMatch(/^blocked/);
  await context.close();
});
