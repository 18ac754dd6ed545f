/**
 * Regressions of issue 11: what a client sends is answered with a 4xx naming the field, quickly, and
 * changes nothing; a 5xx would be our defect.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { creditLineIdFor } from '../../api/routes/credit-lines';
import { apiKeyRepository } from '../../db/api-keys';
import { localDateAt } from '../../domain/localdate';
import { creditLineWorkflowId } from '../../contracts/credit-line';
import { annuityQuoteBody, type ApiHarness, apiHarness } from '../support/api';
import { applicationBody, bankCard } from '../support/applicants';
import { eventually } from '../support/eventually';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-client-errors');
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, apiKey = h.keys.client, key = randomUUID()) =>
  request(h.app)
    .post(path)
    .timeout(10_000)
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Idempotency-Key', key)
    .send(body as object);
const get = (path: string, apiKey = h.keys.client) =>
  request(h.app).get(path).timeout(10_000).set('Authorization', `Bearer ${apiKey}`);

const quoteBody = annuityQuoteBody(1_000_000, '0.12', 12);

describe('quotes', () => {
  test('an exponent rate is refused with 400 in milliseconds while /healthz keeps answering', async () => {
    const started = performance.now();
    const [hostile, health] = await Promise.all([
      post('/v1/quotes', { ...quoteBody, annualRate: '1e-3000000' }),
      request(h.app).get('/healthz'),
    ]);
    const ms = performance.now() - started;
    expect(hostile.status).toBe(400);
    expect(hostile.body.field).toBe('annualRate');
    expect(hostile.text.length).toBeLessThan(2_000);
    expect(health.status).toBe(200);
    expect(ms).toBeLessThan(300);
  });

  test.each([
    ['annualRate', { annualRate: '0.1234567890123' }],
    ['annualRate', { annualRate: '00000000000000000000.1' }],
    ['fees.origination.rate', { fees: { origination: { rate: '1e-99999999' } } }],
    ['fees.origination.rate', { fees: { origination: { rate: '1.5' } } }],
    ['termCount', { termCount: 1e9 }],
    ['period', { period: `P${'9'.repeat(30)}M` }],
    ['startDate', { startDate: '0000-01-01' }],
  ])('a value past its bound is refused naming %s', async (field, patch) => {
    const res = await post('/v1/quotes', { ...quoteBody, ...patch });
    expect([400, 422]).toContain(res.status);
    expect(res.body.field).toBe(field);
  });

  test('the caller cannot choose the APR cap: aprCap is refused and the regulatory cap applies', async () => {
    const chosen = await post('/v1/quotes', { ...quoteBody, annualRate: '1.2', aprCap: '5' });
    expect(chosen.status).toBe(400);
    expect(chosen.body.field).toBe('aprCap');
    const over = await post('/v1/quotes', { ...quoteBody, annualRate: '1.2' });
    expect(over.status).toBe(422);
    expect(over.body.field).toBe('apr');
    const within = await post('/v1/quotes', quoteBody);
    expect(within.status).toBe(200);
    expect(Number(within.body.apr.nominal)).toBeLessThanOrEqual(0.36);
  });
});

describe('applications', () => {
  const clientActor = async () => (await apiKeyRepository(h.pool).findActive(h.keys.client))!.id;
  const nothingFor = async (key: string) => {
    const id = creditLineIdFor(await clientActor(), key);
    const rows = await h.pool.query('select 1 from credit_lines where id = $1', [id]);
    expect(rows.rowCount).toBe(0);
    await expect(h.env.client.workflow.getHandle(creditLineWorkflowId(id)).describe()).rejects.toThrow();
  };

  test('an application in a currency the product does not lend in is a 422 and starts nothing', async () => {
    const key = randomUUID();
    const body = applicationBody();
    const res = await post(
      '/v1/credit-lines',
      { ...body, requestedLimit: { amount: 2_000_000, currency: 'USD' } },
      h.keys.client,
      key,
    );
    expect(res.status).toBe(422);
    expect(res.body.field).toBe('requestedLimit.currency');
    await nothingFor(key);
    const again = await post(
      '/v1/credit-lines',
      { ...body, requestedLimit: { amount: 2_000_000, currency: 'USD' } },
      h.keys.client,
      key,
    );
    expect(again.status).toBe(422);
    await nothingFor(key);
  });

  test.each([
    [
      'customer.name',
      (b: ReturnType<typeof applicationBody>) => ({ ...b, customer: { ...b.customer, name: '张\u0000三' } }),
    ],
    [
      'consents.bureauQuery.version',
      (b: ReturnType<typeof applicationBody>) => ({
        ...b,
        consents: { bureauQuery: { ...b.consents.bureauQuery, version: 'v1\u0000' } },
      }),
    ],
    [
      'consents.bureauQuery.acceptedAt',
      (b: ReturnType<typeof applicationBody>) => ({
        ...b,
        consents: { bureauQuery: { ...b.consents.bureauQuery, acceptedAt: '0000-01-01T00:00:00Z' } },
      }),
    ],
    [
      'consents.bureauQuery.acceptedAt',
      (b: ReturnType<typeof applicationBody>) => ({
        ...b,
        consents: { bureauQuery: { ...b.consents.bureauQuery, acceptedAt: '2199-01-01T00:00:00Z' } },
      }),
    ],
  ])('what PostgreSQL or the rules cannot take in %s is a 4xx and starts nothing', async (field, patch) => {
    const key = randomUUID();
    const res = await post('/v1/credit-lines', patch(applicationBody()), h.keys.client, key);
    expect([400, 422]).toContain(res.status);
    expect(res.body.field).toBe(field);
    await nothingFor(key);
  });
});

describe('payoff quotes', () => {
  /** A loan paid out to the applicant's own card; the sandbox bank refuses cards ending 0002. */
  async function drawn(card?: string) {
    const line = await post(
      '/v1/credit-lines',
      applicationBody({ amount: 3_000_000, ...(card ? { card } : {}) }),
    );
    expect(line.body.status).toBe('active');
    const res = await post(`/v1/credit-lines/${line.body.id}/drawdowns`, {
      amount: { amount: 600_000, currency: 'CNY' },
      termMonths: 12,
      purpose: 'home repair',
    });
    expect(res.status).toBe(201);
    return res.body.loanId as string;
  }

  test('without a date the quote is for today in the loan’s time zone', async () => {
    const loanId = await drawn();
    const loan = await eventually(
      () => get(`/v1/loans/${loanId}`),
      (r) => r.body.status === 'active',
    );
    const today = localDateAt(Date.now(), loan.body.timeZone ?? 'Asia/Shanghai');
    const implicit = await get(`/v1/loans/${loanId}/payoff-quote`);
    expect(implicit.status).toBe(200);
    expect(implicit.body.date).toBe(today);
    expect(implicit.body).toEqual((await get(`/v1/loans/${loanId}/payoff-quote?date=${today}`)).body);
  });

  test('a date before disbursement or years out is a 422 naming date', async () => {
    const loanId = await drawn();
    await eventually(
      () => get(`/v1/loans/${loanId}`),
      (r) => r.body.status === 'active',
    );
    const before = await get(`/v1/loans/${loanId}/payoff-quote?date=2001-01-01`);
    expect(before.status).toBe(422);
    expect(before.body.field).toBe('date');
    const far = await get(`/v1/loans/${loanId}/payoff-quote?date=2100-01-01`);
    expect(far.status).toBe(422);
    expect(far.body.field).toBe('date');
  });

  test('a loan whose disbursement failed has no payoff: 409 naming the loan', async () => {
    const loanId = await drawn(bankCard('0002'));
    await eventually(
      () => get(`/v1/loans/${loanId}`),
      (r) => r.body.status === 'disbursement_failed',
    );
    const res = await get(`/v1/loans/${loanId}/payoff-quote`);
    expect(res.status).toBe(409);
    expect(res.body.title).toBe('Conflict');
    expect(res.body.field).toBe('loan');
  });
});

