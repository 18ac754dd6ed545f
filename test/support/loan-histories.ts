import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addDays, instantOfLocal, localDateAt } from '../../domain/localdate';
import { loan, type LoanRun } from '../../workflows/loan';
import {
  extendLoan,
  getLoan,
  type LoanView,
  paymentCallback,
  payoffQuote,
  repay,
  retryAutopay,
  settlementApproved,
  type LoanInput,
  loanWorkflowId,
} from '../../contracts/loan';
import { bankCard, idNumber, phone } from './applicants';

type Save = (name: string, workflowId: string, runId?: string) => Promise<void>;

/** Starting and watching loans on the recorder's worker; shared by the loan and collection scenario groups. */
export function loanScenarios(env: TestWorkflowEnvironment, taskQueue: string) {
  const zone = 'Asia/Shanghai';
  const start = async (over: Partial<LoanInput> & { card?: string }, run?: LoanRun) => {
    const { card, ...rest } = over;
    const input: LoanInput = {
      loanId: `ln_rec_${randomUUID()}`,
      creditLineId: `cl_rec_${randomUUID()}`,
      customerId: `cus_rec_${randomUUID()}`,
      productCode: 'cash-installment',
      principal: { amount: 600_000, currency: 'CNY' },
      termMonths: 6,
      method: 'annuity',
      purpose: 'recorded scenario',
      annualRate: '0.12',
      timeZone: zone,
      payee: { kind: 'borrower', bankCard: card ?? bankCard() },
      borrower: { idNumber: idNumber(), phone: phone() },
      ...rest,
    };
    const workflowId = loanWorkflowId(input.loanId);
    const started = await env.client.workflow.start(loan, {
      workflowId,
      taskQueue,
      args: run ? [input, run] : [input],
    });
    return {
      input,
      workflowId,
      firstRunId: started.firstExecutionRunId,
      handle: env.client.workflow.getHandle<typeof loan>(workflowId),
    };
  };
  type Started = Awaited<ReturnType<typeof start>>;
  const until = async (l: Started, done: (v: LoanView) => boolean) => {
    for (let i = 0; i < 600; i++) {
      const v = await l.handle.query(getLoan);
      if (done(v)) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('recorded scenario did not reach its state');
  };
  const sleepTo = async (date: string, time = '12:00') => {
    const gap = instantOfLocal(date, time, zone) - (await env.currentTimeMs());
    if (gap > 0) await env.sleep(gap);
  };
  const today = async () => localDateAt(await env.currentTimeMs(), zone);
  return { start, until, sleepTo, today };
}

/**
 * Loan scenarios whose histories test/replay keeps replaying: every branch of the loan workflow (autopay,
 * failed and retried debits, repayment update, prepayment, credit, reversal and late success callbacks,
 * payoff, delinquency bucket wake, disbursement refusal, continue-as-new). For scripts/record-histories.ts;
 * a worker with the loan activities must be polling `taskQueue`.
 */
export async function recordLoanHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start, until, sleepTo, today } = loanScenarios(env, taskQueue);
  const paid = (v: LoanView) => v.installments.filter((i) => i.status === 'paid').length;

  const clean = await start({ termMonths: 3, principal: { amount: 300_000, currency: 'CNY' } });
  await clean.handle.result();
  await save('loan-autopay-closed', clean.workflowId);

  const refused = await start({ card: bankCard('0002') });
  await refused.handle.result();
  await save('loan-disbursement-refused', refused.workflowId);

  const busy = await start({ card: bankCard('0005') });
  const v0 = await until(busy, (v) => v.status === 'active');
  await sleepTo(addDays(v0.installments[0]!.dueDate, 10));
  await until(busy, (v) => paid(v) === 1);
  await busy.handle.executeUpdate(repay, {
    args: [
      {
        paymentId: 'rec-over',
        amount: { amount: v0.installments[1]!.total + 1_000, currency: 'CNY' },
        channel: 'app',
      },
    ],
  });
  const debit = (await busy.handle.query(getLoan)).autopayAttempts.find((a) => a.result === 'succeeded')!;
  await busy.handle.signal(paymentCallback, {
    eventId: 'rec-rev',
    kind: 'reversal',
    paymentId: debit.paymentId!,
    amount: { amount: debit.amount, currency: 'CNY' },
  });
  await busy.handle.signal(paymentCallback, {
    eventId: 'rec-ok',
    kind: 'success',
    paymentId: 'rec-transfer',
    amount: { amount: debit.amount, currency: 'CNY' },
  });
  await sleepTo(addDays(v0.installments[2]!.dueDate, 3));
  await until(busy, (v) => paid(v) === 3);
  await busy.handle.executeUpdate(repay, {
    args: [
      {
        paymentId: 'rec-pre',
        amount: { amount: 100_000, currency: 'CNY' },
        channel: 'app',
        mode: 'reduce-term',
      },
    ],
  });
  const quote = await busy.handle.query(payoffQuote, await today());
  await busy.handle.executeUpdate(repay, {
    args: [{ paymentId: 'rec-payoff', amount: quote.amount, channel: 'app' }],
  });
  await busy.handle.result();
  await save('loan-repayments-payoff', busy.workflowId);

  const late = await start({
    card: bankCard('0004'),
    termMonths: 3,
    principal: { amount: 300_000, currency: 'CNY' },
  });
  const l0 = await until(late, (v) => v.status === 'active');
  await sleepTo(addDays(l0.installments[0]!.dueDate, 2));
  const behind = await until(late, (v) => v.bucket === 'M1');
  await late.handle.executeUpdate(repay, {
    args: [
      {
        paymentId: 'rec-late',
        amount: { amount: behind.nextDue!.amount, currency: 'CNY' },
        channel: 'counter',
      },
    ],
  });
  const settle = await late.handle.query(payoffQuote, await today());
  await late.handle.executeUpdate(repay, {
    args: [{ paymentId: 'rec-settle', amount: settle.amount, channel: 'counter' }],
  });
  await late.handle.result();
  await save('loan-delinquent-repaid', late.workflowId);

  const long = await start(
    { termMonths: 12, principal: { amount: 1_200_000, currency: 'CNY' } },
    { settings: { historyLimit: 60 } },
  );
  await long.handle.result();
  await save('loan-continued-first-run', long.workflowId, long.firstRunId);
  await save('loan-continued-last-run', long.workflowId);
}

