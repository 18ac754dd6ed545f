import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { type Adapters, createAdapters } from '../../adapters';
import type { Pool } from '../../db/pool';
import { PROVIDER_ACTIVITIES, pickActivities } from '../../worker/providers';
import {
  type buildActivities,
  createLoanflowWorkers,
  type LoanflowWorkerOptions,
  type LoanflowWorkers,
} from '../../worker/worker';
import { PROVIDERS, providerQueue } from '../../workflows/task-queues';
import { testPool } from './db';
import { devServerEnv, testDataConverter, timeSkippingEnv, workflowBundle } from './temporal';

export interface TestWorkers {
  env: TestWorkflowEnvironment;
  workers: LoanflowWorkers;
  pool: Pool;
  adapters: Adapters;
  taskQueue: string;
}

/** The production workers on `env`, with the payload encryption and workflow bundle of every test. */
export async function loanflowWorkersOn(
  env: TestWorkflowEnvironment,
  o: Pick<LoanflowWorkerOptions, 'taskQueue' | 'pool' | 'adapters'>,
): Promise<LoanflowWorkers> {
  return createLoanflowWorkers({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue: o.taskQueue,
    pool: o.pool,
    adapters: o.adapters,
    dataConverter: testDataConverter,
    workflowBundle: await workflowBundle(),
  });
}

/**
 * The loan worker and one worker per provider queue, laid out as createLoanflowWorkers lays them,
 * for a harness that builds its own activities or sets its own worker options; made, not running.
 */
export async function workersServing(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  activities: ReturnType<typeof buildActivities>,
  options: Partial<WorkerOptions> = {},
): Promise<{ main: Worker; providers: Worker[] }> {
  const connection = env.nativeConnection;
  const namespace = env.namespace ?? 'default';
  const main = await Worker.create({
    connection,
    namespace,
    taskQueue,
    workflowBundle: await workflowBundle(),
    dataConverter: testDataConverter,
    activities,
    ...options,
  });
  // Collection's messages and hand-offs run on the providers' own queues, as in production.
  const providers = await Promise.all(
    PROVIDERS.map((p) => [p, pickActivities(activities, PROVIDER_ACTIVITIES[p])] as const)
      .filter(([, served]) => Object.keys(served).length > 0)
      .map(([p, served]) =>
        Worker.create({
          connection,
          namespace,
          taskQueue: providerQueue(taskQueue, p),
          dataConverter: testDataConverter,
          activities: served,
        }),
      ),
  );
  return { main, providers };
}

/**
 * A test file's Temporal server (the dev server, or the time-skipping one for timers) with the
 * production workers on `taskQueue` and its provider queues, over sandbox providers and the test
 * database. Call in beforeAll; `stop` in afterAll shuts down the workers so jest can exit.
 */
export function testWorkers(taskQueue: string, server: 'dev' | 'time-skipping' = 'dev') {
  const pool = testPool();
  const t = { taskQueue, pool, adapters: createAdapters({ mode: 'sandbox', pool }) } as TestWorkers;
  let running: Promise<void> | undefined;
  return {
    t,
    async start(): Promise<void> {
      t.env = await (server === 'dev' ? devServerEnv() : timeSkippingEnv());
      t.workers = await loanflowWorkersOn(t.env, t);
      running = t.workers.runAll();
    },
    async stop(): Promise<void> {
      t.workers?.shutdown();
      await running;
      await t.env?.teardown();
      await t.pool.end();
    },
  };
}
