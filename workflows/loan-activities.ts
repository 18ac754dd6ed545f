import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { LoanActivities } from '../activities/loan';
import { retry, untilDone } from './retry-policies';
import { providerActivities } from './task-queues';

// How the loan calls out: each kind of call with the timeouts and retries its effect can bear.

export const checks = proxyActivities<LoanActivities>({
  startToCloseTimeout: '30 seconds',
  retry,
  summary: 'pre-disbursement check',
});

/**
 * Payouts go through the bank's own task queue (workflows/task-queues.ts), under the rate the bank
 * accepts from all workers together. One whose outcome is unknown is asked again with the same key
 * until the bank answers: giving up could only pay twice or free a limit still in use. The activity
 * heartbeats while the bank holds the call (activities/heartbeat.ts), so a dead worker's payout is
 * retried in seconds. Built inside the run: the queue is named after the run's own.
 */
export const payouts = (summary: string) =>
  providerActivities<LoanActivities>('bank', {
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '10 seconds',
    retry: untilDone,
    summary,
  });

/**
 * A debit is asked under its slot's key until the bank answers, like a payout, and as a server
 * activity: its amount is in the history before the bank is called. A local activity calls the bank
 * before anything is recorded, so after a crash the next task (later, with more charges due) asked
 * again under the same key for another amount, and the first debit went unbooked.
 */
export const debits = () =>
  providerActivities<LoanActivities>('bank', {
    startToCloseTimeout: '30 seconds',
    retry: untilDone,
    summary: 'autopay debit',
  });

/**
 * A debit inside the workflow's own task, asked until the bank answers: one history event instead of
 * an activity's three and the task that follows them. A crashed task may ask again under the same key
 * for another amount; the activity answers with the bank's record of the first (activities/loan.ts
 * collectAutopay), so what is booked is what the bank took.
 */
export const debitsInTask = proxyLocalActivities<LoanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: untilDone,
  summary: 'autopay debit',
});

/** Calls made many times in a loan's life, short and idempotent by key, whose repeat with other inputs moves no money: as local activities each costs one history event. */
export const provider = proxyLocalActivities<LoanActivities>({ startToCloseTimeout: '30 seconds', retry });

/** The books must catch up eventually; a database outage is waited out, never turned into a failed loan. */
export const books = proxyLocalActivities<LoanActivities>({
  startToCloseTimeout: '30 seconds',
  retry: untilDone,
});
