import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAdapters } from '../../adapters';
import type { SandboxNotifier } from '../../adapters/notify';
import type { LoanflowWorkers } from '../../worker/worker';
import { providerQueue } from '../../workflows/task-queues';
import { creditLine, type CreditLineInput } from '../../workflows/credit-line';
import {
  controlLine,
  type CreditLineView,
  decideReview,
  drawdown,
  creditLineWorkflowId,
  getCreditLine,
  provideInfo,
  reviewDecision,
  reviewIdFor,
  submitInfo,
} from '../../contracts/credit-line';
import { idCheckCharacter as checkChar } from '../../domain/identity';
import { application, bankCard, idNumber, idNumberGrantingUpTo, phone } from '../support/applicants';
import { testPool } from '../support/db';
import { TOOLS_BIN } from '../support/paths';
import { timeSkippingEnv } from '../support/temporal';
import { loanflowWorkersOn } from '../support/workers';

const pool = testPool();
const adapters = createAdapters({ mode: 'sandbox' });
let env: TestWorkflowEnvironment;
let workers: LoanflowWorkers;
let running: Promise<void>;
const taskQueue = 'test-credit-line';

beforeAll(async () => {
  env = await timeSkippingEnv();
  // The decision SMS runs on the gateway's own queue, as in production.
  workers = await loanflowWorkersOn(env, { taskQueue, pool, adapters });
  running = workers.runAll();
});

afterAll(async () => {
  workers?.shutdown();
  await running;
  await env?.teardown();
  await pool.end();
});

/** Starts a line and answers a handle on its latest run, so it follows continue-as-new. */
async function start(app: ReturnType<typeof application>, settings?: CreditLineInput['settings']) {
  const workflowId = creditLineWorkflowId(app.creditLineId);
  await env.client.workflow.start(creditLine, {
    workflowId,
    taskQueue,
    args: [{ application: app, ...(settings ? { settings } : {}) }],
  });
  return env.client.workflow.getHandle<typeof creditLine>(workflowId);
}
type Handle = Awaited<ReturnType<typeof start>>;

