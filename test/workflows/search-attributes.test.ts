import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { daysPastDue } from '../../domain/delinquency';
import { addDays, instantOfLocal, localDateAt } from '../../domain/localdate';
import { allocationOrderOf, openBook, priceLoan } from '../../domain/loan';
import { getProduct } from '../../domain/products';
import { collectionWorkflowId } from '../../contracts/collection';
import { loan, type LoanState } from '../../workflows/loan';
import { newLoanState } from '../../workflows/loan-context';
import {
  getLoan,
  type LoanView,
  payoffQuote,
  repay,
  type LoanInput,
  loanWorkflowId,
} from '../../contracts/loan';
import { bankCard, idNumber, phone } from '../support/applicants';
import { statusTrail } from '../support/search-attributes';
import { testWorkers } from '../support/workers';

/**
 * Search attributes live in the dev server's visibility store (the time-skipping server keeps none),
 * where time cannot be skipped. So the loan starts as a run continued from one disbursed 100 days
 * ago: it catches up on its missed due days at once and shows today's delinquency; then a cure and a
 * payoff happen in real time. Operators find it by each state in turn. (The bucket-by-bucket trail to
 * write-off is checked on the time-skipping server in collection.test.ts.)
 */
const ZONE = 'Asia/Shanghai';
const setup = testWorkers('test-search-attributes');
const { t } = setup;
beforeAll(() => setup.start());
afterAll(() => setup.stop());

const list = async (query: string): Promise<string[]> => {
  // Visibility is eventually consistent: wait for the listing to catch up with the last upsert.
  const found: string[] = [];
  for (let i = 0; i < 100 && found.length === 0; i++) {
    for await (const w of t.env.client.workflow.list({ query })) found.push(w.workflowId);
    if (found.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  return found;
};

async function until(handle: WorkflowHandle<typeof loan>, done: (v: LoanView) => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await handle.query(getLoan);
    if (done(v) && v.ledgerPending === 0) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached: ${v.status} ${v.bucket} ${v.dpd}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('LoanStatus, DpdBucket and Dpd follow a loan from M3 to cured to closed, and operators list it by each', async () => {
  const today = localDateAt(Date.now(), ZONE);
  const start = addDays(today, -100);
  const input: LoanInput = {
    loanId: `ln_sa_${randomUUID()}`,
    creditLineId: `cl_absent_${randomUUID()}`,
    customerId: `cus_sa_${randomUUID()}`,
    productCode: 'bill-installment',
    principal: { amount: 600_000, currency: 'CNY' },
    termMonths: 6,
    method: 'flat',
    purpose: 'search attributes',
    annualRate: '0.12',
    timeZone: ZONE,
    payee: { kind: 'borrower', bankCard: bankCard('0004') },
    borrower: { idNumber: idNumber(), phone: phone() },
  };
  const product = getProduct(input.productCode);
  const { quote } = priceLoan(product, {
    amount: 600_000,
    currency: 'CNY',
    termCount: 6,
    method: 'flat',
    annualRate: '0.12',
    startDate: start,
  });
  const carried: LoanState = {
    ...newLoanState(),
    status: 'active',
    book: openBook({
      loanId: input.loanId,
      currency: 'CNY',
      annualRate: quote.annualRate,
      method: quote.method,
      dayCount: quote.dayCount,
      period: quote.period,
      startDate: start,
      order: allocationOrderOf(product.allocationOrder),
      schedule: quote.installments,
    }),
    disbursement: { payoutId: 'sa-payout', netAmount: quote.netDisbursed, date: start },
    watermark: instantOfLocal(start, '12:00', ZONE),
    version: 1,
  };
  const handle = await t.env.client.workflow.start(loan, {
    workflowId: loanWorkflowId(input.loanId),
    taskQueue: t.taskQueue,
    args: [input, { carried }],
  });
  const id = handle.workflowId;
  const dpd = daysPastDue(quote.installments[0]!.dueDate, today);
  // Caught up once every installment due before today has had its attempts and is overdue.
  const late = await until(
    handle,
    (v) => v.bucket === 'M3' && v.installments.every((i) => i.dueDate >= today || i.status === 'overdue'),
    'M3',
  );
  expect(late.status).toBe('delinquent');
  expect(late.dpd).toBe(dpd);
  expect(
    await list(`WorkflowId = '${id}' AND LoanStatus = 'delinquent' AND DpdBucket = 'M3' AND Dpd >= 61`),
  ).toEqual([id]);

  const overdue = late.installments
    .filter((i) => i.status === 'overdue')
    .reduce((sum, i) => sum + i.total - i.paid, 0);
  // A little over: penalty accrues to the payment day before it is allocated; the rest is held as credit.
  await handle.executeUpdate(repay, {
    args: [
      {
        paymentId: `pay_${randomUUID()}`,
        amount: { amount: overdue + 10_000, currency: 'CNY' },
        channel: 'app',
      },
    ],
  });
  await until(handle, (v) => v.status === 'active' && v.bucket === 'M0', 'cured');
  expect(
    await list(`WorkflowId = '${id}' AND LoanStatus = 'active' AND DpdBucket = 'M0' AND Dpd = 0`),
  ).toEqual([id]);

  const payoff = await handle.query(payoffQuote, localDateAt(Date.now(), ZONE));
  await handle.executeUpdate(repay, {
    args: [{ paymentId: `pay_${randomUUID()}`, amount: payoff.amount, channel: 'app' }],
  });
  await until(handle, (v) => v.status === 'closed', 'closed');
  expect(await list(`WorkflowId = '${id}' AND LoanStatus = 'closed'`)).toEqual([id]);
  expect(statusTrail(await handle.fetchHistory()).slice(-3)).toEqual([
    { status: 'delinquent', bucket: 'M3' },
    { status: 'active', bucket: 'M0' },
    { status: 'closed', bucket: 'M0' },
  ]);
  await t.env.client.workflow
    .getHandle(collectionWorkflowId(input.loanId))
    .terminate('scenario over')
    .catch(() => undefined);
});
