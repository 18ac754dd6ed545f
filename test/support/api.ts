import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Express } from 'express';
import { type Adapters, createAdapters } from '../../adapters';
import { createApp } from '../../api/app';
import { createLogger } from '../../config/logger';
import { apiKeyRepository, type Role } from '../../db/api-keys';
import type { Pool } from '../../db/pool';
import { testPool } from './db';
import { devServerEnv } from './temporal';
import { loanflowWorkersOn } from './workers';

/** The payment provider's callback secret in tests. */
export const TEST_WEBHOOK_SECRET = 'test-webhook-secret-0123456789';

/** A /v1/quotes body for an annuity from 2026-01-15: a test spreads it and changes what it is about. */
export const annuityQuoteBody = (amountMinor: number, annualRate: string, termCount: number) => ({
  amount: { amount: amountMinor, currency: 'CNY' },
  annualRate,
  termCount,
  method: 'annuity',
  startDate: '2026-01-15',
});

export interface ApiHarness {
  app: Express;
  env: TestWorkflowEnvironment;
  pool: Pool;
  keys: Record<Role | 'reviewer2', string>;
  /** The API key ids behind `keys`: rows this harness's requests wrote carry them as actor. */
  actorIds: string[];
  taskQueue: string;
  /** The sandbox providers the workers call: a test may hold the bank's answer. */
  adapters: Adapters;
  close(): Promise<void>;
}

/** The real app over a real PostgreSQL and the dev server, with workers on their own task queues (main and providers). */
export async function apiHarness(taskQueue: string): Promise<ApiHarness> {
  const pool = testPool();
  const env = await devServerEnv();
  const adapters = createAdapters({ mode: 'sandbox', pool });
  const workers = await loanflowWorkersOn(env, { taskQueue, pool, adapters });
  const running = workers.runAll();
  const repo = apiKeyRepository(pool);
  const keys = {} as ApiHarness['keys'];
  const actorIds: string[] = [];
  for (const [name, role] of [
    ...(['client', 'reviewer', 'collector', 'ops', 'admin'] as const).map((r) => [r, r] as const),
    ['reviewer2', 'reviewer'] as const,
  ]) {
    const created = await repo.create(role, `test ${name}`);
    keys[name] = created.key;
    actorIds.push(created.id);
  }
  const app = createApp({
    pool,
    temporal: env.client,
    taskQueue,
    logger: createLogger('silent'),
    customerIdKey: 'test-customer-id-key-0123456789',
    webhookSecret: TEST_WEBHOOK_SECRET,
    // The fuzz run (scripts/fuzz-api.ts) serves this app outside jest: it checks answers too.
    checkResponses: true,
  });
  return {
    app,
    env,
    pool,
    keys,
    actorIds,
    taskQueue,
    adapters,
    async close() {
      workers.shutdown();
      await running;
      await env.teardown();
      await pool.end();
    },
  };
}
