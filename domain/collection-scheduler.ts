import type { LoanStatus } from './loan';

/**
 * The collection's main loop as decisions; workflows/collection.ts carries them out and the steps
 * themselves come from the strategy table (domain/collection.ts).
 *
 * ```text
 * active ⇄ paused (a promise is open)
 *   └──▶ cured (loan active again) │ settled (closed by a settlement) │ closed │ written_off
 * ```
 */
export type CollectionStatus = 'active' | 'paused' | 'cured' | 'settled' | 'written_off' | 'closed';

/** How the collection ends once the loan it works reports this, or null while the loan is still late. */
export function collectionEndedAs(loan: {
  status: LoanStatus;
  settledBy?: string | null;
}): CollectionStatus | null {
  if (loan.status === 'written_off') return 'written_off';
  if (loan.status === 'closed') return loan.settledBy ? 'settled' : 'closed';
  if (loan.status === 'active') return 'cured';
  return null;
}

/** A promise to pay pauses escalation: the strategy waits until the promise is kept or broken. */
export const collectionStatusWhile = (promiseOpen: boolean): CollectionStatus =>
  promiseOpen ? 'paused' : 'active';

export interface CollectionTurn {
  historyLong: boolean;
  promiseOpen: boolean;
  /** Instant (epoch ms) the open promise is judged; Infinity when none is open. */
  promiseDeadline: number;
  /** Instant (epoch ms) an approved settlement lapses unpaid; Infinity when none is. */
  payBy: number;
}

export type CollectionPlan<Step> =
  | { kind: 'continue_as_new' }
  /**
   * Sleep until `wakeAt` (for ever when Infinity) or until something happens. Once it passes, the
   * step is performed if its instant has come; a deadline that passes only wakes the loop.
   */
  | { kind: 'wait'; wakeAt: number; wakeFor: 'step' | 'deadline'; next: { step: Step; at: number } | null };

/**
 * One turn: hand over a long history first; otherwise the next strategy step, asked only when no
 * promise pauses escalation, and the earliest of its instant, the promise's deadline and the
 * settlement's pay-by day.
 */
export function planCollectionTurn<Step>(
  turn: CollectionTurn,
  nextStep: () => { step: Step; at: number } | null,
): CollectionPlan<Step> {
  if (turn.historyLong) return { kind: 'continue_as_new' };
  const next = turn.promiseOpen ? null : nextStep();
  const at = next ? next.at : Infinity;
  const wakeAt = Math.min(at, turn.promiseDeadline, turn.payBy);
  return { kind: 'wait', wakeAt, wakeFor: next && wakeAt === at ? 'step' : 'deadline', next };
}

/**
 * After the wait: perform the step if its instant has come. A contact whose slot moved past now while
 * the workers were down (its contact hours closed, the day's limit filled) waits for its next slot
 * instead, so no borrower is contacted outside the hours (`contactSlotNow` asks for its slot again;
 * null for a step that contacts no one).
 */
export function dueAfterWait(
  next: { at: number } | null,
  now: number,
  contactSlotNow: (() => number) | null,
): 'perform' | 'late' | 'none' {
  if (!next || next.at > now) return 'none';
  return contactSlotNow !== null && contactSlotNow() > now ? 'late' : 'perform';
}
