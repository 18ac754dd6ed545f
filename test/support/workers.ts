import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Adapters, createAdapters } from '../../adapters';
import type { Pool } from '../../db/pool';
import { createLoanflowWorkers, type LoanflowWorkers } from '../../worker/worker';
import { testPool } from './db';
import { devServerEnv, testDataConverter, timeSkippingEnv, workflowBundle } from './temporal';

export interface TestWorkers {
  env: TestWorkflowEnvironment;
  workers: LoanflowWorkers;
  pool: Pool;
  adapters: Adapters;
  taskQueue: string;
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
      t.workers = await createLoanflowWorkers({
        connection: t.env.nativeConnection,
        namespace: t.env.namespace ?? 'default',
        taskQueue,
        pool: t.pool,
        adapters: t.adapters,
        dataConverter: testDataConverter,
        workflowBundle: await workflowBundle(),
      });
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
