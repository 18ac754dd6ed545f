import { type DelinquencyChange, type DelinquencyPolicy, nextDelinquencyEvent } from './delinquency';
import { addDays, instantOfLocal, localDateAt } from './localdate';
import { type AgendaStep, agendaOf, isLate, type LoanBook, openOf, type ServicingCalendar } from './loan';

/**
 * The servicing agenda once late charges and collection exist: reminders and autopay attempts as
 * before, plus the delinquency thresholds of domain/delinquency (grace end, each bucket boundary,
 * write-off) and month ends, when penalty interest is posted for the books. A late loan wakes only at
 * these instants: no daily polling.
 */
export type ServicingStep =
  | Exclude<AgendaStep, { kind: 'bucket' }>
  | { seq: number; kind: 'delinquency'; date: string; changes: DelinquencyChange[]; at: number }
  | { seq: number; kind: 'month_end'; date: string; at: number };

export function nextServicingStep(
  book: LoanBook,
  cal: ServicingCalendar,
  policy: DelinquencyPolicy,
  after: number,
): ServicingStep | null {
  let best: ServicingStep | null = delinquencyStep(book, cal, policy, after);
  for (const i of book.installments) {
    if (openOf(i) === 0) continue;
    // Installments run in due-date order and a reminder never precedes the previous due day's attempts.
    if (best && addDays(i.dueDate, -cal.reminderDaysBefore) > localDateAt(best.at, cal.timeZone)) break;
    for (const step of agendaOf(i, cal)) {
      if (step.kind === 'bucket') continue;
      if (step.at > after && (!best || step.at < best.at)) best = step;
    }
  }
  return best;
}

function delinquencyStep(
  book: LoanBook,
  cal: ServicingCalendar,
  policy: DelinquencyPolicy,
  after: number,
): ServicingStep | null {
  const oldest = book.installments.find((i) => openOf(i) > 0);
  if (!oldest || !isLate(oldest, cal, after)) return null;
  const today = localDateAt(after, cal.timeZone);
  const installments = book.installments.map((i) => ({
    seq: i.seq,
    dueDate: i.dueDate,
    outstanding: openOf(i),
  }));
  const event = nextDelinquencyEvent({ installments }, today, policy);
  const monthEnd = firstOfNextMonth(today);
  if (event && event.date <= monthEnd) {
    const at = instantOfLocal(event.date, '00:00', cal.timeZone);
    return { seq: oldest.seq, kind: 'delinquency', date: event.date, changes: event.changes, at };
  }
  return {
    seq: oldest.seq,
    kind: 'month_end',
    date: monthEnd,
    at: instantOfLocal(monthEnd, '00:00', cal.timeZone),
  };
}

/** Penalty for a month is posted as the next one begins, so each month's books carry their own. */
export function firstOfNextMonth(date: string): string {
  const [y, m] = date.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
}
