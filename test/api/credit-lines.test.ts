import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../api/app';
import { creditLineIdFor } from '../../api/routes/credit-lines';
import { createLogger } from '../../config/logger';
import { daysBetween, localDateAt, testClockZone } from '../../domain/localdate';
import { creditLineWorkflowId } from '../../contracts/credit-line';
import { annuityQuoteBody, type ApiHarness, apiHarness, TEST_WEBHOOK_SECRET } from '../support/api';
import { applicationBody, bankCard, phone } from '../support/applicants';
import { eventually } from '../support/eventually';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-credit-lines');
});
afterAll(async () => {
  await h?.close();
});

const apply = (body: unknown, key = randomUUID(), apiKey = h.keys.client) =>
  request(h.app)
    .post('/v1/credit-lines')
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Idempotency-Key', key)
    .send(body as object);

/** Rows written on behalf of this file's API keys (other test files share the database). */
async function counts() {
  const q = async (table: string) =>
    Number(
      (await h.pool.query(`select count(*) from ${table} where actor = any($1)`, [h.actorIds])).rows[0].count,
    );
  return { audit: await q('audit_log'), idempotency: await q('idempotency_keys') };
}

/**
 * Whether a request with this key started anything: the workflow and the read-model row the API
 * would have created carry the id it derives from (actor, key).
 */
async function workflowExists(apiKey: string, key: string): Promise<boolean> {
  const { apiKeyRepository } = await import('../../db/api-keys');
  const actor = await apiKeyRepository(h.pool).findActive(apiKey);
  const lineId = creditLineIdFor(actor?.id ?? 'nobody', key);
  const rows = await h.pool.query('select 1 from credit_lines where id = $1', [lineId]);
  const id = creditLineWorkflowId(lineId);
  if (rows.rowCount) return true;
  return h.env.client.workflow
    .getHandle(id)
    .describe()
    .then(
      () => true,
      (err: Error) => {
        if (err.name === 'WorkflowNotFoundError') return false;
        throw err;
      },
    );
}

