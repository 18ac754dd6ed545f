import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { apiKeyRepository } from '../../db/api-keys';
import { creditLineRepository } from '../../db/credit-lines';
import { loanRepository } from '../../db/loans';
import type { LoanView } from '../../contracts/loan';
import type { CreditLineView } from '../../contracts/credit-line';
import { type ApiHarness, apiHarness } from '../support/api';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-loan-read-model');
});
afterAll(async () => {
  await h?.close();
});

const get = (path: string, apiKey: string) =>
  request(h.app).get(path).set('Authorization', `Bearer ${apiKey}`);

async function clientActor(): Promise<{ id: string; key: string }> {
  return apiKeyRepository(h.pool).create('client', 'read-model test');
}

/**
 * A line and a loan that exist only as rows: no workflow answers for them, so what the API serves
 * can only have come from the read model (queries of a missing workflow are a 404).
 */
async function rowsOnly(owner: string): Promise<{ lineId: string; view: LoanView }> {
  const lineId = `cl_rm_${randomUUID()}`;
  const lines = creditLineRepository(h.pool);
  await lines.insertApplication({
    id: lineId,
    customerId: 'cus_rm',
    productCode: 'cash-installment',
    currency: 'CNY',
    requestedLimit: 1_000_000,
    bureauConsent: { version: 'bq-2026-01', acceptedAt: '2026-11-20T10:00:00+08:00' },
  });
  await lines.saveState({
    id: lineId,
    status: 'active',
    submittedBy: owner,
    reasons: [],
  } as unknown as CreditLineView);
  const due = '2026-12-20';
  const view = {
    id: `ln_rm_${randomUUID()}`,
    creditLineId: lineId,
    customerId: 'cus_rm',
    productCode: 'cash-installment',
    method: 'annuity',
    annualRate: '0.12',
    termMonths: 1,
    timeZone: 'Asia/Shanghai',
    status: 'active',
    principal: { amount: 100_000, currency: 'CNY' },
    outstanding: { amount: 100_000, currency: 'CNY' },
    creditBalance: { amount: 0, currency: 'CNY' },
    receivable: { principal: 100_000, interest: 0, fees: 0, penalty: 0 },
    dpd: 0,
    bucket: 'M0',
    stage: 'current',
    nextDue: { seq: 1, dueDate: due, amount: 101_000 },
    installments: [
      {
        seq: 1,
        dueDate: due,
        principal: 100_000,
        interest: 1_000,
        fees: 0,
        total: 101_000,
        paid: 0,
        balanceAfter: 0,
        status: 'pending',
      },
    ],
    autopayAttempts: [
      {
        seq: 1,
        slot: 0,
        at: '2026-12-20T01:00:00.000Z',
        result: 'failed',
        reason: 'INSUFFICIENT_FUNDS',
        amount: 101_000,
      },
    ],
    reminders: [],
    payments: [],
    disbursement: { payoutId: 'po_rm', netAmount: 100_000, date: '2026-11-20' },
    failure: null,
    exceptions: [
      { eventId: 'evt_rm', paymentId: 'pay_rm', reason: 'amount differs from the applied payment' },
    ],
    ledgerPending: 0,
    version: 3,
  } as unknown as LoanView;
  await loanRepository(h.pool).save(view);
  return { lineId, view };
}

test('a loan and its schedule are read from the read model, attempts and exceptions included', async () => {
  const owner = await clientActor();
  const { view } = await rowsOnly(owner.id);
  const loan = await get(`/v1/loans/${view.id}`, owner.key);
  expect(loan.status).toBe(200);
  expect(loan.body).toMatchObject({
    id: view.id,
    status: 'active',
    autopayAttempts: [{ reason: 'INSUFFICIENT_FUNDS' }],
    exceptions: [{ eventId: 'evt_rm' }],
  });
  // Counted to today: the due date is behind the test clock's today or not, never the saved DPD blindly.
  expect(loan.body.dpd).toBeGreaterThanOrEqual(0);
  expect(loan.body).not.toHaveProperty('version');
  const schedule = await get(`/v1/loans/${view.id}/schedule`, owner.key);
  expect(schedule.status).toBe(200);
  expect(schedule.body.installments).toEqual([expect.objectContaining({ seq: 1, total: 101_000, paid: 0 })]);
});

test("ownership comes from the line's row: another client does not see the loan, nor list the line", async () => {
  const owner = await clientActor();
  const other = await clientActor();
  const { lineId, view } = await rowsOnly(owner.id);
  expect((await get(`/v1/loans/${view.id}`, other.key)).status).toBe(404);
  expect((await get(`/v1/loans/${view.id}/schedule`, other.key)).status).toBe(404);
  expect((await get(`/v1/loans?creditLineId=${lineId}`, other.key)).status).toBe(404);
  const listed = await get(`/v1/loans?creditLineId=${lineId}`, owner.key);
  expect(listed.status).toBe(200);
  expect(listed.body.items.map((i: { id: string }) => i.id)).toEqual([view.id]);
  expect((await get(`/v1/loans/${view.id}`, h.keys.ops)).status).toBe(200);
});
