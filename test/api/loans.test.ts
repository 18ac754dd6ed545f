import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { signPayload } from '../../api/webhook-signature';
import type { SandboxBank } from '../../adapters';
import type { PayRequest } from '../../contracts/providers/bank';
import { ledgerRepository } from '../../db/ledger';
import { loanPosition } from '../../domain/ledger';
import { type ApiHarness, apiHarness, TEST_WEBHOOK_SECRET } from '../support/api';
import { applicationBody } from '../support/applicants';
import { eventually } from '../support/eventually';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-loans');
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, apiKey = h.keys.client, key = randomUUID()) =>
  request(h.app)
    .post(path)
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Idempotency-Key', key)
    .send(body as object);
const get = (path: string, apiKey = h.keys.client) =>
  request(h.app).get(path).set('Authorization', `Bearer ${apiKey}`);

async function activeLoan(amount = 1_000_000) {
  const line = await post('/v1/credit-lines', applicationBody({ amount: 3_000_000 }));
  expect(line.body.status).toBe('active');
  const drawn = await post(`/v1/credit-lines/${line.body.id}/drawdowns`, {
    amount: { amount, currency: 'CNY' },
    termMonths: 12,
    purpose: 'home repair',
  });
  expect(drawn.status).toBe(201);
  expect(drawn.body.status).toBe('disbursing');
  const loan = await eventually(
    () => get(`/v1/loans/${drawn.body.loanId}`),
    (r) => r.body.status === 'active',
  );
  return { lineId: line.body.id as string, loanId: drawn.body.loanId as string, loan: loan.body };
}

test('a drawdown reserves the limit, disburses, and the loan reads back with its schedule and in the listing', async () => {
  const { lineId, loanId, loan } = await activeLoan();
  expect(loan).toMatchObject({
    principal: { amount: 1_000_000 },
    outstanding: { amount: 1_000_000 },
    dpd: 0,
    bucket: 'M0',
  });
  expect((await get(`/v1/credit-lines/${lineId}`)).body.available).toEqual({
    amount: 2_000_000,
    currency: 'CNY',
  });
  const schedule = await get(`/v1/loans/${loanId}/schedule`);
  expect(schedule.body.installments).toHaveLength(12);
  expect(schedule.body.installments.reduce((s: number, i: { principal: number }) => s + i.principal, 0)).toBe(
    1_000_000,
  );
  const listed = await eventually(
    () => get(`/v1/loans?creditLineId=${lineId}`),
    (r) => r.body.items?.length === 1,
  );
  expect(listed.body.items[0]).toMatchObject({ id: loanId, status: 'active' });
  expect((await get('/v1/loans')).status).toBe(400); // a client names one of its lines
  expect(
    (await get('/v1/loans?status=active', h.keys.ops)).body.items.map((i: { id: string }) => i.id),
  ).toContain(loanId);
});

test('a repayment while the payout is at the bank is a quick 409 naming the loan, and books nothing', async () => {
  const bank = h.adapters.bank as SandboxBank;
  const pay = bank.pay.bind(bank);
  let answer!: () => void;
  const bankAnswers = new Promise<void>((r) => (answer = r));
  bank.pay = async (req: PayRequest) => {
    await bankAnswers;
    return pay(req);
  };
  try {
    const line = await post('/v1/credit-lines', applicationBody({ amount: 2_000_000 }));
    const drawn = await post(`/v1/credit-lines/${line.body.id}/drawdowns`, {
      amount: { amount: 500_000, currency: 'CNY' },
      termMonths: 6,
      purpose: 'held payout',
    });
    expect(drawn.status).toBe(201);
    const started = Date.now();
    const paid = await post(`/v1/loans/${drawn.body.loanId}/repayments`, {
      amount: { amount: 10_000, currency: 'CNY' },
      channel: 'app',
    });
    expect({ status: paid.status, field: paid.body.field, code: paid.body.errors?.[0]?.code }).toEqual({
      status: 409,
      field: 'loan',
      code: 'loan_not_in_service',
    });
    // Refused from the read model, not held by the loan until the bank answers.
    expect(Date.now() - started).toBeLessThan(5_000);
    answer();
    const active = await eventually(
      () => get(`/v1/loans/${drawn.body.loanId}`),
      (r) => r.body.status === 'active',
    );
    expect(active.body.payments).toEqual([]);
    expect(active.body.outstanding).toEqual({ amount: 500_000, currency: 'CNY' });
  } finally {
    answer();
    bank.pay = pay;
  }
});

