import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { creditLineWorkflowId } from '../../contracts/credit-line';
import { type ApiHarness, apiHarness } from '../support/api';
import { applicationBody } from '../support/applicants';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-idempotency');
});
afterAll(async () => {
  await h?.close();
});

const apply = (body: unknown, key: string) =>
  request(h.app)
    .post('/v1/credit-lines')
    .set('Authorization', `Bearer ${h.keys.client}`)
    .set('Idempotency-Key', key)
    .send(body as object);

/**
 * What a process killed after the effect and before storing the response leaves: the claim row
 * with no response, its lease running out `leaseFromNow` seconds from now.
 */
async function killedMidRequest(key: string, leaseFromNow: number): Promise<void> {
  const res = await h.pool.query(
    `update idempotency_keys
     set status_code = null, response_body = null, response_bytes = null, response_type = null,
         completed_at = null, lease_until = now() + make_interval(secs => $2)
     where key = $1`,
    [key, leaseFromNow],
  );
  expect(res.rowCount).toBe(1);
}

test('a retry after the claim of a killed request lapsed runs it again: 201 with the same line', async () => {
  const body = applicationBody();
  const key = randomUUID();
  const first = await apply(body, key);
  expect(first.status).toBe(201);
  await killedMidRequest(key, -1);

  const retry = await apply(body, key);
  expect(retry.status).toBe(201);
  expect(retry.headers['idempotent-replayed']).toBeUndefined();
  expect(retry.body).toMatchObject({ id: first.body.id, status: 'active', limit: body.requestedLimit });
  // update-with-start found the line the killed request started instead of starting another.
  const runs = await h.env.client.workflow.count(`WorkflowId = "${creditLineWorkflowId(first.body.id)}"`);
  expect(runs.count).toBe(1);
  // The retry stored its answer: the next one is a replay.
  const replay = await apply(body, key);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.body.id).toBe(first.body.id);
});

test('a retry while the claim is still leased is 409 with Retry-After, and changes nothing', async () => {
  const body = applicationBody();
  const key = randomUUID();
  expect((await apply(body, key)).status).toBe(201);
  await killedMidRequest(key, 20);

  const retry = await apply(body, key);
  expect(retry.status).toBe(409);
  expect(retry.body.field).toBe('Idempotency-Key');
  expect(Number(retry.headers['retry-after'])).toBeGreaterThanOrEqual(19);
  expect(Number(retry.headers['retry-after'])).toBeLessThanOrEqual(20);
  const row = await h.pool.query(
    'select status_code, lease_until > now() as leased from idempotency_keys where key = $1',
    [key],
  );
  expect(row.rows).toEqual([{ status_code: null, leased: true }]);
});

test('a replay sends the bytes first sent, in their key order, with the same content type', async () => {
  const body = applicationBody();
  const key = randomUUID();
  const first = await apply(body, key);
  expect(first.status).toBe(201);
  // jsonb would put short keys first ("id", "apr", then "grade"…): the response does not.
  expect(Object.keys(first.body).slice(0, 2)).toEqual(['id', 'status']);

  const replay = await apply(body, key);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.status).toBe(first.status);
  expect(replay.headers['content-type']).toBe(first.headers['content-type']);
  expect(replay.text).toBe(first.text);
});

test('a response stored before the bytes were kept still replays from its jsonb', async () => {
  const body = applicationBody();
  const key = randomUUID();
  const first = await apply(body, key);
  await h.pool.query(
    'update idempotency_keys set response_bytes = null, response_type = null where key = $1',
    [key],
  );
  const replay = await apply(body, key);
  expect(replay.status).toBe(201);
  expect(replay.headers['idempotent-replayed']).toBe('true');
  expect(replay.headers['content-type']).toMatch(/^application\/json/);
  expect(replay.body).toEqual(first.body);
});
