import { DomainError } from './errors';
import { addDays, toLocalDate } from './localdate';

/**
 * Promise to pay (PTP): the borrower names a date and an amount, and escalation pauses until the
 * promise is kept or broken. A promise is judged by money that arrives after it was made
 * (`receivedAtPromise` is the loan's received total at that moment), so a payment made last week
 * cannot keep a promise made today.
 */

export interface PromisePolicy {
  /** Days after the promised date the money may still arrive (bank transfers take a day or two). */
  graceDays: number;
  /** How far ahead a promise may be dated: a promise months out is a request for forbearance. */
  maxDays: number;
}

export type PromiseStatus = 'open' | 'kept' | 'broken';

export interface PromiseToPay {
  id: string;
  date: string;
  /** Minor units. */
  amount: number;
  status: PromiseStatus;
  /** The loan's total received when the promise was made, minor units. */
  receivedAtPromise: number;
  /** Local date the promise was found kept, or the day after its deadline when broken. */
  resolvedOn?: string;
}

export function checkPromise(
  req: { date: string; amount: number },
  ctx: { today: string; outstanding: number; open: boolean },
  policy: PromisePolicy,
): void {
  // One promise at a time: a second would let a collector stack pauses and escalation would never resume.
  if (ctx.open) throw new DomainError('promise', 'another promise to pay is still open', 'promise_open');
  toLocalDate(req.date, 'date');
  const latest = addDays(ctx.today, policy.maxDays);
  if (req.date < ctx.today || req.date > latest) {
    throw new DomainError(
      'date',
      `date must be from ${ctx.today} to ${latest} (at most ${policy.maxDays} days ahead)`,
      'date_out_of_range',
    );
  }
  if (!Number.isSafeInteger(req.amount) || req.amount <= 0) {
    throw new DomainError('amount.amount', 'amount must be a positive integer number of minor units');
  }
  if (req.amount > ctx.outstanding) {
    throw new DomainError(
      'amount.amount',
      `amount must not exceed what is owed (${ctx.outstanding})`,
      'amount_above_outstanding',
    );
  }
}

/** The last local date on which the promise may still be kept. */
export function promiseDeadline(p: { date: string }, policy: PromisePolicy): string {
  return addDays(p.date, policy.graceDays);
}

/**
 * Kept when what arrived since the promise covers it, or when nothing is overdue any more: a
 * borrower who cured the loan by other means has done more than promised. Broken only once the
 * deadline has passed, so a late-arriving transfer within grace still counts.
 */
export function resolvePromise(
  p: PromiseToPay,
  ctx: { today: string; receivedTotal: number; overdue: number },
  policy: PromisePolicy,
): PromiseToPay {
  if (p.status !== 'open') return p;
  toLocalDate(ctx.today, 'today');
  if (ctx.receivedTotal - p.receivedAtPromise >= p.amount || ctx.overdue <= 0) {
    return { ...p, status: 'kept', resolvedOn: ctx.today };
  }
  const deadline = promiseDeadline(p, policy);
  if (ctx.today > deadline) return { ...p, status: 'broken', resolvedOn: addDays(deadline, 1) };
  return p;
}