/** Polls the workflow's own query until it reaches the wanted state (queries do not skip time). */
async function until(handle: Handle, done: (v: CreditLineView) => boolean): Promise<CreditLineView> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const view = await handle.query(getCreditLine);
    if (done(view)) return view;
    if (Date.now() > deadline) throw new Error(`state not reached; last: ${JSON.stringify(view)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** The read model follows the workflow through an activity, so it catches up a moment later. */
async function rowMatches(
  row: () => Promise<Record<string, unknown> | undefined>,
  expected: Record<string, unknown>,
): Promise<void> {
  let last: unknown;
  await eventually(async () => {
    last = await row();
    try {
      expect(last).toMatchObject(expected);
      return true;
    } catch {
      return false;
    }
  }).catch(() => expect(last).toMatchObject(expected));
}

async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the read model did not catch up');
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** SMS the sandbox notifier recorded for a line (one per status the applicant was told about). */
const sentTo = (creditLineId: string) =>
  (adapters.notify as SandboxNotifier).sent().filter((n) => n.params.creditLineId === creditLineId);
const settled = (v: CreditLineView) => v.status !== 'pending';
const codes = (v: CreditLineView) => v.reasons.map((r) => r.code);
const lineRow = async (id: string) =>
  (await pool.query('select * from credit_lines where id = $1', [id])).rows[0];
const reviewRow = async (id: string) =>
  (await pool.query('select * from reviews where id = $1', [reviewIdFor(id)])).rows[0];

describe('automatic decisions', () => {
  test('a good applicant under 50,000.00 is approved with grade, price and expiry, and the read model follows', async () => {
    const app = application({ amount: 2_000_000 });
    const view = await until(await start(app), settled);
    expect(view).toMatchObject({
      status: 'active',
      limit: app.requestedLimit,
      available: app.requestedLimit,
    });
    expect(view.grade).toMatch(/^[A-D]$/);
    expect(Number(view.apr)).toBeGreaterThan(0);
    expect(Number(view.apr)).toBeLessThanOrEqual(0.36);
    expect(view.expiresOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(codes(view)).toContain('APPROVED');
    await rowMatches(() => lineRow(app.creditLineId), { status: 'active', grade: view.grade, apr: view.apr });
    await eventually(async () => sentTo(app.creditLineId).length === 1);
    expect(sentTo(app.creditLineId)[0]).toMatchObject({
      to: app.applicant.phone,
      template: 'credit-line-active',
      channel: 'sms',
    });
  });

  test("the decision SMS runs on the gateway's own queue, under the rate it accepts", async () => {
    const app = application({ amount: 2_000_000 });
    const handle = await start(app);
    await until(handle, settled);
    await eventually(async () => sentTo(app.creditLineId).length === 1);
    const queues = (await handle.fetchHistory()).events!.flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      return a?.activityType?.name === 'notifyApplicant' ? [a.taskQueue?.name] : [];
    });
    expect(queues).toEqual([providerQueue(taskQueue, 'notify')]);
  });

  test('a blacklisted phone (0000) is declined without a bureau pull', async () => {
    const app = application({ phone: phone('0000') });
    const result = await (await start(app)).result();
    expect(result.status).toBe('declined');
    expect(codes(result)).toEqual(['BLACKLISTED']);
    const pulls = await pool.query('select count(*)::int as n from bureau_reports where customer_id = $1', [
      app.customerId,
    ]);
    expect(pulls.rows[0].n).toBe(0);
  });

  test('a four-element mismatch (card 0001) is declined with IDENTITY_MISMATCH', async () => {
    const result = await (await start(application({ card: bankCard('0001') }))).result();
    expect(result.status).toBe('declined');
    expect(codes(result)).toContain('IDENTITY_MISMATCH');
  });

  test('an application the database cannot store fails at once with a refusal naming it, instead of retrying forever', async () => {
    const app = application();
    app.consents.bureauQuery.version = 'v1\u0000';
    await expect((await start(app)).result()).rejects.toMatchObject({
      cause: { type: 'DomainError', details: [{ field: 'application', code: 'unstorable_input' }] },
    });
    expect(await lineRow(app.creditLineId)).toBeUndefined();
  });

  test('a whitelisted phone (1111) is fast-tracked to active', async () => {
    const view = await until(await start(application({ phone: phone('1111') })), settled);
    expect(view.status).toBe('active');
    expect(codes(view)).toContain('WHITELIST_FAST_TRACK');
  });

  test('transient bureau failures (ID sequence 999) are retried until the pull succeeds', async () => {
    const id = idNumber('19900101');
    const transient = `${id.slice(0, 14)}999`;
    const app = application({ idNumber: `${transient}${checkChar(transient)}` });
    const view = await until(await start(app), settled);
    expect(view.status).toBe('active');
    const pulls = await pool.query('select count(*)::int as n from bureau_reports where customer_id = $1', [
      app.customerId,
    ]);
    expect(pulls.rows[0].n).toBe(1);
  });
});

describe('manual review', () => {
  test('one reviewer approves a 50,000.00 application', async () => {
    const app = application({ amount: 5_000_000, idNumber: await idNumberGrantingUpTo(5_000_000) });
    const handle = await start(app);
    const pending = await until(handle, settled);
    expect(pending.status).toBe('pending_review');
    expect(pending.review).toMatchObject({ reviewersRequired: 1, status: 'pending' });
    await rowMatches(() => reviewRow(app.creditLineId), { status: 'pending', reviewers_required: 1 });

    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_1', decision: 'approve' });
    const view = await until(handle, (v) => v.status !== 'pending_review');
    expect(view).toMatchObject({ status: 'active', limit: { amount: 5_000_000 } });
    expect(codes(view)).toContain('REVIEW_APPROVED');
    await rowMatches(() => reviewRow(app.creditLineId), {
      status: 'approved',
      approvals: ['key_reviewer_1'],
    });
    await eventually(async () => sentTo(app.creditLineId).length === 2);
    expect(sentTo(app.creditLineId).map((n) => n.template)).toEqual([
      'credit-line-pending-review',
      'credit-line-active',
    ]);
  });

  test('one reviewer declines, with the reason kept for the customer', async () => {
    const app = application({ amount: 6_000_000, idNumber: await idNumberGrantingUpTo(6_000_000) });
    const handle = await start(app);
    await until(handle, (v) => v.status === 'pending_review');
    await handle.signal(reviewDecision, {
      reviewerId: 'key_reviewer_1',
      decision: 'decline',
      reason: 'income not verifiable',
    });
    const result = await handle.result();
    expect(result.status).toBe('declined');
    expect(result.reasons.at(-1)).toEqual({
      code: 'REVIEW_DECLINED',
      message: expect.stringContaining('income not verifiable'),
    });
  });

  test('above 200,000.00 two different reviewers are needed; the same one twice and a party are refused', async () => {
    const app = application({ amount: 25_000_000, idNumber: await idNumberGrantingUpTo(25_000_000) });
    const handle = await start(app);
    await until(handle, (v) => v.status === 'pending_review');
    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_1', decision: 'approve' });
    await until(handle, (v) => v.review?.approvals.length === 1);
    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_1', decision: 'approve' });
    await handle.signal(reviewDecision, { reviewerId: app.submittedBy, decision: 'approve' });
    // A later no-op query proves both refused signals were processed without effect.
    await handle.signal(reviewDecision, {
      reviewerId: 'key_reviewer_1',
      decision: 'request_info',
      reason: 'x',
    });
    const still = await handle.query(getCreditLine);
    expect(still.status).toBe('pending_review');
    expect(still.review?.approvals).toEqual(['key_reviewer_1']);

    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_2', decision: 'approve' });
    const view = await until(handle, (v) => v.status !== 'pending_review');
    expect(view.status).toBe('active');
    await rowMatches(() => reviewRow(app.creditLineId), {
      status: 'approved',
      approvals: ['key_reviewer_1', 'key_reviewer_2'],
    });
  });

  test('a missed deadline escalates once, then expires as declined — never approved', async () => {
    const app = application({ amount: 5_000_000, idNumber: await idNumberGrantingUpTo(5_000_000) });
    const handle = await start(app, { reviewWindowHours: 4 });
    await until(handle, (v) => v.status === 'pending_review');
    const result = await handle.result(); // the time-skipping server jumps over both deadlines
    expect(result.status).toBe('declined');
    expect(codes(result).at(-1)).toBe('REVIEW_EXPIRED');
    await rowMatches(() => reviewRow(app.creditLineId), { status: 'expired', escalations: 1 });
  });

  test('request_info pauses the review until the applicant answers, then a reviewer decides', async () => {
    const app = application({ amount: 5_000_000, idNumber: await idNumberGrantingUpTo(5_000_000) });
    const handle = await start(app);
    await until(handle, (v) => v.status === 'pending_review');
    await handle.signal(reviewDecision, {
      reviewerId: 'key_reviewer_1',
      decision: 'request_info',
      reason: 'proof of income',
    });
    await until(handle, (v) => v.review?.status === 'info_requested');
    await eventually(async () => (await reviewRow(app.creditLineId)).status === 'info_requested');
    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_2', decision: 'approve' }); // refused while waiting
    await handle.signal(submitInfo, {
      monthlyIncome: { amount: 3_000_000, currency: 'CNY' },
      occupation: 'engineer',
    });
    await until(handle, (v) => v.review?.status === 'pending');
    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_1', decision: 'approve' });
    expect((await until(handle, (v) => v.status !== 'pending_review')).status).toBe('active');
  });

  test("as updates, a refused decision or an unasked answer is the caller's error and changes nothing", async () => {
    const app = application({ amount: 25_000_000, idNumber: await idNumberGrantingUpTo(25_000_000) });
    const handle = await start(app);
    await until(handle, (v) => v.status === 'pending_review');
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (err: { cause?: { details?: unknown[] } }) => err.cause?.details?.[0],
      );
    expect(await refusal(handle.executeUpdate(provideInfo, { args: [{ occupation: 'engineer' }] }))).toEqual({
      field: 'review',
      code: 'info_not_requested',
    });
    const first = { reviewerId: 'key_reviewer_1', decision: 'approve' } as const;
    await handle.executeUpdate(decideReview, { args: [first], updateId: 'rd-1' });
    // The same update id again (an API retry after a crash) is answered, not decided twice or refused.
    await handle.executeUpdate(decideReview, { args: [first], updateId: 'rd-1' });
    expect(
      await refusal(handle.executeUpdate(decideReview, { args: [first], updateId: 'rd-2' })),
    ).toMatchObject({
      code: 'ALREADY_DECIDED',
    });
    expect(
      await refusal(
        handle.executeUpdate(decideReview, { args: [{ reviewerId: app.submittedBy, decision: 'approve' }] }),
      ),
    ).toMatchObject({ code: 'REVIEWER_IS_PARTY' });
    const line = await handle.query(getCreditLine);
    expect(line.status).toBe('pending_review');
    expect(line.review?.approvals).toEqual(['key_reviewer_1']);
    await handle.executeUpdate(decideReview, {
      args: [{ reviewerId: 'key_reviewer_2', decision: 'approve' }],
    });
    expect((await until(handle, (v) => v.status !== 'pending_review')).status).toBe('active');
  });
});

describe('long life', () => {
  test('continue-as-new keeps the open review and its approvals, then the active line and its controls', async () => {
    // With a 12-event budget the assessing run continues as new on entering review, and every
    // later change (an approval, a control) pushes the next run over it: each step below is a new run.
    const app = application({ amount: 25_000_000, idNumber: await idNumberGrantingUpTo(25_000_000) });
    const handle = await start(app, { historyLimit: 12 });
    const assessing = (await handle.describe()).runId;
    const reviewing = await waitForNewRun(handle, assessing);
    expect((await handle.query(getCreditLine)).status).toBe('pending_review');

    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_1', decision: 'approve' });
    const afterFirstApproval = await waitForNewRun(handle, reviewing);
    const carried = await handle.query(getCreditLine);
    expect(carried.review).toMatchObject({
      status: 'pending',
      approvals: ['key_reviewer_1'],
      reviewersRequired: 2,
    });
    await rowMatches(() => reviewRow(app.creditLineId), { status: 'pending', approvals: ['key_reviewer_1'] });

    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_1', decision: 'approve' }); // refused: same reviewer
    await handle.signal(reviewDecision, { reviewerId: 'key_reviewer_2', decision: 'approve' });
    await until(handle, (v) => v.status === 'active');
    const serving = await waitForNewRun(handle, afterFirstApproval);
    const frozen = await handle.executeUpdate(controlLine, {
      args: [{ action: 'freeze', reason: 'fraud alert', actor: 'key_ops' }],
    });
    expect(frozen.status).toBe('frozen');
    await waitForNewRun(handle, serving);
    const view = await handle.query(getCreditLine);
    expect(view).toMatchObject({
      status: 'frozen',
      limit: { amount: 25_000_000 },
      review: { approvals: ['key_reviewer_1', 'key_reviewer_2'] },
    });
    expect(codes(view)).toEqual(expect.arrayContaining(['REVIEW_APPROVED', 'LINE_FREEZE']));
  });

  test('at expiry a line repaid on time renews with a higher limit; an unused line closes', async () => {
    const used = await start(application({ amount: 2_000_000 }));
    const unused = await start(application({ amount: 2_000_000 }));
    await until(used, (v) => v.status === 'active');
    await until(unused, (v) => v.status === 'active');
    const first = await used.query(getCreditLine);
    await used.executeUpdate(drawdown, {
      args: [
        {
          loanId: `ln_test_${first.id}`,
          amount: { amount: 600_000, currency: 'CNY' },
          termMonths: 3,
          purpose: 'appliance',
          actor: 'key_client',
        },
      ],
    });
    await env.sleep('400 days'); // the 3-month loan is repaid by autopay, then the line reaches its expiry
    const renewed = await used.query(getCreditLine);
    expect(renewed).toMatchObject({
      status: 'active',
      limit: { amount: 2_400_000 },
      available: { amount: 2_400_000 },
    });
    expect(renewed.expiresOn! > first.expiresOn!).toBe(true);
    expect(codes(renewed)).toContain('LINE_RENEWED');
    const closed = await unused.query(getCreditLine);
    expect(closed).toMatchObject({ status: 'closed', available: { amount: 0 } });
    expect(codes(closed)).toContain('LINE_EXPIRED');
  });

  test('line controls refuse what the rules forbid, and change the limit when allowed', async () => {
    // Earlier tests skip the server's clock years ahead: the applicant is 30 on that clock.
    const year = new Date(await env.currentTimeMs()).getUTCFullYear();
    const handle = await start(application({ amount: 1_000_000, idNumber: idNumber(`${year - 30}0101`) }));
    await until(handle, (v) => v.status === 'active');
    await expect(
      handle.executeUpdate(controlLine, { args: [{ action: 'unfreeze', reason: 'x', actor: 'key_ops' }] }),
    ).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/only a frozen line can be unfrozen/) },
    });
    const changed = await handle.executeUpdate(controlLine, {
      args: [
        {
          action: 'change_limit',
          reason: 'renewal review',
          actor: 'key_ops',
          limit: { amount: 1_500_000, currency: 'CNY' },
        },
      ],
    });
    expect(changed).toMatchObject({ limit: { amount: 1_500_000 }, available: { amount: 1_500_000 } });
    await handle.executeUpdate(controlLine, {
      args: [{ action: 'close', reason: 'customer request', actor: 'key_ops' }],
    });
    expect((await handle.result()).status).toBe('closed');
  });
});

/** Waits until the workflow's latest run is no longer `runId`, and answers the new run's id. */
async function waitForNewRun(handle: Handle, runId: string): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { runId: current, status } = await handle.describe();
    if (current !== runId && status.name === 'RUNNING') return current;
    if (Date.now() > deadline) throw new Error('the workflow did not continue as new');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('privacy', () => {
  test('the raw history read through the CLI holds no plaintext ID number, card, phone or name', async () => {
    const app = application({ card: bankCard('0001') });
    const handle = await start(app);
    await handle.result();
    const raw = execFileSync(path.join(TOOLS_BIN, 'temporal'), [
      'workflow',
      'show',
      '--address',
      env.address,
      '--workflow-id',
      creditLineWorkflowId(app.creditLineId),
      '--output',
      'json',
    ]).toString();
    // The encoding name sits base64-encoded in each payload's metadata: the payloads are there, encrypted.
    expect(raw).toContain(Buffer.from('binary/encrypted').toString('base64'));
    for (const secret of [
      app.applicant.idNumber,
      app.applicant.bankCard,
      app.applicant.phone,
      app.applicant.name,
    ]) {
      expect(raw).not.toContain(secret);
      expect(raw).not.toContain(Buffer.from(JSON.stringify(secret)).toString('base64').slice(0, 16));
    }
  });
});
