import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import { type Adapters, createAdapters } from '../adapters';
import { createApp } from '../api/app';
import { createLogger } from '../config/logger';
import { apiKeyRepository, type Role } from '../db/api-keys';
import type { Pool } from '../db/pool';
import { devServerEnv, timeSkippingEnv } from '../test/support/temporal';
import { workersServing } from '../test/support/workers';
import { buildActivities } from '../worker/worker';
import { benchPostgres, type ClusterPlace } from './postgres';

export interface BenchStack {
  env: TestWorkflowEnvironment;
  pool: Pool;
  base: string;
  keys: Record<Role, string>;
  /** The actor id of each key, as the API records it (a line's `submittedBy`). */
  actors: Record<Role, string>;
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
  more: {
    /** Replaces providers, e.g. the simulation's bank (sim/bank.ts). */
    adapt?: (adapters: Adapters) => Adapters;
    /** Another cluster than the benches' own, for a run beside them. */
    postgres?: ClusterPlace;
  } = {},
): Promise<BenchStack> {
  const { pg, pool } = await benchPostgres(database, true, more.postgres);
  const adapt = more.adapt ?? ((a: Adapters) => a);
  const env = await (server === 'dev' ? devServerEnv() : timeSkippingEnv());
  const taskQueue = `bench-${database}`;
  const activities = buildActivities({
    pool,
    adapters: adapt(createAdapters({ mode: 'sandbox', pool })),
    temporal: env.client,
  });
  let workers: Worker[] = [];
  let running: Promise<unknown> = Promise.resolve();
  const startWorkers = async (options: Partial<WorkerOptions> = {}) => {
    const { main, providers } = await workersServing(env, taskQueue, activities, options);
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
  const actors = {} as Record<Role, string>;
  for (const role of ['client', 'reviewer', 'collector', 'ops', 'admin'] as const)
    ({ key: keys[role], id: actors[role] } = await repo.create(role, `bench ${role}`));
  return {
    env,
    pool,
    base: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    keys,
    actors,
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
