import { addDays, instantOfLocal, localDateTimeAt, testClockZone } from '../../domain/localdate';
import { loanHarness } from '../support/loan-harness';

/**
 * Timers fire late when no worker runs at their time (a crash, an overnight outage): what they then
 * do must still keep to the borrower's contact hours. On the dev server and a test clock, an outage
 * of a night takes a few seconds of the test.
 */
// Three seconds a day: an hour is 125 ms, so workers back at 00:30 wake the loan well before 08:00.
const MS_PER_DAY = 3_000;
// A stopped worker's sticky queue holds the loan's next task this long before the next worker may
// take it: on a day of a second the default 10 s would be ten days.
const h = loanHarness('test-late-wake', 'dev', { stickyQueueScheduleToStartTimeout: '50 ms' });
beforeAll(() => h.setUp());
afterAll(() => h.tearDown());

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));

test('a reminder is not held up by a worker outage across its hour: the gateway delivers it then, inside contact hours', async () => {
  const zone = testClockZone({ msPerDay: MS_PER_DAY, epochMs: Date.now() });
  const { input } = await h.start({ timeZone: zone });
  const active = await h.until(input.loanId, (v) => v.status === 'active' && v.reminders.length > 0);
  const reminderDay = addDays(active.installments[0]!.dueDate, -3);
  const key = `${input.loanId}:reminder:1:${active.installments[0]!.dueDate}`;

  // Down from 06:00 on the reminder's day (it is due at 10:00) until 00:30 the next night; the next
  // workers are made beforehand, so they poll the moment the outage ends.
  await sleepUntil(instantOfLocal(reminderDay, '06:00', zone));
  await h.stopWorkers();
  await h.createWorkers();
  await sleepUntil(instantOfLocal(addDays(reminderDay, 1), '00:30', zone));
  h.runWorkers();

  const delivered = h.notifier.sent().find((n) => n.idempotencyKey === key)!;
  const at = localDateTimeAt(Date.parse(delivered.sentAt), zone);
  expect([at.date, at.hour]).toEqual([reminderDay, 10]);
  expect(delivered.withdrawnAt).toBeUndefined();
  const v = await h.until(input.loanId, (x) => x.reminders.length > 0);
  expect(v.reminders[0]).toEqual({ seq: 1, at: delivered.sentAt, sent: true });
  await h.finish(input.loanId);
}, 180_000);
