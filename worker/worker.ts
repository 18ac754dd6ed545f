import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import type { Adapters } from '../adapters';
import { createCreditGrantActivities } from '../activities/credit-grant';
import { createLoanActivities } from '../activities/loan';
import { bureauReportRepository } from '../db/bureau-reports';
import { creditLineRepository } from '../db/credit-lines';
import { ledgerRepository } from '../db/ledger';
import { loanRepository } from '../db/loans';
import { reviewRepository } from '../db/reviews';

export interface LoanflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  /** Provider adapters: sandbox or HTTP (see adapters/index.ts); one instance per process. */
  adapters: Adapters;
  /** loanflowDataConverter(keyring): the same on every worker and client (codec/data-converter.ts). */
  dataConverter: DataConverter;
  /** Tests bundle the workflow code once per file and pass it here. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Composition root: wires adapters and repositories into activities and registers the workflows. */
export function buildActivities(opts: Pick<LoanflowWorkerOptions, 'pool' | 'adapters'>) {
  const { adapters, pool } = opts;
  return {
    ...createCreditGrantActivities({
      identity: adapters.identity,
      lists: adapters.lists,
      bureau: adapters.bureau,
      notify: adapters.notify,
      creditLines: creditLineRepository(pool),
      bureauReports: bureauReportRepository(pool),
      reviews: reviewRepository(pool),
    }),
    ...createLoanActivities({
      bank: adapters.bank,
      notify: adapters.notify,
      lists: adapters.lists,
      ledger: ledgerRepository(pool),
      loans: loanRepository(pool),
    }),
  };
}

export async function createLoanflowWorker(opts: LoanflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: buildActivities(opts),
    dataConverter: opts.dataConverter,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : { workflowsPath: require.resolve('../workflows') }),
    // Let running activities finish on shutdown before the worker gives up on them.
    shutdownGraceTime: '30 seconds',
  });
}
