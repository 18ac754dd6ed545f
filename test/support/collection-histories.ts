import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { addDays } from '../../domain/localdate';
import { repay } from '../../contracts/loan';
import {
  collectionWorkflowId,
  decideSettlement,
  offerSettlement,
  promiseToPay,
} from '../../contracts/collection';
import { bankCard } from './applicants';
import { loanScenarios } from './loan-histories';

type Save = (name: string, workflowId: string, runId?: string) => Promise<void>;

const billLoan = (scenarios: ReturnType<typeof loanScenarios>) =>
  scenarios.start({
    productCode: 'bill-installment',
    principal: { amount: 300_000, currency: 'CNY' },
    termMonths: 3,
    method: 'flat',
    card: bankCard('0004'),
  });
const payment = (amount: number) => ({
  paymentId: `rec_${randomUUID()}`,
  amount: { amount, currency: 'CNY' as const },
  channel: 'counter',
});

/**
 * A card-0004 loan worked through every bucket to write-off and a recovery, with its collection.
 * `suffix` keeps a later shape beside the earlier one (`-seed-buckets`: the seed's bucket ranges).
 */
export async function recordWrittenOff(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
  suffix = '',
): Promise<void> {
  const scenarios = loanScenarios(env, taskQueue);
  const lost = await billLoan(scenarios);
  const due = (await scenarios.until(lost, (v) => v.status === 'active')).installments[0]!.dueDate;
  await scenarios.sleepTo(addDays(due, 181));
  await scenarios.until(lost, (v) => v.status === 'written_off' && v.ledgerPending === 0);
  await lost.handle.executeUpdate(repay, { args: [payment(20_000)] });
  await scenarios.until(lost, (v) => v.ledgerPending === 0);
  await save(`loan-written-off-recovered${suffix}`, lost.workflowId);
  await save(`collection-written-off${suffix}`, collectionWorkflowId(lost.input.loanId));
  await lost.handle.terminate('recorded');
}

/**
 * Delinquency scenarios for test/replay: a card-0004 loan worked through every bucket to write-off and
 * a recovery (with its collection: messages, card retries, a call task, agency, legal notice), and a
 * loan whose broken promise is followed by a settlement approved and paid. For scripts/record-histories.ts.
 */
export async function recordCollectionHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const scenarios = loanScenarios(env, taskQueue);
  const { until, sleepTo } = scenarios;
  const pay = payment;

  await recordWrittenOff(env, taskQueue, save);

  const settled = await billLoan(scenarios);
  const due2 = (await until(settled, (v) => v.status === 'active')).installments[0]!.dueDate;
  await sleepTo(addDays(due2, 2));
  const collection = env.client.workflow.getHandle(collectionWorkflowId(settled.input.loanId));
  await until(settled, (v) => v.status === 'delinquent');
  await collection.executeUpdate(promiseToPay, {
    args: [
      {
        promiseId: 'rec-ptp',
        date: addDays(due2, 4),
        amount: { amount: 50_000, currency: 'CNY' },
        collectorId: 'recorder',
      },
    ],
  });
  await sleepTo(addDays(due2, 35));
  const late = await until(settled, (v) => v.bucket === 'M2' && v.ledgerPending === 0);
  const amount = late.receivable.principal + late.receivable.fees + 1_000;
  await collection.executeUpdate(offerSettlement, {
    args: [
      {
        offerId: 'rec-offer',
        amount: { amount, currency: 'CNY' },
        payBy: addDays(due2, 45),
        proposedBy: 'recorder',
        reason: 'recorded scenario',
      },
    ],
  });
  await collection.executeUpdate(decideSettlement, {
    args: [{ offerId: 'rec-offer', reviewerId: 'reviewer-rec', decision: 'approve', reason: 'recorded' }],
  });
  await until(settled, (v) => v.settlement?.offerId === 'rec-offer');
  await settled.handle.executeUpdate(repay, { args: [pay(amount)] });
  await settled.handle.result();
  await collection.result();
  await save('loan-settled', settled.workflowId);
  await save('collection-promise-broken-settled', collectionWorkflowId(settled.input.loanId));
}
