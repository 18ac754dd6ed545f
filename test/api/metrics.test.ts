import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type ApiHarness, apiHarness } from '../support/api';
import { applicationBody } from '../support/applicants';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-metrics');
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown) =>
  request(h.app)
    .post(path)
    .set('Authorization', `Bearer ${h.keys.client}`)
    .set('Idempotency-Key', randomUUID())
    .send(body as object);

const scrape = (apiKey = h.keys.ops) =>
  request(h.app).get('/metrics').set('Authorization', `Bearer ${apiKey}`);

/** One sample of a metric from the exposition text; 0 when the series does not exist yet. */
async function sample(name: string, labels = '{product="cash-installment"}'): Promise<number> {
  const res = await scrape();
  expect(res.status).toBe(200);
  const line = res.text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function eventually(read: () => Promise<number>, atLeast: number): Promise<number> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await read();
    if (v >= atLeast) return v;
    if (Date.now() > deadline) throw new Error(`stayed at ${v}, wanted ≥ ${atLeast}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Other test files share the database, so counts are compared by how much they grew, never by value.
test('business counters count a real application, its approval and a disbursement from PostgreSQL', async () => {
  const before = {
    applications: await sample('loanflow_applications_total'),
    approvals: await sample('loanflow_approvals_total'),
    disbursements: await sample('loanflow_disbursements_total'),
  };
  const line = await post('/v1/credit-lines', applicationBody({ amount: 3_000_000 }));
  expect(line.body.status).toBe('active');
  expect(await sample('loanflow_applications_total')).toBeGreaterThanOrEqual(before.applications + 1);
  await eventually(() => sample('loanflow_approvals_total'), before.approvals + 1);

  const drawn = await post(`/v1/credit-lines/${line.body.id}/drawdowns`, {
    amount: { amount: 500_000, currency: 'CNY' },
    termMonths: 6,
    purpose: 'home repair',
  });
  expect(drawn.status).toBe(201);
  await eventually(() => sample('loanflow_disbursements_total'), before.disbursements + 1);
});

test('every business series is exposed with its type, and request latency is labelled by route', async () => {
  const text = (await scrape()).text;
  for (const [name, type] of [
    ['loanflow_applications_total', 'counter'],
    ['loanflow_approvals_total', 'counter'],
    ['loanflow_disbursements_total', 'counter'],
    ['loanflow_repayments_total', 'counter'],
    ['loanflow_write_offs_total', 'counter'],
    ['loanflow_delinquent_loans', 'gauge'],
    ['loanflow_reconciliation_breaks', 'gauge'],
  ])
    expect(text).toContain(`# TYPE ${name} ${type}`);
  expect(text).toMatch(
    /loanflow_http_request_duration_seconds_count\{method="POST",route="\/v1\/credit-lines"/,
  );
});

test('only operators scrape: no key is 401, a client key 403, ops and admin keys 200', async () => {
  const anonymous = await request(h.app).get('/metrics');
  expect(anonymous.status).toBe(401);
  expect(anonymous.text).not.toContain('loanflow_');
  const client = await scrape(h.keys.client);
  expect(client.status).toBe(403);
  expect(client.text).not.toContain('loanflow_');
  expect((await scrape(h.keys.ops)).status).toBe(200);
  expect((await scrape(h.keys.admin)).status).toBe(200);
});
