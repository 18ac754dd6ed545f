import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { type IdentityVerifier, SandboxIdentityVerifier } from '../adapters/identity';
import { createCreditGrantActivities } from '../activities/credit-grant';
import { creditLineRepository } from '../db/credit-lines';

export interface LoanflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  identity?: IdentityVerifier;
  /** Tests bundle the workflow code once per file and pass it here. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

/** Composition root: wires adapters and repositories into activities and registers the workflows. */
export function buildActivities(opts: Pick<LoanflowWorkerOptions, 'pool' | 'identity'>) {
  return createCreditGrantActivities({
    identity: opts.identity ?? new SandboxIdentityVerifier(),
    creditLines: creditLineRepository(opts.pool),
  });
}

export async function createLoanflowWorker(opts: LoanflowWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: buildActivities(opts),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: require.resolve('../workflows') }),
    // Let running activities finish on shutdown before the worker gives up on them.
    shutdownGraceTime: '30 seconds',
  });
}