test('a drawdown over the available limit is refused with the field, and changes nothing', async () => {
  const line = await post('/v1/credit-lines', applicationBody({ amount: 1_000_000 }));
  const res = await post(`/v1/credit-lines/${line.body.id}/drawdowns`, {
    amount: { amount: 1_000_001, currency: 'CNY' },
    termMonths: 12,
    purpose: 'x',
  });
  expect(res.status).toBe(422);
  expect(res.body.field).toBe('amount.amount');
  expect((await get(`/v1/credit-lines/${line.body.id}`)).body.available.amount).toBe(1_000_000);
});

test('a repayment replayed with the same Idempotency-Key is one payment; the ledger agrees with the loan', async () => {
  const { loanId } = await activeLoan();
  const key = randomUUID();
  const first = await post(
    `/v1/loans/${loanId}/repayments`,
    { amount: { amount: 50_000, currency: 'CNY' }, channel: 'app' },
    h.keys.client,
    key,
  );
  expect(first.status).toBe(201);
  const again = await post(
    `/v1/loans/${loanId}/repayments`,
    { amount: { amount: 50_000, currency: 'CNY' }, channel: 'app' },
    h.keys.client,
    key,
  );
  expect(again.body).toEqual(first.body);
  const loan = await get(`/v1/loans/${loanId}`);
  expect(loan.body.payments).toHaveLength(1);
  const position = await eventually(
    async () => loanPosition(await ledgerRepository(h.pool).balances(loanId)),
    (p) => p.outstanding === loan.body.outstanding.amount,
  );
  expect(position.principal + position.interest + position.fees + position.penalty - position.credit).toBe(
    loan.body.outstanding.amount,
  );
});

test('the payoff quote settles the loan when paid, and the line gets its limit back', async () => {
  const { lineId, loanId } = await activeLoan(600_000);
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const quote = await get(`/v1/loans/${loanId}/payoff-quote?date=${today}`);
  expect(quote.status).toBe(200);
  expect(quote.body.amount.amount).toBeGreaterThanOrEqual(600_000);
  const paid = await post(`/v1/loans/${loanId}/repayments`, { amount: quote.body.amount, channel: 'app' });
  expect(paid.body.status).toBe('closed');
  await eventually(
    () => get(`/v1/credit-lines/${lineId}`),
    (r) => r.body.available?.amount === 3_000_000,
  );
  expect((await get(`/v1/loans/${loanId}/payoff-quote?date=not-a-date`)).body.field).toBe('date');
});

test('a payoff retried after its answer was lost with a crashed API gets that payment, though the loan has closed', async () => {
  const { loanId } = await activeLoan(600_000);
  const quote = await get(`/v1/loans/${loanId}/payoff-quote`);
  const key = randomUUID();
  const pay = () =>
    post(`/v1/loans/${loanId}/repayments`, { amount: quote.body.amount, channel: 'app' }, h.keys.client, key);
  const first = await pay();
  expect([first.status, first.body.status]).toEqual([201, 'closed']);
  expect((await get(`/v1/loans/${loanId}`)).body.status).toBe('closed');
  // The process that took it died before storing the answer: the retry runs the handler again.
  await h.pool.query('delete from idempotency_keys where key = $1', [key]);
  const again = await pay();
  expect(again.status).toBe(201);
  expect(again.body).toEqual(first.body);
  expect((await get(`/v1/loans/${loanId}`)).body.payments).toHaveLength(1);
});

test('a signed payment callback is applied once; a bad or stale signature is refused', async () => {
  const { loanId } = await activeLoan();
  const event = {
    eventId: `evt_${randomUUID()}`,
    type: 'payment.succeeded',
    loanId,
    paymentId: `prov_${randomUUID()}`,
    amount: { amount: 30_000, currency: 'CNY' },
  };
  const raw = JSON.stringify(event);
  const send = (signature: string) =>
    request(h.app)
      .post('/v1/webhooks/payments')
      .set('Content-Type', 'application/json')
      .set('Loanflow-Signature', signature)
      .send(raw);
  const now = Math.floor(Date.now() / 1000);
  expect((await send(signPayload('wrong-secret', raw, now))).status).toBe(401);
  expect((await send(signPayload(TEST_WEBHOOK_SECRET, raw, now - 301))).status).toBe(401);
  expect((await send(signPayload(TEST_WEBHOOK_SECRET, raw, now))).status).toBe(202);
  const redelivered = await send(signPayload(TEST_WEBHOOK_SECRET, raw, now));
  expect(redelivered.body).toMatchObject({ duplicate: true });
  const loan = await eventually(
    () => get(`/v1/loans/${loanId}`),
    (r) => r.body.payments?.length >= 1,
  );
  expect(
    loan.body.payments.filter((p: { paymentId: string }) => p.paymentId === event.paymentId),
  ).toHaveLength(1);
});
