import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import request from 'supertest';
import { ledgerRepository } from '../../db/ledger';
import { operationsRepository } from '../../db/operations';
import { PRODUCTS } from '../../domain/products';
import { applicationBody } from '../support/applicants';
import { eventually } from '../support/eventually';
import { consoleSuite, openConsole, screenshot, waitForText } from './browser';

const s = consoleSuite('test-console-operator', async (h) => {
  for (const table of ['portfolio_snapshots', 'portfolio_loan_positions'])
    await h.pool.query(`delete from ${table} where business_date = any($1::date[])`, [DATES]);
});

// Far-future business dates, so this file's snapshots are the latest and no other file's are replaced.
const LAG = '2039-05-03';
const DAILY = ['2039-06-01', '2039-06-02', '2039-06-03'];
const DATES = [LAG, ...DAILY];

const post = (path: string, body: object) =>
  request(s.h.app)
    .post(path)
    .set('Authorization', `Bearer ${s.h.keys.client}`)
    .set('Idempotency-Key', randomUUID())
    .send(body);

async function activeLoan() {
  const line = await post('/v1/credit-lines', applicationBody({ amount: 3_000_000 }));
  const drawn = await post(`/v1/credit-lines/${line.body.id}/drawdowns`, {
    amount: { amount: 1_000_000, currency: 'CNY' },
    termMonths: 12,
    purpose: 'home repair',
  });
  expect(drawn.status).toBe(201);
  await eventually(
    () =>
      request(s.h.app)
        .get(`/v1/loans/${drawn.body.loanId}`)
        .set('Authorization', `Bearer ${s.h.keys.client}`),
    (r) => r.body.status === 'active',
  );
  return { loanId: drawn.body.loanId as string, lineId: line.body.id as string };
}

const count = (page: Page, selector: string) => page.$$eval(selector, (els) => els.length);
const texts = (page: Page, selector: string) =>
  page.$$eval(selector, (els) => els.map((e) => (e as unknown as { textContent: string }).textContent));

interface Vintage {
  vintage: string;
  monthsOnBook: number;
  disbursedRate: string | null;
}

/**
 * The vintage chart: a line per vintage over months on book, a dot for each month-apart snapshot
 * (here the latest and LAG, a month before it), each at the vintage's age on that date.
 */
async function vintageCurves(page: Page, loanId: string, latest: { date: string; vintages: Vintage[] }) {
  const lag = await request(s.h.app)
    .get(`/v1/portfolio/metrics?date=${LAG}`)
    .set('Authorization', `Bearer ${s.h.keys.ops}`);
  expect(lag.status).toBe(200);
  const snapshots = [latest, lag.body as { date: string; vintages: Vintage[] }];

  // The loan's vintage is its disbursement month; its age counts calendar months from it to each date.
  const loan = await request(s.h.app)
    .get(`/v1/loans/${loanId}`)
    .set('Authorization', `Bearer ${s.h.keys.ops}`);
  const vintage = (loan.body.disbursement.date as string).slice(0, 7);
  const age = (date: string) =>
    (Number(date.slice(0, 4)) - Number(vintage.slice(0, 4))) * 12 +
    (Number(date.slice(5, 7)) - Number(vintage.slice(5, 7)));
  for (const m of snapshots)
    expect(m.vintages.find((v) => v.vintage === vintage)?.monthsOnBook).toBe(age(m.date));

  const expected = snapshots.flatMap((m) =>
    m.vintages
      .filter((v) => v.disbursedRate !== null)
      .map(
        (v) =>
          `${v.vintage} · Months on book ${v.monthsOnBook}: ${(Number(v.disbursedRate) * 100).toFixed(2)}% (${m.date})`,
      ),
  );
  const dots = '#chart-vintage g[aria-label="dot"] circle';
  expect((await texts(page, `${dots} title`)).sort()).toEqual(expected.sort());
  expect(expected.length).toBeGreaterThanOrEqual(2);
  const vintages = new Set(snapshots.flatMap((m) => m.vintages.map((v) => v.vintage)));
  expect(await count(page, '#chart-vintage g[aria-label="line"] path')).toBe(vintages.size);

  // Months on book on the x axis: the loan's vintage a month older on the later snapshot, to its right.
  // Which ticks the axis labels depends on the span of every suite's vintages; they are whole months, in order.
  const ticks = (await texts(page, '#chart-vintage g[aria-label="x-axis tick label"] text')).map(Number);
  expect(ticks.length).toBeGreaterThan(1);
  expect(ticks.every(Number.isInteger)).toBe(true);
  expect(ticks).toEqual([...ticks].sort((a, b) => a - b));
  expect(await texts(page, '#chart-vintage g[aria-label="x-axis label"] text')).toEqual([
    expect.stringContaining('Months on book'),
  ]);
  const x = async (date: string) =>
    page.$$eval(
      dots,
      (els, want) =>
        els
          .filter((e) => (e as unknown as { textContent: string }).textContent.endsWith(want))
          .map((e) => Number(e.getAttribute('cx'))),
      `(${date})`,
    );
  const [then, now] = [await x(LAG), await x(latest.date)];
  expect(then.length).toBeGreaterThan(0);
  expect(Math.max(...then)).toBeLessThan(Math.min(...now));
}

