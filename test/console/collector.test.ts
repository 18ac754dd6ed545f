import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import request from 'supertest';
import { loanRepository } from '../../db/loans';
import { openCollectionTask, startQuietCollection } from '../support/collection-tasks';
import { lateLoanView } from '../db/late-loan-view';
import { consoleSuite, openConsole, screenshot, textOf, waitForText } from './browser';

const s = consoleSuite('test-console-collector');

const ZONE = 'America/New_York';

const debtor = (loanId: string) => ({ loanId, customerId: 'cust_hash_console', timeZone: ZONE });
const task = (loanId: string, from: number, to: number) =>
  openCollectionTask(s.h, debtor(loanId), { from, to });

/** Pages through the queue until the task's card shows: tasks of other suites may fill the first pages. */
async function showTask(page: Page, taskId: string) {
  for (let i = 0; i < 40 && !(await page.$(`[data-task="${taskId}"]`)); i++) {
    await page.waitForSelector('#tasks-state:empty', { timeout: 5_000 }).catch(() => undefined);
    if (await page.$(`[data-task="${taskId}"]`)) break;
    const more = await page.$('#tasks-more:not([hidden])');
    if (!more) break;
    await more.click();
  }
  await page.waitForSelector(`[data-task="${taskId}"]`);
}

test('a collector sees the contact window, cannot call outside it, and records an outcome inside it', async () => {
  const loanId = `ln_${randomUUID().replace(/-/g, '').slice(0, 22)}`;
  // The loan's read model as its workflow saves it: two installments behind, fees and penalty booked.
  const late = lateLoanView(loanId, ZONE);
  await loanRepository(s.h.pool).save(late.view);
  await startQuietCollection(s.h, debtor(loanId));
  const now = await task(loanId, -1, 2);
  const later = await task(loanId, 3, 6);

  const page = await openConsole(s.cb, s.h.keys.collector);
  await page.waitForSelector('#tasks');
  // Tasks of other suites may come first: the callable filter narrows to what can be called now.
  await page.click('#filter-callable');
  await showTask(page, now);
  expect(await page.$(`[data-task="${later}"]`)).toBeNull();
  await page.click('#filter-callable');
  await showTask(page, later);
  await page.waitForSelector(`[data-task="${later}"] [data-window="closed"]`);
  expect(await page.$eval(`#record-${later}`, (b) => (b as unknown as { disabled: boolean }).disabled)).toBe(
    true,
  );
  expect(await textOf(page, `[data-task="${now}"] [data-window]`)).toMatch(/America\/New_York.*open now/);
  expect(await textOf(page, `[data-task="${now}"] h2`)).toContain('DPD 35');

  // The arrears in major units with the currency, each part as the loan's book has it.
  const cny = (minor: number) =>
    new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'CNY' }).format(minor / 100);
  const part = (name: string) => textOf(page, `[data-task="${now}"] [data-part="${name}"]`);
  expect(await part('total')).toBe(cny(late.expected.total));
  expect(late.expected.total).toBeGreaterThan(100_000);
  for (const name of ['principal', 'interest', 'fees', 'penalty'] as const)
    expect(await part(name)).toContain(cny(late.expected[name]));
  expect(await part('since')).toContain(
    new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
      new Date(`${late.expected.since}T00:00:00Z`),
    ),
  );
  expect(await textOf(page, `[data-task="${later}"] [data-part="total"]`)).toBe(cny(late.expected.total));

  await page.select(`#outcome-${now}`, 'reached');
  await page.type(`#note-${now}`, 'spoke to the borrower <b>ok</b>');
  await page.click(`#record-${now}`);
  await waitForText(page, `#result-${now}`, 'Outcome recorded');
  await waitForText(page, `[data-task="${now}"] .history`, 'spoke to the borrower <b>ok</b>');
  await screenshot(page, 'collector-tasks');

  const done = await request(s.h.app)
    .get(`/v1/collection-tasks?loanId=${loanId}&status=done`)
    .set('Authorization', `Bearer ${s.h.keys.collector}`);
  expect(done.body.items).toMatchObject([
    {
      id: now,
      outcome: 'reached',
      note: 'spoke to the borrower <b>ok</b>',
      overdue: { total: { amount: late.expected.total, currency: 'CNY' }, since: late.expected.since },
    },
  ]);
  expect(s.cb.pageErrors).toEqual([]);
  await page.browserContext().close();
});
