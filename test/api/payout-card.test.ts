import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { getLoan, loanWorkflowId } from '../../contracts/loan';
import { getCreditLine, creditLineWorkflowId } from '../../contracts/credit-line';
import { type ApiHarness, apiHarness } from '../support/api';
import { applicationBody, bankCard } from '../support/applicants';
import { eventually } from '../support/eventually';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-payout-card');
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, key = randomUUID(), apiKey = h.keys.client) =>
  request(h.app)
    .post(path)
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Idempotency-Key', key)
    .send(body as object);

async function activeLine(extra: object = {}) {
  const body = { ...applicationBody({ amount: 3_000_000 }), ...extra };
  const line = await post('/v1/credit-lines', body);
  expect(line.status).toBe(201);
  expect(line.body.status).toBe('active');
  return { id: line.body.id as string, verifiedCard: body.customer.bankCard };
}
const draw = (lineId: string, bankCard?: string) =>
  post(`/v1/credit-lines/${lineId}/drawdowns`, {
    amount: { amount: 500_000, currency: 'CNY' },
    termMonths: 6,
    purpose: 'travel',
    ...(bankCard ? { bankCard } : {}),
  });
const payoutsTo = async (card: string) =>
  (
    await h.pool.query('select id from sandbox_bank_transfers where kind = $1 and card = $2', [
      'payout',
      card,
    ])
  ).rowCount;

describe('payout card', () => {
  test('a drawdown to a card never verified for the customer is a 422 naming bankCard; nothing is reserved or paid', async () => {
    const line = await activeLine();
    const stranger = bankCard('4003');
    const res = await draw(line.id, stranger);
    expect(res.status).toBe(422);
    expect(res.type).toBe('application/problem+json');
    expect(res.body).toMatchObject({ field: 'bankCard', detail: expect.stringContaining('4003') });
    expect(res.body.detail).not.toContain(stranger.slice(0, 12));
    const view = await h.env.client.workflow.getHandle(creditLineWorkflowId(line.id)).query(getCreditLine);
    expect(view.available?.amount).toBe(3_000_000);
    expect(await payoutsTo(stranger)).toBe(0);
  });

  test('a card verified with the four elements through POST …/cards is then paid; a card the bank does not match is a 422', async () => {
    const line = await activeLine();
    const own = bankCard();
    const verified = await post(`/v1/credit-lines/${line.id}/cards`, { bankCard: own });
    expect(verified.status).toBe(200);
    expect(verified.body).toEqual({ verified: true, last4: own.slice(-4) });

    const drawn = await draw(line.id, own);
    expect(drawn.status).toBe(201);
    const loan = h.env.client.workflow.getHandle(loanWorkflowId(drawn.body.loanId));
    await eventually(
      () => loan.query(getLoan),
      (v) => v.status === 'active',
    );
    expect(await payoutsTo(own)).toBe(1);

    const mismatched = await post(`/v1/credit-lines/${line.id}/cards`, { bankCard: bankCard('0001') });
    expect(mismatched.status).toBe(422);
    expect(mismatched.body).toMatchObject({
      field: 'bankCard',
      detail: expect.stringContaining('IDENTITY_MISMATCH'),
    });
  });

  test("another client cannot verify a card on someone else's line", async () => {
    const line = await activeLine();
    const { apiKeyRepository } = await import('../../db/api-keys');
    const other = await apiKeyRepository(h.pool).create('client', 'test other client');
    const res = await post(
      `/v1/credit-lines/${line.id}/cards`,
      { bankCard: bankCard() },
      randomUUID(),
      other.key,
    );
    expect(res.status).toBe(404);
  });
});

describe('products and zones', () => {
  test('a revolving line is not offered: the application is a 422 naming productCode and starts nothing', async () => {
    const key = randomUUID();
    const res = await post('/v1/credit-lines', applicationBody({ productCode: 'revolving' }), key);
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ field: 'productCode', detail: expect.stringMatching(/not offered/) });
    expect((await h.pool.query('select 1 from idempotency_keys where key = $1', [key])).rowCount).toBe(0);
  });

  test("the borrower's zone travels from the application to the loan; a zone that does not exist is a 400", async () => {
    const line = await activeLine({ timeZone: 'America/New_York' });
    const drawn = await draw(line.id);
    expect(drawn.status).toBe(201);
    const loan = await eventually(
      () => h.env.client.workflow.getHandle(loanWorkflowId(drawn.body.loanId)).query(getLoan),
      (v) => v.status === 'active',
    );
    expect(loan.timeZone).toBe('America/New_York');

    const bad = await post('/v1/credit-lines', { ...applicationBody(), timeZone: 'Mars/Olympus' });
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(bad.body.field).toBe('timeZone');
  });
});

describe('line controls', () => {
  test('a freeze retried after its answer was lost is answered again, not applied twice', async () => {
    const line = await activeLine();
    const key = randomUUID();
    const freeze = () =>
      post(`/v1/credit-lines/${line.id}/freeze`, { reason: 'fraud check' }, key, h.keys.ops);
    const first = await freeze();
    expect(first.status).toBe(200);
    // A crashed API process: its stored answer is gone, so the retry runs the handler again.
    await h.pool.query('delete from idempotency_keys where key = $1', [key]);
    const again = await freeze();
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('frozen');
    const view = await h.env.client.workflow.getHandle(creditLineWorkflowId(line.id)).query(getCreditLine);
    expect(view.reasons.filter((r) => r.code === 'LINE_FREEZE')).toHaveLength(1);
  });
});
