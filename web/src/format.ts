import { locale } from './i18n';

export interface Money {
  amount: number;
  currency: string;
}

const currencyFormat = (currency: string) => new Intl.NumberFormat(locale(), { style: 'currency', currency });
const minorDigits = (f: Intl.NumberFormat) => f.resolvedOptions().maximumFractionDigits ?? 2;

/** Minor units to major, with the currency's own number of decimals. */
export function money(m: Money | null | undefined): string {
  if (!m) return '—';
  const f = currencyFormat(m.currency);
  return f.format(m.amount / 10 ** minorDigits(f));
}

/** The amount in major units, as a number a chart can scale. */
export const major = (m: Money): number => m.amount / 10 ** minorDigits(currencyFormat(m.currency));

/** A date of the borrower's calendar, already local: formatted as it stands, never shifted by a zone. */
export function localDate(date: string): string {
  const f = new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeZone: 'UTC' });
  return f.format(new Date(`${date}T00:00:00Z`));
}

/** An instant in the borrower's zone, with the zone named so nobody guesses. */
export function dateTime(iso: string, timeZone?: string): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName, so the fields are spelled out.
  const f = new Intl.DateTimeFormat(locale(), {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    ...(timeZone ? { timeZone } : {}),
  });
  return f.format(new Date(iso));
}

/** Signed: negative once the deadline has passed. */
export function timeLeft(dueAt: string, now = Date.now()): { text: string; overdue: boolean } {
  const ms = Date.parse(dueAt) - now;
  const mins = Math.floor(Math.abs(ms) / 60_000);
  const text =
    mins >= 60 * 24
      ? `${Math.floor(mins / 1440)} d ${Math.floor((mins % 1440) / 60)} h`
      : `${Math.floor(mins / 60)} h ${mins % 60} min`;
  return { text, overdue: ms < 0 };
}
