import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createAdapters } from '../adapters';
import { createApp } from '../api/app';
import { createLogger } from '../config/logger';
import { apiKeyRepository, type Role } from '../db/api-keys';
import { migrateUp } from '../db/migrate';
import { createPool, type Pool } from '../db/pool';
import { startOwnedPostgres } from '../scripts/lib/postgres';
import { devServerEnv, testDataConverter, timeSkippingEnv, workflowBundle } from '../test/support/temporal';
import { PROVIDER_ACTIVITIES, pickActivities } from '../worker/providers';
import { buildActivities } from '../worker/worker';
import { PROVIDERS, providerQueue } from '../workflows/task-queues';

const root = path.resolve(__dirname, '..');

/** The bench's own PostgreSQL, fresh each run, on a port the dev stack and tests do not use. */
export async function benchPostgres(database: string, fast = false) {
  const pg = await startOwnedPostgres({
    dataDir: path.join(root, '.data', 'bench-pg'),
    port: 55434,
    database,
    fresh: true,
    fast,
  });
  await migrateUp(pg.url);
  return { pg, pool: createPool(pg.url) };
}

export interface BenchStack {
  env: TestWorkflowEnvironment;
  pool: Pool;
  base: string;
  keys: Record<Role, string>;
  taskQueue: string;
  /** Replaces the loan worker, e.g. with `maxCachedWorkflows: 0` so every query replays. */
  restartWorkers(options?: Partial<WorkerOptions>): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The API over HTTP, the production activities on a worker (main queue and provider queues) and a
 * Temporal server in one process, as the tests run them: the dev server for update-with-start, the
 * time-skipping one to age loans.
 */
export async function benchStack(
  database: string,
  server: 'dev' | 'time-skipping',
  extraWorkers: (env: TestWorkflowEnvironment) => Promise<Worker[]> = async () => [],
  workerOptions: Partial<WorkerOptions> = {},
): Promise<BenchStack> {
  const { pg, pool } = await benchPostgres(database, true);
  const env = await (server === 'dev' ? devServerEnv() : timeSkippingEnv());
  const taskQueue = `bench-${database}`;
  const activities = buildActivities({
    pool,
    adapters: createAdapters({ mode: 'sandbox', pool }),
    temporal: env.client,
  });
  const bundle = await workflowBundle();
  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const startWorkers = async (options: Partial<WorkerOptions> = {}) => {
    const connection = env.nativeConnection;
    const main = await Worker.create({
      connection,
      taskQueue,
      workflowBundle: bundle,
      dataConverter: testDataConverter,
      activities,
      ...options,
    });
    const providers = await Promise.all(
      PROVIDERS.map((p) => [p, pickActivities(activities, PROVIDER_ACTIVITIES[p])] as const)
        .filter(([, served]) => Object.keys(served).length > 0)
        .map(([p, served]) =>
          Worker.create({
            connection,
            taskQueue: providerQueue(taskQueue, p),
            dataConverter: testDataConverter,
            activities: served,
          }),
        ),
    );
    workers = [main, ...providers, ...(await extraWorkers(env))];
    running = Promise.all(workers.map((w) => w.run()));
  };
  const stopWorkers = async () => {
    for (const w of workers) if (w.getState() === 'RUNNING') w.shutdown();
    await running;
  };
  await startWorkers(workerOptions);
  const app = createApp({
    pool,
    temporal: env.client,
    taskQueue,
    logger: createLogger('silent'),
    customerIdKey: 'bench-customer-id-key-0123456789',
    webhookSecret: 'bench-webhook-secret-0123456789',
  });
  const http = app.listen(0, '127.0.0.1');
  await new Promise((r) => http.once('listening', r));
  const repo = apiKeyRepository(pool);
  const keys = {} as Record<Role, string>;
  for (const role of ['client', 'reviewer', 'collector', 'ops', 'admin'] as const)
    keys[role] = (await repo.create(role, `bench ${role}`)).key;
  return {
    env,
    pool,
    base: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    keys,
    taskQueue,
    async restartWorkers(options) {
      await stopWorkers();
      await startWorkers(options);
    },
    async stop() {
      http.close();
      await stopWorkers();
      await env.teardown();
      await pool.end();
      pg.stop();
    },
  };
}

/** A JSON request to the bench's API; throws on an unexpected status so a broken path is not timed. */
export async function call(
  s: Pick<BenchStack, 'base'>,
  key: string,
  method: 'GET' | 'POST',
  url: string,
  body?: unknown,
  idempotencyKey?: string,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${s.base}${url}`, {
    method,
    headers: {
      Authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      ...(idempotencyKey ? { 'Idempotency-Key': idempotencyKey } : {}),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Runs `fn` `total` times with at most `inFlight` at once; answers completions per second. */
export async function throughput(total: number, inFlight: number, fn: (i: number) => Promise<void>) {
  let next = 0;
  const t = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < total) await fn(next++);
    }),
  );
  return (total / (performance.now() - t)) * 1000;
}
