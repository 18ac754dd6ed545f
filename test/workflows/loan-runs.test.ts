import type { WorkflowHandle } from '@temporalio/client';
import { addDays } from '../../domain/localdate';
import type { LoanView } from '../../contracts/loan';
import { DEFAULT_SETTINGS } from '../../workflows/loan-context';
import { loanHarness } from '../support/loan-harness';

// A loan hands over to a fresh run each year of due days (patch `continue-each-year`), so a replay
// after the worker's cache lost it reads a year of history at most, however old the loan.
const h = loanHarness('test-loan-runs');
beforeAll(() => h.setUp());
afterAll(() => h.tearDown());

const paid = (v: LoanView) => v.installments.filter((i) => i.status === 'paid').length;
type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type HistoryEvent = NonNullable<History['events']>[number];

/** The activity type a local activity's marker records (the SDK writes it in clear), or undefined. */
function localActivityOf(e: HistoryEvent): string | undefined {
  const m = e.markerRecordedEventAttributes;
  const data = m?.markerName === 'core_local_activity' ? m.details?.data?.payloads?.[0]?.data : undefined;
  return data
    ? (JSON.parse(Buffer.from(data).toString()) as { activity_type?: string }).activity_type
    : undefined;
}

test('a 24-month loan continues as new after its 12th due day, carries its state and closes in its second run', async () => {
  expect(DEFAULT_SETTINGS.installmentsPerRun).toBe(12);
  const { input, handle } = await h.start({
    termMonths: 24,
    principal: { amount: 2_400_000, currency: 'CNY' },
  });
  const firstRun = (await handle.describe()).runId;
  const v0 = await h.until(input.loanId, (v) => v.status === 'active');

  await h.sleepUntilLocal(addDays(v0.installments[11]!.dueDate, 1));
  const year = await h.until(input.loanId, (v) => paid(v) === 12, '12 installments paid');
  expect(year.status).toBe('active');
  const first: History = await h.env.client.workflow.getHandle(handle.workflowId, firstRun).fetchHistory();
  const events = first.events ?? [];
  const last = events[events.length - 1];
  expect(last?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
  // The first run served twelve due days: twelve debits, and nothing of the second year.
  const debits = events.filter((e) => localActivityOf(e) === 'collectAutopay');
  expect(debits).toHaveLength(12);

  const done = await handle.result();
  expect(done.status).toBe('closed');
  expect(paid(done)).toBe(24);
  expect(done.payments).toHaveLength(24);
  expect(done.autopayAttempts.map((a) => a.seq)).toEqual(v0.installments.map((i) => i.seq));
  expect((await handle.describe()).runId).not.toBe(firstRun);
  await h.checkBooks(input.loanId);
});
