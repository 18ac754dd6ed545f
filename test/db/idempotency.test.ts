import { randomUUID } from 'node:crypto';
import { idempotencyRepository } from '../../db/idempotency';
import { testPool } from '../support/db';

const pool = testPool();
afterAll(() => pool.end());
const repo = idempotencyRepository(pool, 30);
const record = (key: string, requestHash = 'h1') => ({
  actor: `key_test_${randomUUID()}`.slice(0, 30),
  key,
  method: 'POST',
  path: '/v1/things',
  requestHash,
});
const lapse = (key: string) =>
  pool.query("update idempotency_keys set lease_until = now() - interval '1 second' where key = $1", [key]);

test('of many retries racing for a lapsed claim, exactly one takes it over', async () => {
  const rec = record(randomUUID());
  const first = await repo.claim(rec);
  expect(first.claimed).toBe(true);
  await lapse(rec.key);

  const retries = await Promise.all(Array.from({ length: 8 }, () => repo.claim(rec)));
  expect(retries.filter((r) => r.claimed)).toHaveLength(1);
  for (const r of retries.filter((x) => !x.claimed))
    expect(r).toMatchObject({ claimed: false, existing: { state: 'in_progress' } });
});

test('a holder whose claim was taken over can neither complete nor release it', async () => {
  const rec = record(randomUUID());
  const slow = await repo.claim(rec);
  if (!slow.claimed) throw new Error('not claimed');
  await lapse(rec.key);
  const retry = await repo.claim(rec);
  if (!retry.claimed) throw new Error('not taken over');

  expect(await repo.renew(slow.claim)).toBe(false);
  await repo.release(slow.claim);
  const body = Buffer.from('{"late":true}');
  await repo.complete(slow.claim, { status: 201, body, contentType: 'application/json' });
  expect(await repo.claim(rec)).toMatchObject({ claimed: false, existing: { state: 'in_progress' } });

  await repo.complete(retry.claim, {
    status: 201,
    body: Buffer.from('{"b":1,"a":2}'),
    contentType: 'application/json',
  });
  const done = await repo.claim(rec);
  expect(done).toMatchObject({ claimed: false, existing: { state: 'done' } });
  if (done.claimed || done.existing.state !== 'done') throw new Error('not done');
  expect(done.existing.response.body.toString()).toBe('{"b":1,"a":2}');
});

test('a lapsed claim is not taken over by a different request with the same key', async () => {
  const rec = record(randomUUID());
  await repo.claim(rec);
  await lapse(rec.key);
  const other = await repo.claim({ ...rec, requestHash: 'h2' });
  expect(other).toMatchObject({ claimed: false, existing: { requestHash: 'h1' } });
});

test('a claim written before leases existed holds for one lease from its creation', async () => {
  const fresh = record(randomUUID());
  const old = record(randomUUID());
  for (const [rec, age] of [
    [fresh, '5 seconds'],
    [old, '5 minutes'],
  ] as const)
    await pool.query(
      `insert into idempotency_keys (actor, key, method, path, request_hash, created_at)
       values ($1, $2, $3, $4, $5, now() - $6::interval)`,
      [rec.actor, rec.key, rec.method, rec.path, rec.requestHash, age],
    );
  expect(await repo.claim(fresh)).toMatchObject({ claimed: false, existing: { state: 'in_progress' } });
  expect(await repo.claim(old)).toMatchObject({ claimed: true });
});