test('the dashboard draws its charts from the snapshot job over real loans', async () => {
  const [loan] = await Promise.all([activeLoan(), activeLoan()]);
  // The daily job's own snapshot, run for these dates over the read model the loans wrote.
  const ops = operationsRepository(s.h.pool);
  for (const date of DATES) expect((await ops.snapshotPortfolio(date)).loans).toBeGreaterThanOrEqual(2);

  const page = await openConsole(s.cb, s.h.keys.ops);
  await page.waitForSelector('#chart-buckets svg');
  await waitForText(page, '#dashboard-state', '2039-06-03');
  await waitForText(page, '#dashboard-state', '3 daily snapshots');

  const metrics = await request(s.h.app)
    .get('/v1/portfolio/metrics')
    .set('Authorization', `Bearer ${s.h.keys.ops}`);
  expect(metrics.body.date).toBe('2039-06-03');
  // One bar per bucket and day, the days on the axis.
  expect(await count(page, '#chart-buckets g[aria-label="bar"] rect')).toBe(3 * metrics.body.buckets.length);
  const ticks = await page.$$eval('#chart-buckets g[aria-label="x-axis tick label"] text', (els) =>
    els.map((e) => (e as unknown as { textContent: string }).textContent),
  );
  expect(ticks).toEqual(['06-01', '06-02', '06-03']);
  expect(await count(page, '#chart-delinquency g[aria-label="line"] path')).toBeGreaterThanOrEqual(1);
  expect(await count(page, '#chart-roll g[aria-label="cell"] rect')).toBe(
    metrics.body.rollRates.filter((r: { rate: string | null }) => r.rate !== null).length,
  );
  expect(await count(page, '#chart-roll g[aria-label="cell"] rect')).toBeGreaterThan(0);
  await vintageCurves(page, loan!.loanId, metrics.body);
  await screenshot(page, 'operator-dashboard');

  // The loan search: by product, line and status, rows to the loan's page and its run in the Temporal UI.
  await page.click('nav a[href="#/loans"]');
  await page.waitForSelector('#loans');
  const products = await page.$$eval('#loan-product option', (els) =>
    els.map((e) => (e as unknown as { value: string }).value),
  );
  expect(products).toEqual(['', ...PRODUCTS.map((p) => p.code)]);
  const loaded = `document.querySelector('#loans-state')?.textContent === '' && document.querySelectorAll('#loans tbody tr').length > 0`;
  await page.select('#loan-product', 'cash-installment');
  await page.select('#loan-status', 'active');
  await page.click('#loans-search');
  await page.waitForFunction(loaded);
  const shown = await page.$$eval('#loans tbody tr td:nth-child(2)', (els) =>
    els.map((e) => (e as unknown as { textContent: string }).textContent),
  );
  expect(new Set(shown)).toEqual(new Set(['cash-installment']));
  // The line's loans are all cash loans: another product finds none of them.
  await page.type('#loan-line', loan!.lineId);
  await page.select('#loan-product', 'bill-installment');
  await page.click('#loans-search');
  await waitForText(page, '#loans-state', 'Nothing here.');
  await page.select('#loan-product', 'cash-installment');
  await page.click('#loans-search');
  await page.waitForSelector(`tr[data-loan="${loan!.loanId}"]`);
  expect(await count(page, '#loans tbody tr')).toBe(1);
  const byProduct = await request(s.h.app)
    .get(`/v1/loans?productCode=bill-installment&creditLineId=${loan!.lineId}`)
    .set('Authorization', `Bearer ${s.h.keys.ops}`);
  expect([byProduct.status, byProduct.body.items]).toEqual([200, []]);
  expect(
    await page.$eval(`tr[data-loan="${loan!.loanId}"] a.temporal-link`, (a) => a.getAttribute('href')),
  ).toBe(`http://127.0.0.1:8233/namespaces/default/workflows/loan%3A${loan!.loanId}`);
  await screenshot(page, 'operator-loans');
  await page.click(`tr[data-loan="${loan!.loanId}"] a.loan-link`);
  await waitForText(page, '#loan-facts', 'active');
  await waitForText(page, '#loan-facts', 'CN¥10,000.00');
  await screenshot(page, 'operator-loan');
  expect(s.cb.pageErrors).toEqual([]);
  await page.browserContext().close();
});

