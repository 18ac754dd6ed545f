/**
 * Apply→decision latency through the API (HTTP, PostgreSQL, update-with-start, the credit-line
 * workflow and its activities) beside a bare start+update no-op round trip, measured in the same run
 * on the Temporal CLI dev server: `npx tsx bench/apply-latency.ts [requests]`.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { createAdapters } from '../adapters';
import { createApp } from '../api/app';
import { createLogger } from '../config/logger';
import { apiKeyRepository } from '../db/api-keys';
import { applicationBody } from '../test/support/applicants';
import { devServerEnv, testDataConverter } from '../test/support/temporal';
import { loanflowWorkersOn } from '../test/support/workers';
import { ping } from './noop-workflow';
import { benchPostgres } from './postgres';
import { atMost, benchMain, type BenchRow, pct, row } from './table';

const WARMUP = 20;

async function timed(n: number, fn: () => Promise<void>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export async function applyLatencyBench(args: string[]): Promise<BenchRow[]> {
  const N = Number(args[0] ?? 200);
  const { pg, pool } = await benchPostgres('loanflow_bench');
  const dataConverter = testDataConverter;
  const env = await devServerEnv();
  const loanflow = await loanflowWorkersOn(env, {
    taskQueue: 'bench',
    pool,
    adapters: createAdapters({ mode: 'sandbox' }),
  });
  const workers = [
    ...loanflow.all,
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-noop',
      workflowsPath: require.resolve('./noop-workflow'),
      dataConverter,
    }),
  ];
  const running = workers.map((w) => w.run());
  const app = createApp({
    pool,
    temporal: env.client,
    taskQueue: 'bench',
    logger: createLogger('silent'),
    customerIdKey: 'bench-customer-id-key-0123456789',
    webhookSecret: 'bench-webhook-secret-0123456789',
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const key = (await apiKeyRepository(pool).create('client', 'bench')).key;

  const apply = async () => {
    const res = await fetch(`${base}/v1/credit-lines`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${key}`,
        'Idempotency-Key': randomUUID(),
        'Content-Type': 'application/json',
      },
      body: JSON.stringify(applicationBody({ amount: 1_000_000 })),
    });
    const body = (await res.json()) as { status?: string };
    if (res.status !== 201 || body.status !== 'active')
      throw new Error(`unexpected ${res.status} ${JSON.stringify(body)}`);
  };
  const bare = async () => {
    await env.client.workflow.executeUpdateWithStart(ping, {
      startWorkflowOperation: new WithStartWorkflowOperation('noop', {
        workflowId: `noop-${randomUUID()}`,
        taskQueue: 'bench-noop',
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  };

  await timed(WARMUP, apply);
  await timed(WARMUP, bare);
  // Interleave the two so both see the same machine state.
  const applyMs: number[] = [];
  const bareMs: number[] = [];
  for (let i = 0; i < N; i++) {
    applyMs.push(...(await timed(1, apply)));
    bareMs.push(...(await timed(1, bare)));
  }

  server.close();
  for (const w of workers) w.shutdown();
  await Promise.all(running);
  await env.teardown();
  await pool.end();
  pg.stop();
  return [
    row(
      'apply → decision p99 via API ÷ no-op start+update p99',
      '≤ 1.25',
      `${pct(applyMs, 99).toFixed(1)} / ${pct(bareMs, 99).toFixed(1)} ms (p50 ${pct(applyMs, 50).toFixed(1)} / ${pct(bareMs, 50).toFixed(1)}; ${N} each, interleaved)`,
      pct(applyMs, 99) / pct(bareMs, 99),
      atMost(1.25),
    ),
  ];
}

if (require.main === module) benchMain(applyLatencyBench);
