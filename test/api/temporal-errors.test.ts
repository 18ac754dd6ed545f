import { ServiceError } from '@temporalio/client';
import express from 'express';
import request from 'supertest';
import { errorHandler } from '../../api/problem';
import { viaWorkflow } from '../../api/temporal-errors';

/** A gRPC failure as the client library raises it: a code, a details string and metadata. */
const grpcError = (code: number) =>
  Object.assign(new Error(`grpc ${code}`), { code, details: `grpc ${code}`, metadata: {} });

function appFailingWith(err: unknown) {
  const app = express();
  app.get('/x', (_req, _res, next) => {
    viaWorkflow('credit line cl_1', () => Promise.reject(err)).catch(next);
  });
  app.use(errorHandler);
  return app;
}

test.each([
  ['a query the worker did not answer before the deadline', 4],
  ['a server shedding load', 8],
  ['a server that cannot be reached', 14],
])('%s is a 503 the client may retry, not a 500', async (_what, code) => {
  const res = await request(
    appFailingWith(new ServiceError('Failed to query Workflow', { cause: grpcError(code) })),
  ).get('/x');
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.type).toBe('application/problem+json');
  expect(res.body.detail).toContain('credit line cl_1');
});

test('an update refused while the workflow task is in failed state (its worker died) is a 503', async () => {
  const failedTask = Object.assign(
    new Error(
      '9 FAILED_PRECONDITION: Unable to perform workflow execution update due to Workflow Task in failed state.',
    ),
    { code: 9, details: 'Workflow Task in failed state', metadata: {} },
  );
  const res = await request(appFailingWith(failedTask)).get('/x');
  expect(res.status).toBe(503);
  const other = Object.assign(new Error('9 FAILED_PRECONDITION: namespace is not active'), {
    code: 9,
    details: 'namespace is not active',
    metadata: {},
  });
  expect((await request(appFailingWith(other)).get('/x')).status).toBe(500);
});

test('any other failure of the engine stays a 500: it is ours to fix', async () => {
  const res = await request(appFailingWith(new ServiceError('Failed', { cause: grpcError(13) }))).get('/x');
  expect(res.status).toBe(500);
  expect(res.headers['retry-after']).toBeUndefined();
});