test("the dashboard charts the ledger's disbursements and collections of each day", async () => {
  const { loanId } = await activeLoan();
  const paid = await post(`/v1/loans/${loanId}/repayments`, {
    amount: { amount: 50_000, currency: 'CNY' },
    channel: 'app',
  });
  expect(paid.status).toBe(201);
  // The journal is written from the loan's outbox: wait until it holds the payment too.
  await eventually(
    () => ledgerRepository(s.h.pool).entries(loanId),
    (entries) => entries.some((e) => e.kind === 'repayment'),
  );
  const flows = async () =>
    (await request(s.h.app).get('/v1/portfolio/cashflows').set('Authorization', `Bearer ${s.h.keys.ops}`))
      .body as {
      from: string;
      to: string;
      series: {
        currency: string;
        days: {
          date: string;
          disbursed: { amount: number };
          paidOut: { amount: number };
          loans: number;
          collected: { amount: number };
          payments: number;
        }[];
      }[];
    };

  const page = await openConsole(s.cb, s.h.keys.ops);
  const bars = '#chart-cashflows [data-currency="CNY"] g[aria-label="rect"] rect';
  await page.waitForSelector(bars);
  // Other suites post to the same journal: compare the chart with an answer that held still around it.
  let shown: Awaited<ReturnType<typeof flows>> | null = null;
  for (let attempt = 0; attempt < 5 && !shown; attempt++) {
    const before = await flows();
    await page.click('#dashboard-apply');
    await page.waitForSelector(bars);
    await waitForText(page, '#cashflows-state', '–');
    if (JSON.stringify(await flows()) === JSON.stringify(before)) shown = before;
  }
  expect(shown).not.toBeNull();
  const { from, to, series } = shown!;
  expect(series.map((c) => c.currency)).toContain('CNY');
  const days = series.find((c) => c.currency === 'CNY')!.days;
  expect(days).toHaveLength(30);
  expect([days[0]!.date, days.at(-1)!.date]).toEqual([from, to]);

  // Today holds at least this file's money: three loans of 10,000.00 out, 500.00 back.
  const today = days.find((d) => d.date === to)!;
  expect(today.disbursed.amount).toBeGreaterThanOrEqual(3 * 1_000_000);
  expect(today.loans).toBeGreaterThanOrEqual(3);
  expect(today.collected.amount).toBeGreaterThanOrEqual(50_000);
  expect(today.payments).toBeGreaterThanOrEqual(1);

  // One bar per day and direction that moved money, each titled with its day and amount in yuan.
  const cny = (minor: number) =>
    new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'CNY' }).format(minor / 100);
  const day = (date: string) =>
    new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(`${date}T00:00:00Z`),
    );
  const expected = days.flatMap((d) => [
    ...(d.disbursed.amount
      ? [
          `Disbursed ${day(d.date)}: ${cny(d.disbursed.amount)} · ${d.loans} loans · paid out ${cny(d.paidOut.amount)}`,
        ]
      : []),
    ...(d.collected.amount
      ? [`Collected ${day(d.date)}: ${cny(d.collected.amount)} · ${d.payments} payments`]
      : []),
  ]);
  const titles = await page.$$eval(`${bars} title`, (els) =>
    els.map((e) => (e as unknown as { textContent: string }).textContent),
  );
  expect(titles.sort()).toEqual(expected.sort());
  expect(await count(page, bars)).toBe(expected.length);
  // Money out below the axis, money in above it: today's two bars sit on either side of zero.
  const sides = await page.$$eval(bars, (els) =>
    els.map((e) => ({
      title: (e as unknown as { textContent: string }).textContent,
      y: Number(e.getAttribute('y')),
      height: Number(e.getAttribute('height')),
    })),
  );
  const zero = await page.$eval('#chart-cashflows [data-currency="CNY"] g[aria-label="rule"] line', (l) =>
    Number(l.getAttribute('y1')),
  );
  const todayBar = (kind: string) => sides.find((b) => b.title.startsWith(`${kind} ${day(to)}`))!;
  expect(todayBar('Disbursed').y).toBeGreaterThanOrEqual(zero - 1);
  expect(todayBar('Collected').y + todayBar('Collected').height).toBeLessThanOrEqual(zero + 1);
  const axis = await page.$eval(
    '#chart-cashflows [data-currency="CNY"] g[aria-label="y-axis label"]',
    (g) => (g as unknown as { textContent: string }).textContent,
  );
  expect(axis).toContain('CNY');
  await screenshot(page, 'operator-cashflows');
  expect(s.cb.pageErrors).toEqual([]);
  await page.browserContext().close();
});