/** Patch `refund-credit-at-closure`: a transfer above the payoff closes the loan and its credit is paid back. */
export async function recordRefundHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start, until, today } = loanScenarios(env, taskQueue);
  const over = await start({ termMonths: 3, principal: { amount: 300_000, currency: 'CNY' } });
  await until(over, (v) => v.status === 'active');
  const quote = await over.handle.query(payoffQuote, await today());
  await over.handle.signal(paymentCallback, {
    eventId: 'rec-transfer-over',
    kind: 'success',
    paymentId: 'rec-transfer',
    amount: { amount: quote.amount.amount + 777, currency: 'CNY' },
  });
  await over.handle.result();
  await save('loan-overpaid-refunded', over.workflowId);
}

/**
 * Patch `late-receipts-after-closure`: a loan paid off through the app, then a provider reports a
 * transfer days after closure; the closed loan books it as credit, refunds it and completes once its
 * window has passed.
 */
export async function recordLateReceiptHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start, until, today, sleepTo } = loanScenarios(env, taskQueue);
  const paid = await start({ termMonths: 3, principal: { amount: 300_000, currency: 'CNY' } });
  await until(paid, (v) => v.status === 'active');
  const quote = await paid.handle.query(payoffQuote, await today());
  await paid.handle.executeUpdate(repay, {
    args: [{ paymentId: 'rec-payoff', amount: quote.amount, channel: 'app' }],
  });
  await until(paid, (v) => v.status === 'closed');
  await sleepTo(addDays(await today(), 3));
  await paid.handle.signal(paymentCallback, {
    eventId: 'rec-late-transfer',
    kind: 'success',
    paymentId: 'rec-late-transfer',
    amount: { amount: 12_345, currency: 'CNY' },
  });
  await until(paid, (v) => (v.refunds ?? []).length === 1);
  await paid.handle.result();
  await save('loan-late-receipt-refunded', paid.workflowId);
}

