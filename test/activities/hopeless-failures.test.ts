import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { createAdapters, HttpIdentityVerifier, memorySandboxStore } from '../../adapters/index';
import { databaseFailure } from '../../activities/failures';
import { DATABASE_CONSTRAINT_ERROR, DATABASE_DATA_ERROR } from '../../contracts/failures';
import type { NewCreditLineRow } from '../../db/credit-lines';
import { createPool } from '../../db/pool';
import { buildActivities } from '../../worker/worker';
import { card, idNumber, phone } from '../adapters/fixtures';
import { testPool } from '../support/db';
import { attempt } from './activity-env';

// Input the API let through and PostgreSQL refuses must fail the activity once, not retry forever.
const pool = testPool();
const unreachable = createPool('postgres://loanflow@127.0.0.1:1/loanflow');
afterAll(async () => {
  await pool.end();
  await unreachable.end();
});
const adapters = createAdapters({ mode: 'sandbox', store: memorySandboxStore() });
const activities = buildActivities({ pool, adapters });
const SECRET = 'Zhang-San-7f3a';

const row = (over: Partial<NewCreditLineRow> = {}): NewCreditLineRow => ({
  id: `cl_${randomUUID()}`,
  customerId: `cus_${randomUUID()}`,
  productCode: 'cash-installment',
  currency: 'CNY',
  requestedLimit: 2_000_000,
  bureauConsent: { version: 'bq-2026-01', acceptedAt: '2026-11-20T10:00:00+08:00' },
  ...over,
});

async function failureOf(run: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure))
    throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  return err;
}
const record = (r: NewCreditLineRow, acts = activities) => attempt(acts.recordApplication, r);

test.each([
  [
    'a NUL in the consent version',
    { version: `${SECRET}\u0000`, acceptedAt: '2026-11-20T10:00:00+08:00' },
    '22021',
  ],
  ['a year-0000 acceptance time', { version: SECRET, acceptedAt: '0000-01-01T00:00:00Z' }, '22008'],
])(
  'recordApplication with %s fails once, non-retryable, naming the SQLSTATE and not the value',
  async (_, consent, sqlstate) => {
    const f = await failureOf(record(row({ bureauConsent: consent })));
    expect(f).toMatchObject({ type: DATABASE_DATA_ERROR, nonRetryable: true });
    expect(f.details).toEqual([expect.objectContaining({ code: 'UNSTORABLE_INPUT', sqlstate })]);
    expect(f.cause).toBeUndefined();
    expect(JSON.stringify([f.message, f.details])).not.toMatch(/Zhang|0000-01-01/);
  },
);

test('a limit out of bigint range is unstorable, and a limit the CHECK refuses is a constraint failure', async () => {
  expect(await failureOf(record(row({ requestedLimit: 1e19 })))).toMatchObject({
    type: DATABASE_DATA_ERROR,
    nonRetryable: true,
  });
  const refused = await failureOf(record(row({ requestedLimit: 0 })));
  expect(refused).toMatchObject({ type: DATABASE_CONSTRAINT_ERROR, nonRetryable: true });
  expect(refused.details).toEqual([
    expect.objectContaining({
      sqlstate: '23514',
      table: 'credit_lines',
      constraint: 'credit_lines_requested_limit_check',
    }),
  ]);
});

test('a database that cannot be reached stays retryable', async () => {
  const down = buildActivities({ pool: unreachable, adapters });
  const err = await record(row(), down).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeDefined();
  expect(err instanceof ApplicationFailure && err.nonRetryable).toBe(false);
  expect((err as { code?: string }).code).toBe('ECONNREFUSED');
});

test('a concurrent writer of the same row, or a parent still being written, is left to the retry', () => {
  for (const code of ['23505', '23503', '23P01', '40001', '57P01'])
    expect(databaseFailure('saveLoan', { code, severity: 'ERROR', message: 'x' })).toBeUndefined();
  expect(databaseFailure('saveLoan', Object.assign(new Error('pipe'), { code: 'EPIPE' }))).toBeUndefined();
});

test('a provider that refuses the request (HTTP 400) fails the activity once, with the provider code', async () => {
  const refusing = (async () =>
    new Response(JSON.stringify({ code: 'INVALID_NAME', message: 'name: invalid character' }), {
      status: 400,
    })) as typeof fetch;
  const identity = new HttpIdentityVerifier({
    baseUrl: 'http://provider.test',
    apiKey: 'k',
    fetch: refusing,
  });
  const acts = buildActivities({ pool, adapters: { ...adapters, identity } });
  const applicant = { name: `${SECRET}\u0000`, idNumber: idNumber(), phone: phone(), bankCard: card('1234') };
  const f = await failureOf(attempt(acts.verifyIdentity, { creditLineId: 'cl_x', applicant }));
  expect(f).toMatchObject({
    type: 'ProviderNonRetryableError',
    nonRetryable: true,
    details: [{ code: 'INVALID_NAME' }],
  });
});