describe('problem titles come from the status', () => {
  test('401 is Unauthorized, for a missing key and for a bad callback signature', async () => {
    const noKey = await request(h.app).get('/v1/loans');
    expect(noKey.status).toBe(401);
    expect(noKey.body.title).toBe('Unauthorized');
    expect(noKey.body.field).toBe('Authorization');
    const unsigned = await request(h.app)
      .post('/v1/webhooks/payments')
      .set('Content-Type', 'application/json')
      .send('{}');
    expect(unsigned.status).toBe(401);
    expect(unsigned.body.title).toBe('Unauthorized');
    expect(unsigned.body.field).toBe('Loanflow-Signature');
  });

  test('403 is Forbidden, 404 Not found, 409 Conflict, 415 Unsupported media type', async () => {
    const forbidden = await get('/v1/portfolio/metrics');
    expect([forbidden.status, forbidden.body.title, forbidden.body.field]).toEqual([
      403,
      'Forbidden',
      'Authorization',
    ]);
    const missing = await get('/v1/credit-lines/cl_doesNotExist0123456789');
    expect([missing.status, missing.body.title]).toEqual([404, 'Not found']);
    const noRoute = await get('/v1/no-such-thing');
    expect([noRoute.status, noRoute.body.title, noRoute.body.field]).toEqual([404, 'Not found', 'path']);
    const line = await post('/v1/credit-lines', applicationBody());
    const conflict = await post(`/v1/credit-lines/${line.body.id}/info`, { occupation: 'teacher' });
    expect([conflict.status, conflict.body.title]).toEqual([409, 'Conflict']);
    const text = await request(h.app)
      .post('/v1/quotes')
      .set('Authorization', `Bearer ${h.keys.client}`)
      .set('Content-Type', 'text/plain')
      .send(JSON.stringify(quoteBody));
    expect([text.status, text.body.title, text.body.field]).toEqual([
      415,
      'Unsupported media type',
      'Content-Type',
    ]);
  });
});

describe('what the fuzzer found', () => {
  test('an instant with an offset beyond ±14:00 (PostgreSQL refuses past ±15:59) is a 400, not a 500', async () => {
    const res = await get(
      `/v1/reviews?dueBefore=${encodeURIComponent('2030-02-28T20:06:20+22:10')}`,
      h.keys.reviewer,
    );
    expect([res.status, res.body.field]).toEqual([400, 'dueBefore']);
    const ok = await get(
      `/v1/reviews?dueBefore=${encodeURIComponent('2030-02-28T20:06:20+14:00')}`,
      h.keys.reviewer,
    );
    expect(ok.status).toBe(200);
  });

  test('a served path asked with a method it does not take is a 405 with Allow, through the whole app', async () => {
    const res = await request(h.app).delete('/v1/quotes').set('Authorization', `Bearer ${h.keys.client}`);
    expect([res.status, res.headers.allow, res.body.field]).toEqual([405, 'POST', 'method']);
  });
});
