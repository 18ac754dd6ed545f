import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createAdapters, type SandboxBank } from '../../adapters';
import type { PayRequest } from '../../contracts/providers/bank';
import type { LoanflowWorkers } from '../../worker/worker';
import { loan } from '../../workflows/loan';
import { extendLoan, getLoan, type LoanInput, loanWorkflowId, repay } from '../../contracts/loan';
import { bankCard, idNumber, phone } from '../support/applicants';
import { testPool } from '../support/db';
import { eventually } from '../support/eventually';
import { devServerEnv } from '../support/temporal';
import { loanflowWorkersOn } from '../support/workers';

// A deploy stops the worker while a payout is at the bank: the payout must finish and be recorded
// once, so the next worker carries on from it instead of paying again or timing it out.
const taskQueue = 'test-worker-shutdown';
const pool = testPool();
const adapters = createAdapters({ mode: 'sandbox' });
const bank = adapters.bank as SandboxBank;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(async () => {
  await env?.teardown();
  await pool.end();
});

async function startWorkers(): Promise<{ workers: LoanflowWorkers; running: Promise<void> }> {
  const workers = await loanflowWorkersOn(env, { taskQueue, pool, adapters });
  return { workers, running: workers.runAll() };
}

function loanInput(): LoanInput {
  return {
    loanId: `ln_shutdown_${randomUUID()}`,
    creditLineId: `cl_absent_${randomUUID()}`,
    customerId: `cus_shutdown_${randomUUID()}`,
    productCode: 'cash-installment',
    principal: { amount: 300_000, currency: 'CNY' },
    termMonths: 3,
    method: 'annuity',
    purpose: 'worker shutdown test',
    annualRate: '0.12',
    timeZone: 'Asia/Shanghai',
    payee: { kind: 'borrower', bankCard: bankCard() },
    borrower: { idNumber: idNumber(), phone: phone() },
  };
}

/**
 * Starts a loan, stops the worker while its payout is at the bank, lets the bank answer, and waits for
 * the stopped worker to finish: the payout's completion is in history and no worker has seen it yet.
 */
async function payoutDoneWhileNoWorker() {
  const pay = bank.pay.bind(bank);
  let atBank!: () => void;
  const reachedBank = new Promise<void>((r) => (atBank = r));
  let answer!: () => void;
  const bankAnswers = new Promise<void>((r) => (answer = r));
  bank.pay = async (req: PayRequest) => {
    atBank();
    await bankAnswers;
    return pay(req);
  };

  const first = await startWorkers();
  const input = loanInput();
  const handle = await env.client.workflow.start(loan, {
    workflowId: loanWorkflowId(input.loanId),
    taskQueue,
    args: [input],
  });
  await reachedBank;

  first.workers.shutdown();
  expect(first.workers.providers.bank?.getState()).not.toBe('RUNNING');
  let stopped = false;
  void first.running.then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 300));
  expect(stopped).toBe(false); // still waiting on the bank, not abandoning the payout
  answer();
  await first.running;
  bank.pay = pay;
  return { input, handle };
}

test('shutting down drains a payout in flight: it completes once, and the next worker goes on from it', async () => {
  const { input, handle } = await payoutDoneWhileNoWorker();
  const events = (await handle.fetchHistory()).events ?? [];
  const completed = events.filter((e) => e.activityTaskCompletedEventAttributes);
  const abandoned = events.filter(
    (e) => e.activityTaskFailedEventAttributes ?? e.activityTaskTimedOutEventAttributes,
  );
  expect(abandoned).toHaveLength(0);
  const disburse = events.find(
    (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'disburse',
  );
  expect(completed.map((e) => String(e.activityTaskCompletedEventAttributes?.scheduledEventId))).toContain(
    String(disburse?.eventId),
  );

  const second = await startWorkers();
  try {
    const active = await eventually(
      () => handle.query(getLoan),
      (v) => v.status === 'active',
    );
    const paid = bank.payouts().filter((p) => p.idempotencyKey.startsWith(input.loanId));
    expect(paid).toHaveLength(1);
    expect(active.disbursement).toMatchObject({
      payoutId: paid[0]?.payoutId,
      netAmount: paid[0]?.amountMinor,
    });
  } finally {
    second.workers.shutdown();
    await second.running;
    await handle.terminate('test done');
  }
});

// The next worker gets the payout's completion and a repayment in one workflow task, and Temporal
// hands the update to the loan before the activity's result: the loan must not refuse it as not in
// service when the same task makes it active.
test('a repayment that arrives with the payout completion is taken once the loan is active', async () => {
  const { handle } = await payoutDoneWhileNoWorker();
  const paying = handle.executeUpdate(repay, {
    args: [{ paymentId: 'app-first', amount: { amount: 10_000, currency: 'CNY' }, channel: 'app' }],
  });
  const settled = paying.then(
    (r) => ({ ok: true as const, r }),
    (e: unknown) => ({ ok: false as const, e }),
  );
  await new Promise((r) => setTimeout(r, 500)); // the update waits at the server for a worker
  const second = await startWorkers();
  try {
    const answer = await settled;
    if (!answer.ok) throw answer.e;
    expect(answer.r).toMatchObject({ paymentId: 'app-first', status: 'active' });
    const loanNow = await handle.query(getLoan);
    expect(loanNow.status).toBe('active');
  } finally {
    second.workers.shutdown();
    await second.running;
    await handle.terminate('test done');
  }
});

test('an extension that arrives with the payout completion is judged on the active loan, not refused as disbursing', async () => {
  const { handle } = await payoutDoneWhileNoWorker();
  const extending = handle.executeUpdate(extendLoan, {
    args: [{ extensionId: 'ext-first', days: 10, actor: 'client' }],
  });
  const settled = extending.then(
    () => null,
    (e: unknown) => e as { cause?: { message?: string } },
  );
  await new Promise((r) => setTimeout(r, 500)); // the update waits at the server for a worker
  const second = await startWorkers();
  try {
    const refusal = await settled;
    // A loan with nothing paid yet is not extended (product policy), and it is the policy that says so.
    expect(refusal?.cause?.message).toMatch(/installment paid first/);
    expect(refusal?.cause?.message).not.toMatch(/disbursing/);
    expect((await handle.query(getLoan)).status).toBe('active');
  } finally {
    second.workers.shutdown();
    await second.running;
    await handle.terminate('test done');
  }
});
