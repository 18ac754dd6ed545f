import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import request from 'supertest';
import { createApp } from '../../api/app';
import { creditLineIdFor } from '../../api/routes/credit-lines';
import { failureConverterPath } from '../../codec/data-converter';
import { createLogger } from '../../config/logger';
import { apiKeyRepository } from '../../db/api-keys';
import type { Pool } from '../../db/pool';
import { creditLineWorkflowId } from '../../contracts/credit-line';
import { applicationBody } from '../support/applicants';
import { testPool } from '../support/db';
import { devServerEnv, testDataConverter } from '../support/temporal';

// A creditLine stand-in on its own queue fails where the real one answers, as a broken provider would.
const taskQueue = 'test-api-logging';
let env: TestWorkflowEnvironment;
let pool: Pool;
let worker: Worker;
let running: Promise<void>;
beforeAll(async () => {
  env = await devServerEnv();
  pool = testPool();
  worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    dataConverter: testDataConverter,
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: path.join(__dirname, 'fixtures', 'failing-credit-line.ts'),
      failureConverterPath,
      logger: new DefaultLogger('WARN'),
    }),
  });
  running = worker.run();
});
afterAll(async () => {
  worker?.shutdown();
  await running;
  await env?.teardown();
  await pool?.end();
});

function capture() {
  const lines: string[] = [];
  const logger = createLogger(
    'info',
    new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    }),
  );
  return { logger, text: () => lines.join(''), records: () => lines.map((l) => JSON.parse(l)) };
}

test('a 500 from a failed update logs the error class, failure type and decoded message, with no PII', async () => {
  const log = capture();
  const app = createApp({
    pool,
    temporal: env.client,
    taskQueue,
    logger: log.logger,
    customerIdKey: 'test-customer-id-key-0123456789',
    webhookSecret: 'test-webhook-secret-0123456789',
  });
  const key = await apiKeyRepository(pool).create('client', 'logging test');
  const body = applicationBody();
  const res = await request(app)
    .post('/v1/credit-lines')
    .set('Authorization', `Bearer ${key.key}`)
    .set('Idempotency-Key', randomUUID())
    .send(body);
  expect(res.status).toBe(500);

  const logged = log.records().find((r) => r.msg === 'unhandled error');
  expect(logged.err).toMatchObject({
    type: 'WorkflowUpdateFailedError',
    cause: {
      type: 'ApplicationFailure',
      failureType: 'BureauContractBroken',
      nonRetryable: true,
      message: 'bureau refused [redacted] with card [redacted]',
    },
  });
  expect(logged.workflowId).toMatch(/^credit-line:cl_/);
  const completed = log.records().find((r) => r.res?.statusCode === 500);
  expect(completed.req).toMatchObject({ method: 'POST', url: '/v1/credit-lines' });
  expect(completed.req.headers.authorization).toBe('[redacted]');
  expect(completed.err.type).toBeDefined();
  const all = log.text();
  expect(all).not.toContain('Encoded failure');
  expect(all).not.toContain('"name":"[redacted]"');
  for (const pii of [body.customer.idNumber, body.customer.bankCard, body.customer.phone, body.customer.name])
    expect(all).not.toContain(pii);
});

test('a rule refused in a query reaches the client and the log in clear, numbers scrubbed', async () => {
  const body = applicationBody();
  const id = creditLineIdFor('logging-test', randomUUID());
  const handle = await env.client.workflow.start('creditLine', {
    taskQueue,
    workflowId: creditLineWorkflowId(id),
    args: [{ application: { applicant: body.customer } }],
  });
  const err = (await handle.query('getCreditLine').catch((e: unknown) => e)) as Error;
  expect(err.message).toBe('no view yet for card [redacted]; ask after 2026-12-01');

  const log = capture();
  log.logger.error({ err }, 'query failed');
  expect(log.records()[0].err.message).toBe('no view yet for card [redacted]; ask after 2026-12-01');
  await handle.terminate();
});

test('PII in a logged body is redacted by path; names of errors and products are kept', () => {
  const log = capture();
  const body = applicationBody();
  const contact = { name: '李四', phone: '13900139000', relation: 'sibling' };
  log.logger.info({
    req: { body },
    application: { applicant: body.customer, product: { name: 'cash installment' } },
    info: { emergencyContact: contact },
    err: new RangeError('out of range'),
  });
  const [record] = log.records();
  const all = log.text();
  for (const pii of [...Object.values(body.customer), contact.name, contact.phone])
    expect(all).not.toContain(pii);
  expect(record.req.body.customer).toMatchObject({ name: '[redacted]', idNumber: '[redacted]' });
  expect(record.application.product.name).toBe('cash installment');
  expect(record.err).toMatchObject({ type: 'RangeError', message: 'out of range' });
});
