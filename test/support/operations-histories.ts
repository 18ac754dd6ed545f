import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { reconcile, snapshotPortfolio } from '../../workflows/operations';

type Save = (name: string, workflowId: string, runId?: string) => Promise<void>;

/**
 * The daily jobs as their schedules start them (no input: the business day before the run) and as
 * an operator re-checks a few loans. For scripts/record-histories.ts; a worker with the operations
 * activities must be polling `taskQueue`.
 */
export async function recordOperationsHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  await env.client.workflow.execute(snapshotPortfolio, {
    workflowId: 'portfolio-snapshot-recorded',
    taskQueue,
    args: [{}],
  });
  await save('operations-snapshot-scheduled', 'portfolio-snapshot-recorded');

  await env.client.workflow.execute(reconcile, {
    workflowId: 'reconciliation-recorded',
    taskQueue,
    args: [{ businessDate: '2030-01-31', loanIds: ['ln_rec_absent'] }],
  });
  await save('operations-reconcile-loans', 'reconciliation-recorded');
}
