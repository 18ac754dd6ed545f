import { randomUUID } from 'node:crypto';
import { collectionRepository } from '../../db/collection';
import { DEFAULT_STRATEGY } from '../../domain/collection';
import { addDays, localDateAt } from '../../domain/localdate';
import type { CollectionRun } from '../../workflows/collection';
import { type CollectionInput, collectionWorkflowId } from '../../contracts/collection';
import type { ApiHarness } from './api';

/** Whose arrears a collection test works: the same on the workflow and on its call tasks. */
export interface Debtor {
  loanId: string;
  customerId: string;
  timeZone: string;
}

const HOUR = 3_600_000;

/**
 * A real collection workflow for a loan 35 days late, started directly: a loan turns delinquent only
 * after a due date passes, which the dev server cannot skip to. Its strategy keeps only the legal
 * notice, 56 days away, so it answers messages and runs nothing while the test sends them.
 */
export async function startQuietCollection(h: ApiHarness, d: Debtor): Promise<void> {
  const today = localDateAt(Date.now(), d.timeZone);
  const receivable = { principal: 1_000_000, interest: 50_000, fees: 0, penalty: 20_000 };
  const input: CollectionInput = {
    loanId: d.loanId,
    creditLineId: `cl_${randomUUID()}`,
    customerId: d.customerId,
    productCode: 'cash-installment',
    timeZone: d.timeZone,
    currency: 'CNY',
    borrower: { phone: '13800138000' },
    first: {
      asOf: today,
      status: 'delinquent',
      dpd: 35,
      bucket: 'M2',
      stage: 'middle',
      oldestDueDate: addDays(today, -35),
      overdue: 100_000,
      outstanding: receivable.principal + receivable.interest + receivable.fees + receivable.penalty,
      receivable,
      receivedTotal: 0,
    },
  };
  const steps = DEFAULT_STRATEGY.steps.filter((st) => st.kind === 'legal_notice');
  const run: CollectionRun = { settings: { strategy: { ...DEFAULT_STRATEGY, steps } } };
  await h.env.client.workflow.start('collection', {
    taskQueue: h.taskQueue,
    workflowId: collectionWorkflowId(d.loanId),
    args: [input, run],
  });
}

/** A call task callable from `from` to `to` hours from now, written as the workflow's activity would. */
export async function openCollectionTask(
  h: ApiHarness,
  d: Debtor,
  window: { from: number; to: number },
): Promise<string> {
  const id = `ct_${randomUUID()}`;
  await collectionRepository(h.pool).createTask({
    id,
    loanId: d.loanId,
    customerId: d.customerId,
    bucket: 'M2',
    dpd: 35,
    timeZone: d.timeZone,
    notBefore: new Date(Date.now() + window.from * HOUR).toISOString(),
    notAfter: new Date(Date.now() + window.to * HOUR).toISOString(),
  });
  return id;
}
