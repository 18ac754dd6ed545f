import { randomUUID } from 'node:crypto';
import type { Page } from 'puppeteer-core';
import request from 'supertest';
import { applicationBody, idNumberGrantingUpTo } from '../support/applicants';
import { eventually } from '../support/eventually';
import { consoleSuite, openConsole, screenshot, textOf, waitForText } from './browser';

/** A reviewer works a maker-checker application to the end in a real Chromium, as a newcomer would. */
const s = consoleSuite('test-console-reviewer');
afterEach(() => {
  expect(s.cb.pageErrors.splice(0)).toEqual([]);
});

const XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">';

async function applyForReview(amount: number) {
  const body = applicationBody({ amount, idNumber: await idNumberGrantingUpTo(amount) });
  body.customer.name = `${XSS}李`;
  const res = await request(s.h.app)
    .post('/v1/credit-lines')
    .set('Authorization', `Bearer ${s.h.keys.client}`)
    .set('Idempotency-Key', randomUUID())
    .send(body);
  expect(res.body.status).toBe('pending_review');
  return res.body as { id: string; review: { id: string } };
}

const noScriptRan = (page: Page) => page.evaluate('window.__xss === undefined');
const scriptsInPage = (page: Page) =>
  page.evaluate('document.querySelectorAll("#page script, #page img").length');

test('a client key gets no console page and no cookie', async () => {
  const page = await openConsole(s.cb);
  await screenshot(page, 'sign-in');
  await page.type('#api-key', s.h.keys.client);
  await page.click('#sign-in');
  await waitForText(page, '#sign-in-error', 'the console is for staff');
  expect(await page.$('header.shell')).toBeNull();
  expect(await page.cookies()).toEqual([]);
  await screenshot(page, 'sign-in-client-refused');
  await page.browserContext().close();
});

test('two reviewers approve a maker-checker application through the console and the line turns active', async () => {
  const line = await applyForReview(20_000_000);
  const first = await openConsole(s.cb, s.h.keys.reviewer);
  await first.waitForSelector('#queue');
  await waitForText(first, '#queue-state', '');
  // The queue is oldest due first; a new review sits at the end, behind other suites' reviews.
  for (let i = 0; i < 40 && !(await first.$(`tr[data-review="${line.review.id}"]`)); i++) {
    await first.waitForSelector('#load-more:not([disabled])', { timeout: 5_000 }).catch(() => undefined);
    const more = await first.$('#load-more:not([hidden])');
    if (!more) break;
    await more.click();
    await new Promise((r) => setTimeout(r, 200));
  }
  const row = await first.waitForSelector(`tr[data-review="${line.review.id}"]`);
  expect(await row!.evaluate((el) => (el as unknown as { textContent: string }).textContent)).toMatch(
    /maker-checker/,
  );
  await first.evaluate(`document.querySelector('tr[data-review="${line.review.id}"]').scrollIntoView()`);
  await screenshot(first, 'queue');
  await row!.$eval('a', (a) => (a as unknown as { click(): void }).click());

  await first.waitForSelector('#section-score table#contributions tbody tr');
  expect(await textOf(first, '#section-applicant')).toContain('<**');
  expect(await textOf(first, '#section-applicant')).not.toContain('李');
  expect(await textOf(first, '#section-reasons')).toContain('REVIEW_TWO_REVIEWERS');
  expect(await textOf(first, '#section-checks')).toMatch(/not listed/);
  expect(await textOf(first, '#section-bureau')).toMatch(/CN¥|¥/);
  expect(await textOf(first, '#approval-count')).toBe('0/2');

  await first.click('#decision-approve');
  await first.type('#decision-reason', `income verified ${XSS}`);
  await first.click('#decision-submit');
  await waitForText(first, '#decision-result', 'Decision recorded');
  expect(await textOf(first, '#approval-count')).toBe('1/2');
  // The first approval of the pair is on the page, reason and all, as characters.
  expect(await textOf(first, '#section-decisions')).toContain(`income verified ${XSS}`);
  expect(await noScriptRan(first)).toBe(true);
  expect(await scriptsInPage(first)).toBe(0);
  await screenshot(first, 'review-first-approval');

  // A second approval by the same reviewer: the rule's own sentence on the page.
  await first.click('#decision-approve');
  await first.type('#decision-reason', 'again');
  await first.click('#decision-submit');
  await waitForText(first, '#decision-result.refusal', 'a second reviewer must');
  expect(await textOf(first, '#decision-result')).toBe(
    'you have already decided this review; a second reviewer must',
  );
  await screenshot(first, 'review-refused');

  const second = await openConsole(s.cb, s.h.keys.reviewer2);
  await second.waitForSelector('#queue');
  await second.goto(`${s.cb.base}/console#/reviews/${line.review.id}`, { waitUntil: 'networkidle0' });
  await second.waitForSelector('#decision-form');
  await waitForText(second, '#section-decisions', 'income verified');
  await second.type('#decision-reason', 'checked the first approval');
  await second.click('#decision-submit');
  await waitForText(second, '#review-status', 'approved');
  await waitForText(second, '#line-status', 'active');
  await screenshot(second, 'review-completed');

  const api = await request(s.h.app)
    .get(`/v1/credit-lines/${line.id}`)
    .set('Authorization', `Bearer ${s.h.keys.ops}`);
  expect(api.body.status).toBe('active');
  await first.browserContext().close();
  await second.browserContext().close();
});