describe('POST /v1/credit-lines', () => {
  test('a well-formed applicant gets an active line at once, readable with GET and visible in Temporal', async () => {
    const body = applicationBody();
    const res = await apply(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'active',
      limit: body.requestedLimit,
      available: body.requestedLimit,
    });
    const id = res.body.id as string;

    const got = await request(h.app)
      .get(`/v1/credit-lines/${id}`)
      .set('Authorization', `Bearer ${h.keys.ops}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);

    const described = await h.env.client.workflow.getHandle(creditLineWorkflowId(id)).describe();
    expect(described.type).toBe('creditLine');
    expect(described.status.name).toBe('RUNNING');
    // What an operator sees in the UI: a summary from the start, current details from the workflow.
    expect(await described.staticSummary()).toMatch(new RegExp(`^Credit line ${id} · cash-installment`));
    const metadata = (await h.env.client.workflow
      .getHandle(creditLineWorkflowId(id))
      .query('__temporal_workflow_metadata')) as {
      currentDetails?: string;
    };
    expect(metadata.currentDetails).toMatch(/\*\*active\*\* · cash-installment/);
    expect(metadata.currentDetails).not.toContain(body.customer.idNumber);
    // Operators find it by search attributes, which follow the line's status.
    const query = `CreditLineId = "${id}" AND LoanStatus = "active" AND ProductCode = "cash-installment"`;
    const deadline = Date.now() + 15_000;
    while ((await h.env.client.workflow.count(query)).count !== 1) {
      if (Date.now() > deadline) throw new Error(`not visible by: ${query}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const audit = await h.pool.query('select actor, action from audit_log where subject = $1', [id]);
    expect(audit.rows).toEqual([{ actor: expect.stringMatching(/^key_/), action: 'credit_line.apply' }]);
  });

  test('a four-element mismatch (card 0001) is declined with its reason', async () => {
    const res = await apply(applicationBody({ card: bankCard('0001') }));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('declined');
    expect(res.body.reasons[0].code).toBe('IDENTITY_MISMATCH');
  });

  test.each([
    ['a blacklisted phone (0000)', '0000', 'declined', 'BLACKLISTED'],
    ['a whitelisted phone (1111)', '1111', 'active', 'WHITELIST_FAST_TRACK'],
  ])('%s is decided at once with its reason code', async (_name, suffix, status, code) => {
    const res = await apply(applicationBody({ phone: phone(suffix) }));
    expect(res.status).toBe(201);
    expect(res.body.status).toBe(status);
    expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain(code);
  });

  test('the same Idempotency-Key replays the first response and starts one workflow; another body is 422', async () => {
    const body = applicationBody();
    const key = randomUUID();
    const first = await apply(body, key);
    expect(await workflowExists(h.keys.client, key)).toBe(true);
    const before = await counts();
    const again = await apply(body, key);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await counts()).toEqual(before);

    const other = await apply({ ...body, requestedLimit: { amount: 1_000_000, currency: 'CNY' } }, key);
    expect(other.status).toBe(422);
    expect(other.body.field).toBe('Idempotency-Key');
  });

  const good = () => applicationBody();
  const badInputs: [string, () => unknown, number, string][] = [
    [
      'missing field',
      () => ({ ...good(), customer: { ...good().customer, name: undefined } }),
      400,
      'customer.name',
    ],
    ['ID number with a wrong check digit', () => withId(good(), 'bad-check'), 422, 'customer.idNumber'],
    [
      'card failing Luhn',
      () => ({ ...good(), customer: { ...good().customer, bankCard: breakLuhn(bankCard()) } }),
      422,
      'customer.bankCard',
    ],
    [
      'wrong type',
      () => ({ ...good(), requestedLimit: { amount: '5000', currency: 'CNY' } }),
      400,
      'requestedLimit.amount',
    ],
    ['unknown product', () => ({ ...good(), productCode: 'payday-9000' }), 422, 'productCode'],
    ['unknown field', () => ({ ...good(), limitOverride: true }), 400, 'limitOverride'],
    [
      'a currency the product does not lend in',
      () => ({ ...good(), requestedLimit: { amount: 2_000_000, currency: 'USD' } }),
      422,
      'requestedLimit.currency',
    ],
  ];

  test.each(badInputs)(
    '%s → problem+json naming the field; nothing started, nothing written',
    async (_name, body, status, field) => {
      const before = await counts();
      const key = randomUUID();
      const res = await apply(body(), key);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.field).toBe(field);
      expect(await counts()).toEqual(before);
      expect(await workflowExists(h.keys.client, key)).toBe(false);
    },
  );

  test('oversized and broken JSON bodies are refused before anything happens', async () => {
    const before = await counts();
    const big = await apply({ ...good(), customer: { ...good().customer, name: 'x'.repeat(64 * 1024) } });
    expect(big.status).toBe(413);
    expect(big.body.field).toBe('body');
    const broken = await request(h.app)
      .post('/v1/credit-lines')
      .set('Authorization', `Bearer ${h.keys.client}`)
      .set('Idempotency-Key', randomUUID())
      .set('Content-Type', 'application/json')
      .send('{"customer": {');
    expect(broken.status).toBe(400);
    expect(broken.body.field).toBe('body');
    expect(await counts()).toEqual(before);
  });

  test('a missing Idempotency-Key is refused', async () => {
    const res = await request(h.app)
      .post('/v1/credit-lines')
      .set('Authorization', `Bearer ${h.keys.client}`)
      .send(good());
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('Idempotency-Key');
  });

  test('no key is 401, an unknown key is 401, a wrong role is 403', async () => {
    const before = await counts();
    expect((await request(h.app).post('/v1/credit-lines').send(good())).status).toBe(401);
    expect((await apply(good(), randomUUID(), 'lf_client_not-a-real-key')).status).toBe(401);
    expect((await apply(good(), randomUUID(), h.keys.reviewer)).status).toBe(403);
    expect((await apply(good(), randomUUID(), h.keys.ops)).status).toBe(403);
    expect(await counts()).toEqual(before);
    const read = await request(h.app)
      .get('/v1/credit-lines/cl_x')
      .set('Authorization', `Bearer ${h.keys.collector}`);
    expect(read.status).toBe(403);
  });

  test('an unknown line is 404', async () => {
    const res = await request(h.app)
      .get('/v1/credit-lines/cl_nope')
      .set('Authorization', `Bearer ${h.keys.client}`);
    expect(res.status).toBe(404);
  });
});

describe('platform routes', () => {
  test('healthz, readyz, openapi.json and docs', async () => {
    expect((await request(h.app).get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await request(h.app).get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ postgres: 'ok', temporal: 'ok' });
    const spec = await request(h.app).get('/openapi.json');
    expect(spec.body.openapi).toBe('3.0.3');
    expect(spec.body.paths['/v1/credit-lines'].post.requestBody).toBeDefined();
    expect(spec.body.components.schemas.CreditLineApplication.properties.customer).toBeDefined();
    const metrics = await request(h.app).get('/metrics').set('Authorization', `Bearer ${h.keys.ops}`);
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /loanflow_http_request_duration_seconds_count\{method="POST",route="\/v1\/credit-lines",status="201"\} [1-9]/,
    );
    expect(metrics.text).toMatch(
      /loanflow_credit_applications_total\{product="cash-installment",status="active"\} [1-9]/,
    );
    expect(metrics.text).not.toMatch(/route="\/v1\/credit-lines\/cl_/);
    const docs = await request(h.app).get('/docs/');
    expect(docs.status).toBe(200);
    expect(docs.text).toContain('swagger');
  });
});