/**
 * Patches `post-with-save` and `debit-as-activity`: a 3-month loan repaid by autopay to closure, each
 * debit a server activity on the bank's queue and each change saved with its entries.
 */
export async function recordSavedWithEntriesHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start } = loanScenarios(env, taskQueue);
  const paid = await start({ termMonths: 3, principal: { amount: 300_000, currency: 'CNY' } });
  await paid.handle.result();
  await save('loan-saved-with-entries', paid.workflowId);
}

/** Patch `continue-each-year`: a 24-month loan hands over to a fresh run after its 12th due day. */
export async function recordYearlyHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start } = loanScenarios(env, taskQueue);
  const long = await start({ termMonths: 24, principal: { amount: 2_400_000, currency: 'CNY' } });
  await long.handle.result();
  await save('loan-yearly-first-run', long.workflowId, long.firstRunId);
  await save('loan-yearly-last-run', long.workflowId);
}

/** Patch `debit-in-task`: each due day's first debit fails and the next pays, both inside the loan's task. */
export async function recordDebitInTaskHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start } = loanScenarios(env, taskQueue);
  const retried = await start({
    card: bankCard('0005'),
    termMonths: 3,
    principal: { amount: 300_000, currency: 'CNY' },
  });
  await retried.handle.result();
  await save('loan-debited-in-task', retried.workflowId);
}

/**
 * Patch `reminders-with-gateway`: each reminder handed to the gateway ahead; the first installment
 * paid early withdraws its reminder, and the loan runs to closure by autopay.
 */
export async function recordGatewayReminderHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start, until } = loanScenarios(env, taskQueue);
  const early = await start({ termMonths: 3, principal: { amount: 300_000, currency: 'CNY' } });
  const v = await until(early, (x) => x.status === 'active' && x.reminders.length > 0);
  await early.handle.executeUpdate(repay, {
    args: [
      {
        paymentId: 'rec-early',
        amount: { amount: v.nextDue!.amount, currency: 'CNY' },
        channel: 'app',
      },
    ],
  });
  await early.handle.result();
  await save('loan-reminders-with-gateway', early.workflowId);
}

/**
 * An extension granted and asked again under its id, a retry and a settlement in another currency
 * the loan ignores, then closure by autopay: the handlers of domain/loan-machine.ts's events that the
 * other groups do not send.
 */
export async function recordExtensionHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start, until, sleepTo } = loanScenarios(env, taskQueue);
  const extended = await start({ termMonths: 3, principal: { amount: 300_000, currency: 'CNY' } });
  const v = await until(extended, (x) => x.status === 'active');
  await sleepTo(addDays(v.installments[0]!.dueDate, 1));
  await until(extended, (x) => x.installments[0]!.status === 'paid');
  const ask = { extensionId: 'rec-ext', days: 10, actor: 'recorder' };
  await extended.handle.executeUpdate(extendLoan, { args: [ask] });
  await extended.handle.executeUpdate(extendLoan, { args: [ask] });
  await extended.handle.signal(retryAutopay, { retryId: 'rec-retry' });
  await extended.handle.signal(settlementApproved, {
    offerId: 'rec-offer',
    amount: { amount: 100, currency: 'USD' },
    payBy: addDays(v.installments[1]!.dueDate, 1),
  });
  await extended.handle.result();
  await save('loan-extended-closed', extended.workflowId);
}
