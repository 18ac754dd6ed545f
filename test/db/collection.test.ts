import { randomUUID } from 'node:crypto';
import { collectionRepository } from '../../db/collection';
import { testPool } from '../support/db';

const pool = testPool();
const repo = collectionRepository(pool);
afterAll(() => pool.end());

const HOUR = 3_600_000;
const at = (ms: number) => new Date(ms).toISOString();

/** A task whose window runs from `from` to `to` hours around now. */
function task(loanId: string, from = -1, to = 1, over: { id?: string } = {}) {
  return {
    id: over.id ?? `ct_${randomUUID()}`,
    loanId,
    customerId: 'cust_hash_abc',
    bucket: 'M2',
    dpd: 35,
    timeZone: 'Asia/Shanghai',
    notBefore: at(Date.now() + from * HOUR),
    notAfter: at(Date.now() + to * HOUR),
  };
}

const newLoan = () => `ln_${randomUUID()}`;

test('createTask is idempotent by id and getTask reads it back open; an unknown id is null', async () => {
  const t = task(newLoan());
  await repo.createTask(t);
  await repo.createTask({ ...t, dpd: 99 });
  const row = await repo.getTask(t.id);
  expect(row).toMatchObject({
    id: t.id,
    loanId: t.loanId,
    bucket: 'M2',
    dpd: 35,
    timeZone: 'Asia/Shanghai',
    notBefore: t.notBefore,
    notAfter: t.notAfter,
    status: 'open',
    outcome: null,
    collectorId: null,
  });
  expect(await repo.getTask(`ct_${randomUUID()}`)).toBeNull();
});

test('an open task past its window reads as expired and is listed under expired, not open', async () => {
  const loanId = newLoan();
  const past = task(loanId, -3, -1);
  const live = task(loanId);
  await repo.createTask(past);
  await repo.createTask(live);
  expect((await repo.getTask(past.id))?.status).toBe('expired');
  const ids = async (status: 'open' | 'expired') =>
    (await repo.listTasks({ status, loanId, limit: 10 })).items.map((t) => t.id);
  expect(await ids('open')).toEqual([live.id]);
  expect(await ids('expired')).toEqual([past.id]);
});

test('callableAt lists only open tasks whose window holds that instant, bounds included at the start only', async () => {
  const loanId = newLoan();
  const base = Date.parse('2031-05-06T00:00:00Z');
  const mk = (id: string, from: number, to: number) =>
    repo.createTask({
      ...task(loanId),
      id,
      notBefore: at(base + from * HOUR),
      notAfter: at(base + to * HOUR),
    });
  const a = `ct_a_${randomUUID()}`;
  const b = `ct_b_${randomUUID()}`;
  const c = `ct_c_${randomUUID()}`;
  await mk(a, 0, 12); // 08:00–20:00 Shanghai
  await mk(b, 2, 12);
  await mk(c, 24, 36); // the next day
  const callable = async (ms: number) =>
    (await repo.listTasks({ loanId, callableAt: new Date(ms), limit: 10 })).items.map((t) => t.id).sort();
  expect(await callable(base - 1)).toEqual([]);
  expect(await callable(base)).toEqual([a]);
  expect(await callable(base + 2 * HOUR)).toEqual([a, b].sort());
  expect(await callable(base + 12 * HOUR)).toEqual([]); // notAfter is exclusive
  expect(await callable(base + 25 * HOUR)).toEqual([c]);
  // A task done inside its window is no longer callable.
  await repo.recordOutcome(a, { outcome: 'reached', collectorId: 'key_c1', at: at(base + HOUR) });
  expect(await callable(base + 2 * HOUR)).toEqual([b]);
});

test('listing pages by window closing first with a cursor; a forged cursor names the field', async () => {
  const loanId = newLoan();
  const made = [];
  for (let i = 0; i < 5; i++) {
    const t = task(loanId, -1, 1 + i);
    made.push(t.id);
    await repo.createTask(t);
  }
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 5; pages++) {
    const page = await repo.listTasks({ loanId, limit: 2, ...(cursor ? { cursor } : {}) });
    seen.push(...page.items.map((t) => t.id));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  expect(seen).toEqual(made);
  await expect(repo.listTasks({ loanId, limit: 2, cursor: 'not-a-cursor' })).rejects.toMatchObject({
    field: 'cursor',
  });
});

