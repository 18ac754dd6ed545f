import { randomUUID } from 'node:crypto';
import type { PayRequest } from '../../contracts/providers/bank';
import { createAdapters } from '../../adapters/index';
import { buildActivities } from '../../worker/worker';
import { card } from '../adapters/fixtures';
import { testPool } from '../support/db';
import { attempt } from './activity-env';

// A worker killed after the bank paid but before Temporal heard of it: the activity is retried by
// the next worker process, with sandboxes of its own, exactly as worker/main.ts builds them.
const pool = testPool();
afterAll(() => pool.end());
const at = (iso: string) => () => new Date(iso);
const worker = (now: () => Date) =>
  buildActivities({ pool, adapters: createAdapters({ mode: 'sandbox', now }) });

test('a disbursement retried by the next worker process is the same payout, and the bank lists it once', async () => {
  const loanId = `ln_restart_${randomUUID().replace(/-/g, '')}`;
  const request: PayRequest = {
    idempotencyKey: `${loanId}:disbursement`,
    amountMinor: 750_000,
    currency: 'CNY',
    toCard: card('1234', 4242),
    payee: 'borrower',
  };
  const killed = worker(at('2031-03-05T02:00:00.000Z'));
  const paid = await attempt(killed.disburse, request);

  const next = worker(at('2031-03-05T02:05:00.000Z'));
  const retried = await attempt(next.disburse, request);
  expect(retried).toEqual(paid);
  expect(retried.paidAt).toBe('2031-03-05T02:00:00.000Z');

  // Reconciliation, in yet another process, checks the books against the bank's own record.
  const ops = worker(at('2031-03-06T01:00:00.000Z'));
  const outcome = await attempt(ops.reconcileBooks, {
    businessDate: '2031-03-05',
    loanIds: [loanId],
    runId: 'test',
  });
  expect(outcome.statementItems).toBe(1);
  expect(outcome.breaks).toEqual([
    expect.objectContaining({
      kind: 'bank_item_not_booked',
      expected: { reference: paid.payoutId, key: request.idempotencyKey, amount: 750_000 },
    }),
  ]);
});