test('the console sends the CSRF token; the same call from the page without it is refused', async () => {
  const line = await applyForReview(5_000_000);
  const page = await openConsole(s.cb, s.h.keys.reviewer);
  await page.waitForSelector('#queue');
  const status = await page.evaluate(`fetch('/v1/reviews/${line.review.id}/decision', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'no-csrf-1' },
      body: JSON.stringify({ decision: 'approve' }),
    }).then((r) => r.status)`);
  expect(status).toBe(403);
  // The review's row is written by the line's workflow a moment after the apply answer may be read.
  const review = await eventually(
    () =>
      request(s.h.app)
        .get(`/v1/reviews/${line.review.id}`)
        .set('Authorization', `Bearer ${s.h.keys.reviewer}`),
    (r) => r.status !== 404,
  );
  expect(review.status).toBe(200);
  expect(review.body.decisions).toEqual([]);

  // The labels switch language in place; the choice outlives a reload.
  await page.click('#language');
  await waitForText(page, 'main h1', '审核队列');
  await page.reload({ waitUntil: 'networkidle0' });
  await waitForText(page, 'main h1', '审核队列');
  await screenshot(page, 'queue-zh');
  await page.browserContext().close();
});

test("an applicant's answer holding markup shows as text; signing out ends the session", async () => {
  const line = await applyForReview(5_000_000);
  const decide = await request(s.h.app)
    .post(`/v1/reviews/${line.review.id}/decision`)
    .set('Authorization', `Bearer ${s.h.keys.reviewer2}`)
    .set('Idempotency-Key', randomUUID())
    .send({ decision: 'request_info', reason: `proof of income ${XSS}` });
  expect(decide.status).toBe(202);
  for (let i = 0; i < 100; i++) {
    const info = await request(s.h.app)
      .post(`/v1/credit-lines/${line.id}/info`)
      .set('Authorization', `Bearer ${s.h.keys.client}`)
      .set('Idempotency-Key', randomUUID())
      .send({ occupation: XSS, monthlyIncome: { amount: 1_234_500, currency: 'CNY' } });
    if (info.status === 202) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const page = await openConsole(s.cb, s.h.keys.reviewer);
  await page.waitForSelector('#queue');
  await page.goto(`${s.cb.base}/console#/reviews/${line.review.id}`, { waitUntil: 'networkidle0' });
  await waitForText(page, '#section-answers', XSS);
  expect(await textOf(page, '#section-answers')).toMatch(/12,345\.00/);
  expect(await textOf(page, '#section-history')).toContain(`proof of income ${XSS}`);
  expect(await noScriptRan(page)).toBe(true);
  expect(await scriptsInPage(page)).toBe(0);
  await screenshot(page, 'review-injected-text');

  const [cookie] = await page.cookies();
  expect(cookie).toMatchObject({ name: 'lf_console', httpOnly: true, sameSite: 'Strict' });
  expect(cookie!.expires).toBeGreaterThan(Date.now() / 1000);
  await page.click('#sign-out');
  await page.waitForSelector('#api-key');
  const reused = await request(s.h.app).get('/v1/reviews').set('Cookie', `lf_console=${cookie!.value}`);
  expect(reused.status).toBe(401);
  await page.browserContext().close();
});