test('recordOutcome records once, answers duplicate for the same report, not_open for another, and logs the call', async () => {
  const t = task(newLoan());
  await repo.createTask(t);
  const report = {
    outcome: 'promise_to_pay',
    collectorId: 'key_c1',
    note: 'will pay Friday',
    at: at(Date.now()),
  };
  expect(await repo.recordOutcome(t.id, report)).toBe('recorded');
  expect(await repo.recordOutcome(t.id, { ...report, at: at(Date.now() + 1000) })).toBe('duplicate');
  expect(await repo.recordOutcome(t.id, { ...report, outcome: 'refused' })).toBe('not_open');
  expect(await repo.recordOutcome(t.id, { ...report, collectorId: 'key_c2' })).toBe('not_open');
  expect(await repo.recordOutcome(`ct_${randomUUID()}`, report)).toBe('not_found');
  expect(await repo.getTask(t.id)).toMatchObject({
    status: 'done',
    outcome: 'promise_to_pay',
    collectorId: 'key_c1',
    note: 'will pay Friday',
    outcomeAt: report.at,
  });
  const contacts = await repo.contacts(t.loanId);
  expect(contacts).toHaveLength(1);
  expect(contacts[0]).toMatchObject({
    id: `${t.loanId}:call:${t.id}`,
    channel: 'call',
    outcome: 'promise_to_pay',
    bucket: 'M2',
    dpd: 35,
    taskId: t.id,
  });
});

test("recordOutcome refuses a call before or after the task's window, writing nothing", async () => {
  const loanId = newLoan();
  const later = task(loanId, 1, 3);
  const past = task(loanId, -3, -1);
  await repo.createTask(later);
  await repo.createTask(past);
  const report = { outcome: 'reached', collectorId: 'key_c1', at: at(Date.now()) };
  expect(await repo.recordOutcome(later.id, report)).toBe('not_open');
  expect(await repo.recordOutcome(past.id, report)).toBe('not_open');
  expect((await repo.getTask(later.id))?.status).toBe('open');
  expect(await repo.contacts(loanId)).toEqual([]);
});

test('closeOpenTasks cancels the open tasks of one loan only, expires those past their window, and is idempotent', async () => {
  const loanId = newLoan();
  const other = task(newLoan());
  const open = task(loanId);
  const past = task(loanId, -3, -1);
  const done = task(loanId);
  for (const t of [other, open, past, done]) await repo.createTask(t);
  await repo.recordOutcome(done.id, { outcome: 'no_answer', collectorId: 'key_c1', at: at(Date.now()) });
  expect(await repo.closeOpenTasks(loanId, 'cured')).toBe(2);
  expect(await repo.closeOpenTasks(loanId, 'cured')).toBe(0);
  expect(await repo.getTask(open.id)).toMatchObject({ status: 'cancelled', closeReason: 'cured' });
  expect(await repo.getTask(past.id)).toMatchObject({ status: 'expired', closeReason: 'cured' });
  expect((await repo.getTask(done.id))?.status).toBe('done');
  expect((await repo.getTask(other.id))?.status).toBe('open');
  expect((await repo.listTasks({ loanId, status: 'cancelled', limit: 10 })).items.map((t) => t.id)).toEqual([
    open.id,
  ]);
  expect(
    await repo.recordOutcome(open.id, { outcome: 'reached', collectorId: 'key_c1', at: at(Date.now()) }),
  ).toBe('not_open');
});

test('logContact is idempotent by id and contacts come back in time order with local date and time', async () => {
  const loanId = newLoan();
  const sms = {
    id: `${loanId}:collection:2031-05-01:sms-d1`,
    loanId,
    channel: 'sms' as const,
    at: '2031-05-02T02:00:00.000Z',
    localDate: '2031-05-02',
    localTime: '10:00',
    bucket: 'M1',
    dpd: 1,
    outcome: 'sent',
  };
  const agency = {
    ...sms,
    id: `${loanId}:collection:2031-05-01:agency`,
    channel: 'agency' as const,
    at: '2031-04-30T02:00:00.000Z',
    localDate: '2031-04-30',
    outcome: 'AG-123',
    taskId: 'ct_x',
  };
  await repo.logContact(sms);
  await repo.logContact({ ...sms, outcome: 'failed' });
  await repo.logContact(agency);
  expect(await repo.contacts(loanId)).toEqual([
    { ...agency, taskId: 'ct_x' },
    { ...sms, taskId: null },
  ]);
  expect(await repo.contacts(newLoan())).toEqual([]);
});

test('the tables refuse what the rules forbid: an empty window, an unknown channel, a time that is not HH:MM', async () => {
  const t = task(newLoan());
  await expect(repo.createTask({ ...t, notAfter: t.notBefore })).rejects.toThrow(/check/);
  const c = {
    id: `c_${randomUUID()}`,
    loanId: t.loanId,
    channel: 'sms' as const,
    at: at(Date.now()),
    localDate: '2031-05-02',
    localTime: '10:00',
    bucket: 'M1',
    dpd: 1,
    outcome: 'sent',
  };
  await expect(repo.logContact({ ...c, channel: 'email' as 'sms' })).rejects.toThrow(/check/);
  await expect(repo.logContact({ ...c, localTime: '25:00' })).rejects.toThrow(/check/);
});
