import { Client } from '@temporalio/client';
import request from 'supertest';
import { createApp } from '../../api/app';
import { createLogger } from '../../config/logger';
import { createPool, isDatabaseUnavailable } from '../../db/pool';

// Nothing listens on port 1: every query fails to connect, as during a PostgreSQL restart.
const unreachable = createPool('postgres://loanflow@127.0.0.1:1/loanflow');
afterAll(() => unreachable.end());

const app = createApp({
  pool: unreachable,
  temporal: new Client(), // connects lazily; these requests stop at the database
  taskQueue: 'test-database-unavailable',
  logger: createLogger('silent'),
  customerIdKey: 'test-customer-id-key-0123456789',
  webhookSecret: 'test-webhook-secret-0123456789',
});

test.each([
  ['a read', () => request(app).get('/v1/loans/ln_absent').set('Authorization', 'Bearer lf_test_key')],
  [
    'a keyed write',
    () =>
      request(app)
        .post('/v1/loans/ln_absent/repayments')
        .set('Authorization', 'Bearer lf_test_key')
        .set('Idempotency-Key', 'db-down-1')
        .send({ amount: { amount: 100, currency: 'CNY' }, channel: 'app' }),
  ],
])('%s while the database cannot be reached is a 503 to retry, not a 500', async (_what, send) => {
  const res = await send();
  expect(res.status).toBe(503);
  expect(res.headers['retry-after']).toBe('1');
  expect(res.type).toBe('application/problem+json');
});

test('only a connection that fails is unavailable: a refused query stays ours', () => {
  const pgError = (code: string) => Object.assign(new Error('x'), { code });
  for (const code of ['ECONNREFUSED', '57P01', '57P03', '08006', '53300'])
    expect([code, isDatabaseUnavailable(pgError(code))]).toEqual([code, true]);
  expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
  for (const code of ['22023', '23505', '42P01'])
    expect([code, isDatabaseUnavailable(pgError(code))]).toEqual([code, false]);
  expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
});
