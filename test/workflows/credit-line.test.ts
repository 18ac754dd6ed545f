import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createLoanflowWorker } from '../../worker/worker';
import { closeCreditLine, creditLineWorkflowId, getCreditLine } from '../../workflows/messages';
import { creditLine } from '../../workflows/credit-line';
import { application, bankCard } from '../support/applicants';
import { testPool } from '../support/db';
import { timeSkippingEnv, workflowBundle } from '../support/temporal';

const pool = testPool();
let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
const taskQueue = 'test-credit-line';

beforeAll(async () => {
  env = await timeSkippingEnv();
  worker = await createLoanflowWorker({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    pool,
    workflowBundle: await workflowBundle(),
  });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await pool.end();
});

const rowOf = async (id: string) =>
  (await pool.query('select status, limit_amount, reasons from credit_lines where id = $1', [id])).rows[0];

test('a well-formed applicant is approved, recorded in PostgreSQL, and the line closes on request', async () => {
  const app = application();
  const handle = await env.client.workflow.start(creditLine, {
    workflowId: creditLineWorkflowId(app.creditLineId),
    taskQueue,
    args: [app],
  });
  await waitFor(async () => (await handle.query(getCreditLine)).status === 'active');
  const view = await handle.query(getCreditLine);
  expect(view.limit).toEqual(app.requestedLimit);
  expect(await rowOf(app.creditLineId)).toMatchObject({ status: 'active', limit_amount: app.requestedLimit.amount });
  const consent = await pool.query('select kind, version from consents where credit_line_id = $1', [app.creditLineId]);
  expect(consent.rows).toEqual([{ kind: 'bureau_query', version: 'bq-2026-01' }]);

  await handle.signal(closeCreditLine, { reason: 'customer request', actor: 'key_test_ops' });
  expect((await handle.result()).status).toBe('closed');
  expect((await rowOf(app.creditLineId)).status).toBe('closed');
});

test('a card failing four-element verification (sandbox 0001) is declined with its reason code', async () => {
  const app = application({ card: bankCard('0001') });
  const result = await env.client.workflow.execute(creditLine, {
    workflowId: creditLineWorkflowId(app.creditLineId),
    taskQueue,
    args: [app],
  });
  expect(result.status).toBe('declined');
  expect(result.reasons.map((r) => r.code)).toEqual(['IDENTITY_MISMATCH']);
  expect((await rowOf(app.creditLineId)).status).toBe('declined');
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
