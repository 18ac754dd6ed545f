import { isLate, isSettled, type LoanBook, type LoanStatus, type ServicingCalendar } from './loan';

/**
 * The loan's main loop as a decision: given what the loan is and what happened since the last turn,
 * what it does next. workflows/loan.ts carries the answer out (activities, timers, continue-as-new)
 * and asks again; the transitions themselves are the bookings of domain/loan.ts and its neighbours.
 *
 * ```text
 * disbursing ─payout─▶ active ⇄ delinquent ─write-off day─▶ written_off ─recovery window─▶ (done)
 *      │                  └───────────┴──nothing owed──▶ closed ─late-receipt window─▶ (done)
 *      └─refused─▶ disbursement_failed
 * ```
 */

/** A serviced loan's status follows its book: settled is closed, any installment past grace is delinquent. */
export function statusOfBook(
  status: LoanStatus,
  book: LoanBook | null,
  cal: ServicingCalendar,
  watermark: number,
): LoanStatus {
  if (!book || (status !== 'active' && status !== 'delinquent')) return status;
  if (isSettled(book)) return 'closed';
  return book.installments.some((i) => isLate(i, cal, watermark)) ? 'delinquent' : 'active';
}

/** What the loop knows at the start of a turn, the book's status already brought up to date. */
export interface LoanTurn {
  status: LoanStatus;
  /** Something was booked, received or asked since the last save. */
  changed: boolean;
  /** The run's history is long enough to hand over to a fresh run. */
  historyLong: boolean;
  /**
   * The run has served its share of due days (a year by default): handing over on that business
   * boundary bounds what a replay reads, however old the loan.
   */
  runServed: boolean;
  /** The oldest debit collection asked for and the loan has not tried yet. */
  pendingRetry: string | undefined;
  /** For a written-off loan: the instant (epoch ms) its recovery window ends. */
  recoveryEnd: number | undefined;
  now: number;
}

export type LoanAction<Step> =
  | { kind: 'close' }
  /** Tell collection, the line and the bureau, then save the read model with the books. */
  | { kind: 'save' }
  | { kind: 'continue_as_new' }
  | { kind: 'retry_debit'; retryId: string }
  /** Written off: keep taking recoveries until the window ends, waking for each. */
  | { kind: 'await_recoveries'; until: number }
  /** The workflow has nothing left to do and completes. */
  | { kind: 'complete' }
  /** Nothing is scheduled: sleep until something happens. */
  | { kind: 'await_change' }
  /** Sleep until the step's instant (or something happens first), then perform it. */
  | { kind: 'step'; step: Step };

/**
 * One turn of the loop, in order of precedence: a settled loan closes; a change is saved before
 * anything else is done, so no step runs on an unsaved book; a long history or a served run hands over
 * only when everything is saved; a debit collection asked for goes before the agenda; a written-off loan has no
 * agenda, only its recovery window. `nextStep` is asked only when the agenda decides, because working
 * it out is the costliest part of a turn.
 */
export function nextLoanAction<Step>(turn: LoanTurn, nextStep: () => Step | null): LoanAction<Step> {
  if (turn.status === 'closed') return { kind: 'close' };
  if (turn.changed) return { kind: 'save' };
  if (turn.historyLong || turn.runServed) return { kind: 'continue_as_new' };
  if (turn.pendingRetry !== undefined) return { kind: 'retry_debit', retryId: turn.pendingRetry };
  if (turn.status === 'written_off') {
    const until = turn.recoveryEnd ?? turn.now;
    return until > turn.now ? { kind: 'await_recoveries', until } : { kind: 'complete' };
  }
  const step = nextStep();
  return step === null ? { kind: 'await_change' } : { kind: 'step', step };
}