function withId(body: ReturnType<typeof applicationBody>, _kind: 'bad-check') {
  const id = body.customer.idNumber;
  const last = id.at(-1) === '0' ? '1' : '0';
  return { ...body, customer: { ...body.customer, idNumber: `${id.slice(0, 17)}${last}` } };
}

/** A card number one digit off a valid one: Luhn catches every single-digit change. */
const breakLuhn = (card: string) => `${card.slice(0, -1)}${(Number(card.at(-1)) + 1) % 10}`;

describe('POST /v1/quotes', () => {
  const quoteReq = (body: object, apiKey = h.keys.client) =>
    request(h.app).post('/v1/quotes').set('Authorization', `Bearer ${apiKey}`).send(body);
  const mortgage = annuityQuoteBody(100_000_000, '0.049', 360);

  test('serves the domain quote: 1,000,000.00 at 4.9% over 360 months is 5,307.27 a month, and writes nothing', async () => {
    const before = await counts();
    const res = await quoteReq(mortgage);
    expect(res.status).toBe(200);
    expect(res.body.installments).toHaveLength(360);
    expect(res.body.installments[0].total).toBe(530_727);
    expect(res.body.installments.reduce((s: number, i: { principal: number }) => s + i.principal, 0)).toBe(
      100_000_000,
    );
    expect(await counts()).toEqual(before);
  });

  test.each([
    ['a rate of "abc"', { annualRate: 'abc' }, 400, 'annualRate'],
    ['term 0', { termCount: 0 }, 400, 'termCount'],
    ['a caller-chosen APR cap', { annualRate: '0.40', aprCap: '5' }, 400, 'aprCap'],
    ['an APR over the cap', { annualRate: '0.40' }, 422, 'apr'],
  ])('%s is a %d naming the field', async (_name, patch, status, field) => {
    const res = await quoteReq({ ...mortgage, ...patch });
    expect(res.status).toBe(status);
    expect(res.body.field).toBe(field);
  });

  test('an unknown method is a 400 naming the field; a reviewer may not quote', async () => {
    const res = await quoteReq({ ...mortgage, method: 'balloon' });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('method');
    expect((await quoteReq(mortgage, h.keys.reviewer)).status).toBe(403);
  });
});

describe('the fault harness test clock (config/env.ts LOANFLOW_TEST_CLOCK)', () => {
  /** The loan drawn on a new line applied for through `app`, once it is active. */
  async function loanVia(app: Express, askClock: boolean) {
    const auth = `Bearer ${h.keys.client}`;
    const line = request(app).post('/v1/credit-lines').set('Authorization', auth);
    if (askClock) line.set('Loanflow-Test-Clock', '1');
    const applied = await line.set('Idempotency-Key', randomUUID()).send(applicationBody());
    expect(applied.body.status).toBe('active');
    const drawn = await request(app)
      .post(`/v1/credit-lines/${applied.body.id}/drawdowns`)
      .set('Authorization', auth)
      .set('Idempotency-Key', randomUUID())
      .send({ amount: { amount: 600_000, currency: 'CNY' }, termMonths: 3, purpose: 'home repair' });
    expect(drawn.status).toBe(201);
    const loan = await eventually(
      () => request(app).get(`/v1/loans/${drawn.body.loanId}`).set('Authorization', auth),
      (r) => r.body.status === 'active',
    );
    return loan.body as { timeZone: string; nextDue: { dueDate: string } };
  }

  test('only a line asked for with the header, on an API with the clock, lives on it', async () => {
    const clock = testClockZone({ msPerDay: 5_000, epochMs: Date.now() - 3_600_000 });
    const clocked = createApp({
      pool: h.pool,
      temporal: h.env.client,
      taskQueue: h.taskQueue,
      logger: createLogger('silent'),
      customerIdKey: 'test-customer-id-key-0123456789',
      webhookSecret: TEST_WEBHOOK_SECRET,
      testClock: clock,
    });
    const fast = await loanVia(clocked, true);
    expect(fast.timeZone).toBe(clock);
    // An hour of real time is 720 business days on this clock: the loan was drawn, and falls due, then.
    const today = localDateAt(Date.now(), clock);
    expect(daysBetween(localDateAt(Date.now(), 'Asia/Shanghai'), today)).toBeGreaterThanOrEqual(719);
    expect(daysBetween(today, fast.nextDue.dueDate)).toBeGreaterThanOrEqual(27);
    expect(daysBetween(today, fast.nextDue.dueDate)).toBeLessThanOrEqual(32);
    expect((await loanVia(clocked, false)).timeZone).toBe('Asia/Shanghai');
    expect((await loanVia(h.app, true)).timeZone).toBe('Asia/Shanghai');
  });
});
