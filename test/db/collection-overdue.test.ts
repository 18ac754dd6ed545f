import { randomUUID } from 'node:crypto';
import { collectionRepository } from '../../db/collection';
import { loanRepository } from '../../db/loans';
import { testClockZone } from '../../domain/localdate';
import { testPool } from '../support/db';
import { lateLoanView } from './late-loan-view';

const pool = testPool();
const tasks = collectionRepository(pool);
const loans = loanRepository(pool);
afterAll(() => pool.end());

const HOUR = 3_600_000;
const ZONE = 'Asia/Shanghai';
const newLoan = () => `ln_${randomUUID().replace(/-/g, '').slice(0, 22)}`;

async function taskOf(loanId: string, timeZone = ZONE) {
  const id = `ct_${randomUUID()}`;
  await tasks.createTask({
    id,
    loanId,
    customerId: 'cust_hash_late',
    bucket: 'M2',
    dpd: 40,
    timeZone,
    notBefore: new Date(Date.now() - HOUR).toISOString(),
    notAfter: new Date(Date.now() + HOUR).toISOString(),
  });
  return id;
}

test("a task carries its loan's arrears from the read model, each part as the book has it", async () => {
  const loanId = newLoan();
  const { view, expected } = lateLoanView(loanId, ZONE);
  expect(await loans.save(view)).toBe('saved');
  const id = await taskOf(loanId);

  const cny = (amount: number) => ({ amount, currency: 'CNY' });
  const want = {
    total: cny(expected.total),
    principal: cny(expected.principal),
    interest: cny(expected.interest),
    fees: cny(expected.fees),
    penalty: cny(expected.penalty),
    since: expected.since,
  };
  // Every part is there to see: a partial payment, interest due, a late fee and penalty.
  for (const part of ['principal', 'interest', 'fees', 'penalty'] as const)
    expect([part, expected[part] > 0]).toEqual([part, true]);
  expect(expected.principal + expected.interest + expected.fees + expected.penalty).toBe(expected.total);

  expect((await tasks.getTask(id))?.overdue).toEqual(want);
  const listed = await tasks.listTasks({ loanId, limit: 10 });
  expect(listed.items.map((t) => [t.id, t.overdue])).toEqual([[id, want]]);
});

test('paged lists keep their order and cursor with the arrears joined on', async () => {
  const loanId = newLoan();
  await loans.save(lateLoanView(loanId, ZONE).view);
  const ids = [await taskOf(loanId), await taskOf(loanId), await taskOf(loanId)];
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Awaited<ReturnType<typeof tasks.listTasks>> = await tasks.listTasks({
      loanId,
      limit: 2,
      ...(cursor ? { cursor } : {}),
    });
    for (const t of page.items) {
      expect(t.overdue?.total.amount).toBeGreaterThan(0);
      seen.push(t.id);
    }
    cursor = page.nextCursor;
  } while (cursor);
  expect(seen.sort()).toEqual([...ids].sort());
});

test('a loan out of service owes nothing overdue; a loan the read model has no view of is null', async () => {
  const closedId = newLoan();
  const { view } = lateLoanView(closedId, ZONE);
  await loans.save({ ...view, status: 'written_off', version: 2 });
  const closedTask = await taskOf(closedId);
  const zero = { amount: 0, currency: 'CNY' };
  expect((await tasks.getTask(closedTask))?.overdue).toEqual({
    total: zero,
    principal: zero,
    interest: zero,
    fees: zero,
    penalty: zero,
    since: null,
  });

  const unknown = await taskOf(newLoan());
  expect((await tasks.getTask(unknown))?.overdue).toBeNull();
});

test("a task on a test clock reads its arrears by that clock's date, which PostgreSQL does not know", async () => {
  // One day an hour, started a year ahead of now: the database's own time zones cannot say its date.
  const zone = testClockZone({ msPerDay: 3_600_000, epochMs: Date.now() + 365 * 24 * HOUR });
  const loanId = newLoan();
  const { view, expected } = lateLoanView(loanId, zone);
  expect(await loans.save(view)).toBe('saved');
  const id = await taskOf(loanId, zone);
  expect((await tasks.getTask(id))?.overdue?.total.amount).toBe(expected.total);
  const callable = await tasks.listTasks({ loanId, status: 'open', callableAt: new Date(), limit: 10 });
  expect(callable.items.map((t) => [t.id, t.overdue?.total.amount])).toEqual([[id, expected.total]]);
});
