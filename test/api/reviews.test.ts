import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { type ApiHarness, apiHarness } from '../support/api';
import {
  applicationBody,
  idNumberGrantingUpTo,
  idNumberWithoutDebtsGrantingUpTo,
} from '../support/applicants';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-reviews');
});
afterAll(async () => {
  await h?.close();
});

const post = (path: string, body: unknown, apiKey: string) =>
  request(h.app)
    .post(path)
    .set('Authorization', `Bearer ${apiKey}`)
    .set('Idempotency-Key', randomUUID())
    .send(body as object);
const getLine = (id: string, apiKey = h.keys.client) =>
  request(h.app).get(`/v1/credit-lines/${id}`).set('Authorization', `Bearer ${apiKey}`);

async function eventually(
  id: string,
  done: (body: { status: string; review: { status: string } | null }) => boolean,
) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await getLine(id);
    if (done(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`not reached: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function applyForReview(amount: number) {
  const res = await post(
    '/v1/credit-lines',
    applicationBody({ amount, idNumber: await idNumberGrantingUpTo(amount) }),
    h.keys.client,
  );
  expect(res.status).toBe(201);
  expect(res.body.status).toBe('pending_review');
  return res.body as { id: string; review: { id: string; reviewersRequired: number } };
}

test('above 200,000.00 two different reviewers decide through the API; a client and a repeat are refused', async () => {
  const line = await applyForReview(20_000_000);
  expect(line.review.reviewersRequired).toBe(2);

  const queue = await request(h.app)
    .get('/v1/reviews?status=pending')
    .set('Authorization', `Bearer ${h.keys.reviewer}`);
  expect(queue.status).toBe(200);
  expect(queue.body.items.map((r: { id: string }) => r.id)).toContain(line.review.id);

  const path = `/v1/reviews/${line.review.id}/decision`;
  expect((await post(path, { decision: 'approve' }, h.keys.client)).status).toBe(403);
  expect((await post(path, { decision: 'approve' }, h.keys.reviewer)).status).toBe(202);
  await eventually(
    line.id,
    (b) => (b as unknown as { review: { approvals: string[] } }).review.approvals.length === 1,
  );
  const repeat = await post(path, { decision: 'approve' }, h.keys.reviewer);
  expect(repeat.status).toBe(409);
  expect(repeat.body.detail).toMatch(/second reviewer/);

  expect((await post(path, { decision: 'approve' }, h.keys.reviewer2)).status).toBe(202);
  const active = await eventually(line.id, (b) => b.status !== 'pending_review');
  expect(active.status).toBe('active');
});

test('a decline needs a reason; request_info then the applicant answers through the API', async () => {
  const line = await applyForReview(5_000_000);
  const path = `/v1/reviews/${line.review.id}/decision`;
  const noReason = await post(path, { decision: 'decline' }, h.keys.reviewer);
  expect(noReason.status).toBe(422);
  expect(noReason.body.field).toBe('reason');

  expect(
    (await post(path, { decision: 'request_info', reason: 'proof of income' }, h.keys.reviewer)).status,
  ).toBe(202);
  await eventually(line.id, (b) => b.review?.status === 'info_requested');
  const info = await post(
    `/v1/credit-lines/${line.id}/info`,
    { occupation: 'teacher', monthlyIncome: { amount: 1_200_000, currency: 'CNY' } },
    h.keys.client,
  );
  expect(info.status).toBe(202);
  await eventually(line.id, (b) => b.review?.status === 'pending');
  expect((await post(path, { decision: 'decline', reason: 'debt too high' }, h.keys.reviewer2)).status).toBe(
    202,
  );
  const declined = await eventually(line.id, (b) => b.status === 'declined');
  expect(JSON.stringify(declined)).toContain('debt too high');
});

test('ops freeze, refuse an impossible unfreeze with the field, and every control is audited', async () => {
  const res = await post('/v1/credit-lines', applicationBody({ amount: 1_000_000 }), h.keys.client);
  const id = res.body.id as string;
  expect((await post(`/v1/credit-lines/${id}/freeze`, { reason: 'fraud alert' }, h.keys.client)).status).toBe(
    403,
  );
  const frozen = await post(`/v1/credit-lines/${id}/freeze`, { reason: 'fraud alert' }, h.keys.ops);
  expect(frozen.status).toBe(200);
  expect(frozen.body.status).toBe('frozen');
  const again = await post(`/v1/credit-lines/${id}/freeze`, { reason: 'twice' }, h.keys.ops);
  expect(again.status).toBe(422);
  expect(again.body.field).toBe('action');
  const limit = await post(
    `/v1/credit-lines/${id}/limit`,
    { reason: 'review', limit: { amount: 800_000, currency: 'CNY' } },
    h.keys.ops,
  );
  expect(limit.body).toMatchObject({ limit: { amount: 800_000 }, available: { amount: 800_000 } });
  const audit = await h.pool.query('select action from audit_log where subject = $1 order by id', [id]);
  expect(audit.rows.map((r) => r.action)).toEqual([
    'credit_line.apply',
    'credit_line.freeze',
    'credit_line.change_limit',
  ]);
});

test('a client cannot read a line another client applied for', async () => {
  const res = await post('/v1/credit-lines', applicationBody({ amount: 1_000_000 }), h.keys.client);
  const { apiKeyRepository } = await import('../../db/api-keys');
  const other = await apiKeyRepository(h.pool).create('client', 'another partner');
  expect((await getLine(res.body.id, other.key)).status).toBe(404);
  expect((await getLine(res.body.id, h.keys.ops)).status).toBe(200);
});

test('GET /v1/reviews/{id} gives a reviewer the dossier with the applicant masked and the first approval', async () => {
  const body = applicationBody({ amount: 20_000_000, idNumber: await idNumberGrantingUpTo(20_000_000) });
  const applied = await post('/v1/credit-lines', body, h.keys.client);
  const line = applied.body as { id: string; review: { id: string } };
  const path = `/v1/reviews/${line.review.id}`;
  const read = () => request(h.app).get(path).set('Authorization', `Bearer ${h.keys.reviewer}`);
  expect((await request(h.app).get(path).set('Authorization', `Bearer ${h.keys.client}`)).status).toBe(403);
  const before = await read();
  // The whole answer on failure: a 500 from the response check names the field it found wrong.
  expect({ status: before.status, body: before.body }).toMatchObject({ status: 200 });
  expect(before.body).toMatchObject({
    id: line.review.id,
    creditLineId: line.id,
    reviewersRequired: 2,
    lineStatus: 'pending_review',
    timeZone: 'Asia/Shanghai',
    applicant: { name: '张*', idNumber: expect.stringMatching(/^\*{4}\d{3}[\dX]$/) },
    identity: { matched: true },
    screening: { listed: null },
    decisions: [],
  });
  const text = JSON.stringify(before.body);
  for (const pii of [body.customer.phone, body.customer.idNumber, body.customer.bankCard, body.customer.name])
    expect(text).not.toContain(pii);
  expect(before.body.applicant.phone).toBe(`****${body.customer.phone.slice(-4)}`);
  expect(before.body.score.contributions.length).toBeGreaterThan(0);
  expect(before.body.score.contributions.map((c: { points: number }) => c.points)).toEqual(
    expect.arrayContaining([expect.any(Number)]),
  );
  expect(before.body.reasons.map((r: { code: string }) => r.code)).toContain('REVIEW_TWO_REVIEWERS');
  expect(before.body.bureau).toMatchObject({ score: expect.any(Number), currentDebts: { currency: 'CNY' } });

  expect(
    (await post(`${path}/decision`, { decision: 'approve', reason: 'income checked' }, h.keys.reviewer))
      .status,
  ).toBe(202);
  const deadline = Date.now() + 20_000;
  let after = await read();
  while (after.body.decisions.length === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    after = await read();
  }
  expect(after.body.decisions).toEqual([
    { reviewerId: h.actorIds[1], decision: 'approve', reason: 'income checked', at: expect.any(String) },
  ]);
  expect(after.body.approvals).toEqual([h.actorIds[1]]);
  expect(
    (
      await request(h.app)
        .get('/v1/reviews/rv_cl_absent0123456789')
        .set('Authorization', `Bearer ${h.keys.reviewer}`)
    ).status,
  ).toBe(404);
});

test('an applicant the bureau reports owing nothing has a dossier: zero debts is an amount, not a refusal', async () => {
  const idNumber = await idNumberWithoutDebtsGrantingUpTo(20_000_000);
  const applied = await post(
    '/v1/credit-lines',
    applicationBody({ amount: 20_000_000, idNumber }),
    h.keys.client,
  );
  expect(applied.status).toBe(201);
  const path = `/v1/reviews/${applied.body.review.id}`;
  const read = () => request(h.app).get(path).set('Authorization', `Bearer ${h.keys.reviewer}`);
  let res = await read();
  for (let i = 0; i < 100 && res.status === 404; i++) {
    await new Promise((r) => setTimeout(r, 100));
    res = await read();
  }
  expect({ status: res.status, body: res.body }).toMatchObject({
    status: 200,
    body: { bureau: { currentDebts: { amount: 0, currency: 'CNY' } } },
  });
});
