import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../config/logger';
import { apiKeyRepository } from '../../db/api-keys';
import type { Pool } from '../../db/pool';
import { applicationBody } from '../support/applicants';
import { testPool } from '../support/db';
import { eventually } from '../support/eventually';
import { ROOT } from '../support/paths';
import { devServerEnv } from '../support/temporal';

/**
 * Two real `worker/main.ts` processes on one task queue, as the cluster runs them. The CLI dev
 * server stands in for the Temporal server: what is under test is the worker processes and the
 * server's hand-over of a workflow whose worker vanished, which the dev server does as the real
 * one does, and `npm test` does not pay for building the real server.
 */
const taskQueue = `takeover-${randomUUID().slice(0, 8)}`;
let env: TestWorkflowEnvironment;
let pool: Pool;
let clientKey: string;
const workers: ChildProcess[] = [];
let app: ReturnType<typeof createApp>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once the process says its workers poll. */
async function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker', 'main.ts')], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      // The development keyring, which the test's client encrypts with too.
      LOANFLOW_LOCAL: '1',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  workers.push(child);
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const take = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('workers started')) resolve();
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it started:\n${output}`)));
  });
  return child;
}

beforeAll(async () => {
  pool = testPool();
  env = await devServerEnv();
  clientKey = (await apiKeyRepository(pool).create('client', 'takeover test')).key;
  app = createApp({
    pool,
    temporal: env.client,
    taskQueue,
    logger: createLogger('silent'),
    customerIdKey: 'test-customer-id-key-0123456789',
    webhookSecret: 'test-webhook-secret-0123456789',
  });
});

afterAll(async () => {
  for (const w of workers) if (w.exitCode === null && w.signalCode === null) w.kill('SIGKILL');
  await env?.teardown();
  await pool?.end();
});

const post = (route: string, body: object) =>
  request(app)
    .post(route)
    .set('Authorization', `Bearer ${clientKey}`)
    .set('Idempotency-Key', randomUUID())
    .send(body);
const get = (route: string) => request(app).get(route).set('Authorization', `Bearer ${clientKey}`);

/** Which worker processes completed the loan's workflow tasks, in order. */
async function taskIdentities(loanId: string): Promise<string[]> {
  const history = await env.client.workflow.getHandle(`loan:${loanId}`).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.workflowTaskCompletedEventAttributes?.identity ? [e.workflowTaskCompletedEventAttributes.identity] : [],
  );
}

test('a second worker process takes over a running loan when the first is SIGKILLed, and nothing is paid twice', async () => {
  // Only the first process runs while the loan is made, so it holds the loan in its cache.
  const first = await startWorker();
  const line = await post('/v1/credit-lines', applicationBody({ amount: 3_000_000 }));
  expect(line.body.status).toBe('active');
  const drawn = await post(`/v1/credit-lines/${line.body.id}/drawdowns`, {
    amount: { amount: 1_000_000, currency: 'CNY' },
    termMonths: 12,
    purpose: 'home repair',
  });
  expect(drawn.status).toBe(201);
  const loanId = drawn.body.loanId as string;
  await eventually(
    () => get(`/v1/loans/${loanId}`),
    (r) => r.body.status === 'active',
  );
  // The read model says active from inside the workflow task that made it so: wait for that task
  // to complete, or its completion by the first worker lands after `before`.
  await eventually(
    () => env.client.workflow.getHandle(`loan:${loanId}`).describe(),
    (d) => !d.raw.pendingWorkflowTask,
  );
  const before = await taskIdentities(loanId);
  expect(new Set(before)).toEqual(new Set([`${first.pid}@${hostname()}`]));

  const second = await startWorker();
  const died = new Promise((r) => first.once('exit', r));
  first.kill('SIGKILL');
  await died;

  // The repayment is an update on the loan: only a worker can answer it, and only the second is left.
  const paid = await post(`/v1/loans/${loanId}/repayments`, {
    amount: { amount: 100_000, currency: 'CNY' },
    channel: 'app',
  });
  expect(paid.status).toBe(201);
  const after = await taskIdentities(loanId);
  expect(after.slice(before.length).length).toBeGreaterThan(0);
  expect(new Set(after.slice(before.length))).toEqual(new Set([`${second.pid}@${hostname()}`]));
  const loan = await get(`/v1/loans/${loanId}`);
  expect(loan.body.payments).toHaveLength(1);
  expect(loan.body.outstanding.amount).toBeLessThan(1_000_000);

  // The takeover replayed the loan's history: the payout it had made is not made again.
  const payouts = await pool.query(
    "select idempotency_key from sandbox_bank_transfers where kind = 'payout' and idempotency_key like $1",
    [`${loanId}:%`],
  );
  expect(payouts.rows).toEqual([{ idempotency_key: `${loanId}:disbursement` }]);
});
