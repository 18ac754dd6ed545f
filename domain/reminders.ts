import { type LoanBook, nextContactOpening, openOf, reminderAt, type ServicingCalendar } from './loan';

/**
 * Reminders handed to the gateway ahead of time: the gateway holds each until its instant, so the loan
 * needs no wake of its own for them, and a worker outage at that hour delays nothing. The loan hands
 * over one reminder at a time, the next one ahead, and withdraws one whose installment was paid or
 * moved before it went out.
 */
export interface GatewayReminder {
  seq: number;
  /** The due date the message names; an extension that moves it makes the message wrong. */
  dueDate: string;
  /** Epoch ms the gateway delivers it, inside the borrower's contact hours. */
  deliverAt: number;
  /** The gateway refused it: nothing is held, nothing to withdraw. */
  refused?: boolean;
}

/** When an installment's reminder goes out: its day and time, or the next opening of contact hours. */
export function reminderInstant(dueDate: string, cal: ServicingCalendar): number {
  return nextContactOpening(reminderAt(dueDate, cal), cal.timeZone);
}

/** The gateway's idempotency key: per due date, so a reminder withdrawn for a moved date can be handed over anew. */
export const reminderKey = (loanId: string, r: Pick<GatewayReminder, 'seq' | 'dueDate'>): string =>
  `${loanId}:reminder:${r.seq}:${r.dueDate}`;

/**
 * The reminder to hand over now, if any: the earliest installment still owing whose reminder is ahead
 * of `now`, unless the gateway already holds it for that due date.
 */
export function reminderToHandOver(
  book: LoanBook,
  cal: ServicingCalendar,
  held: readonly GatewayReminder[],
  now: number,
): GatewayReminder | null {
  for (const i of book.installments) {
    if (openOf(i) === 0) continue;
    const deliverAt = reminderInstant(i.dueDate, cal);
    if (deliverAt <= now) continue;
    return held.some((r) => r.seq === i.seq && r.dueDate === i.dueDate)
      ? null
      : { seq: i.seq, dueDate: i.dueDate, deliverAt };
  }
  return null;
}

/**
 * Held reminders to withdraw before they go out: every one when the loan is out of service (closed or
 * written off), else those whose installment is paid or whose due date moved.
 */
export function remindersToWithdraw(
  book: LoanBook,
  held: readonly GatewayReminder[],
  inService: boolean,
  now: number,
): GatewayReminder[] {
  return held.filter((r) => {
    if (r.deliverAt <= now || r.refused) return false;
    if (!inService) return true;
    const i = book.installments.find((x) => x.seq === r.seq);
    return !i || openOf(i) === 0 || i.dueDate !== r.dueDate;
  });
}

/** What the loan still holds as pending: delivered ones (their instant passed) drop off. */
export const stillHeld = (held: readonly GatewayReminder[], now: number): GatewayReminder[] =>
  held.filter((r) => r.deliverAt > now);
