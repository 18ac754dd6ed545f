import { Client, WorkflowNotFoundError } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Pool } from 'pg';
import { type Adapters, bindSandboxPool } from '../adapters';
import { createCreditGrantActivities } from '../activities/credit-grant';
import { createCollectionActivities } from '../activities/collection';
import { createLoanActivities } from '../activities/loan';
import { createOperationsActivities } from '../activities/operations';
import { repositoriesOn } from '../db/repositories';
import { getLoan, type LoanView, loanWorkflowId } from '../contracts/loan';
import { type Provider, PROVIDERS, providerQueue } from '../workflows/task-queues';
import { PROVIDER_ACTIVITIES, pickActivities, providerRatesFromEnv } from './providers';
import { sharedWorkflowModules } from './shared-modules';

export interface LoanflowWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  pool: Pool;
  /** Provider adapters: sandbox or HTTP (see adapters/index.ts); one instance per process. Sandboxes keep their records in `pool`. */
  adapters: Adapters;
  /** loanflowDataConverter(keyring): the same on every worker and client (codec/data-converter.ts). */
  dataConverter: DataConverter;
  /** Workflows kept in the worker's cache (worker/cache.ts); the SDK's default, sized from the heap, if absent. */
  maxCachedWorkflows?: number;
  /** Tests bundle the workflow code once per file and pass it here. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

// Let running activities finish on shutdown before the worker gives up on them.
const SHUTDOWN_GRACE = '30 seconds';

/** Composition root: wires adapters and repositories into activities and registers the workflows. */
export function buildActivities(
  opts: Pick<LoanflowWorkerOptions, 'pool' | 'adapters'> & {
    /** Reconciliation asks each loan workflow for its state; without a client every open loan reads as missing. */
    temporal?: Client;
  },
) {
  const { adapters, pool, temporal } = opts;
  // Sandboxes created without a pool keep their records in this one, so a restart forgets nothing.
  bindSandboxPool(adapters, pool);
  const deps = { ...adapters, ...repositoriesOn(pool) };
  return {
    ...createCreditGrantActivities(deps),
    ...createLoanActivities(deps),
    ...createCollectionActivities(deps),
    ...createOperationsActivities({
      ...deps,
      loanState: async (loanId): Promise<LoanView | null> => {
        if (!temporal) return null;
        try {
          return await temporal.workflow.getHandle(loanWorkflowId(loanId)).query(getLoan);
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) return null;
          throw err;
        }
      },
    }),
  };
}

function clientOf(opts: LoanflowWorkerOptions): Client {
  return new Client({
    connection: opts.connection,
    namespace: opts.namespace,
    dataConverter: opts.dataConverter,
  });
}

/**
 * The workflows and every activity: the loans' local activities run here, and a payout or SMS that a
 * run scheduled on the main queue before provider queues existed still finds a worker.
 */
function mainWorker(opts: LoanflowWorkerOptions, activities: object): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities,
    dataConverter: opts.dataConverter,
    ...(opts.workflowBundle
      ? { workflowBundle: opts.workflowBundle }
      : {
          workflowsPath: require.resolve('../workflows'),
          bundlerOptions: { preloadModules: sharedWorkflowModules() },
        }),
    shutdownGraceTime: SHUTDOWN_GRACE,
    ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
  });
}

export interface LoanflowWorkers {
  main: Worker;
  /** One per provider that has activities, on providerQueue(taskQueue, provider). */
  providers: Partial<Record<Provider, Worker>>;
  all: Worker[];
  /** Runs every worker; when one stops or fails, the others are shut down (draining) too. */
  runAll(): Promise<void>;
  shutdown(): void;
}

/**
 * The main worker plus one worker per provider queue, serving only that provider's activities under
 * the provider's rate limit. All share the adapters; a sandbox's record of payouts is in PostgreSQL.
 */
export async function createLoanflowWorkers(
  opts: LoanflowWorkerOptions & { providerRates?: Partial<Record<Provider, number>> },
): Promise<LoanflowWorkers> {
  const activities = buildActivities({ ...opts, temporal: clientOf(opts) });
  const rates = { ...providerRatesFromEnv(), ...opts.providerRates };
  const main = await mainWorker(opts, activities);
  const providers: Partial<Record<Provider, Worker>> = {};
  for (const provider of PROVIDERS) {
    const served = pickActivities(activities, PROVIDER_ACTIVITIES[provider]);
    if (Object.keys(served).length === 0) continue;
    providers[provider] = await Worker.create({
      connection: opts.connection,
      namespace: opts.namespace,
      taskQueue: providerQueue(opts.taskQueue, provider),
      activities: served,
      dataConverter: opts.dataConverter,
      maxTaskQueueActivitiesPerSecond: rates[provider],
      shutdownGraceTime: SHUTDOWN_GRACE,
    });
  }
  const all = [main, ...Object.values(providers)];
  const shutdown = () => {
    for (const w of all) if (w.getState() === 'RUNNING') w.shutdown();
  };
  return {
    main,
    providers,
    all,
    shutdown,
    async runAll() {
      const results = await Promise.allSettled(
        all.map((w) =>
          w.run().finally(() => {
            shutdown();
          }),
        ),
      );
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    },
  };
}
