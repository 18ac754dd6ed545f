/**
 * Local dates and schedule periods. Dates cross every boundary as ISO 'YYYY-MM-DD' strings (plain JSON for
 * Temporal payloads); js-joda's LocalDate parses and checks them and is the reference for the arithmetic.
 *
 * Month-based due dates are computed from the anchor, never chained: due k = anchor + k months, clamped to
 * the month's last day. A loan started on 31 January falls due on 28/29 February and on 31 March again;
 * chaining (31 Jan → 28 Feb → 28 Mar) would drift. A start on the 28th of February stays on the 28th.
 */
import { LocalDate } from '@js-joda/core';
import { DomainError } from './errors';
import { yearBasis, type DayCount } from './daycount';
import { daysBetween, toLocalDate } from './localdate';

export type IsoDate = string;

/** Years a loan may start in; with at most 100 years of term every due date stays a 4-digit year. */
export const MIN_YEAR = 1900;
export const MAX_YEAR = 2999;

/** A loan's date: a calendar date (domain/localdate.ts `toLocalDate`) in the years a loan may start in. */
export function parseIsoDate(value: unknown, field: string): IsoDate {
  const year = toLocalDate(value as string, field).year();
  if (year < MIN_YEAR || year > MAX_YEAR) {
    throw new DomainError(
      field,
      `${field} must be between ${MIN_YEAR} and ${MAX_YEAR}, got "${String(value)}"`,
    );
  }
  return value as IsoDate;
}

export { daysBetween };

/**
 * A schedule period. Month-based periods (PnM, PnY, PnYnM) keep the month-end rule; week-based ones are
 * nominal weeks (52 a year); day-based ones (PnD, PnWnD) are for sandbox products with short cycles.
 */
export interface Period {
  unit: 'month' | 'week' | 'day';
  count: number;
  text: string;
}

export const MONTHLY: Period = { unit: 'month', count: 1, text: 'P1M' };

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/;
const MAX_PERIOD_MONTHS = 120;
const MAX_PERIOD_DAYS = 3660;

export function parsePeriod(value: unknown, field = 'period'): Period {
  const bad = (why: string) =>
    new DomainError(
      field,
      `${field} must be an ISO-8601 duration such as P1M, P2W or P10D; ${why}, got ${JSON.stringify(value)}`,
    );
  const m = typeof value === 'string' ? DURATION.exec(value) : null;
  if (!m || value === 'P') throw bad('not a date duration');
  const [y, mo, w, d] = m.slice(1).map((g) => (g === undefined ? 0 : Number(g))) as [
    number,
    number,
    number,
    number,
  ];
  const monthBased = m[1] !== undefined || m[2] !== undefined;
  if (monthBased && (m[3] !== undefined || m[4] !== undefined)) throw bad('months and days cannot be mixed');
  if (monthBased) {
    const months = y * 12 + mo;
    if (months < 1 || months > MAX_PERIOD_MONTHS) throw bad(`months must be 1..${MAX_PERIOD_MONTHS}`);
    return { unit: 'month', count: months, text: value as string };
  }
  if (m[4] === undefined) {
    if (w < 1 || w * 7 > MAX_PERIOD_DAYS) throw bad(`weeks must be 1..${Math.floor(MAX_PERIOD_DAYS / 7)}`);
    return { unit: 'week', count: w, text: value as string };
  }
  const days = w * 7 + d;
  if (days < 1 || days > MAX_PERIOD_DAYS) throw bad(`days must be 1..${MAX_PERIOD_DAYS}`);
  return { unit: 'day', count: days, text: value as string };
}

/** Periods per year as a fraction [num, den]: what a periodic rate is multiplied by to annualise it. */
export function periodsPerYear(period: Period, dayCount: DayCount): [number, number] {
  if (period.unit === 'month') return [12, period.count];
  if (period.unit === 'week') return [52, period.count];
  return [yearBasis(dayCount), period.count];
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const TWO_DIGITS = Array.from({ length: 32 }, (_, n) => (n < 10 ? '0' : '') + n);

/**
 * anchor + k periods. Month arithmetic is done by hand because a 360-installment quote would otherwise
 * spend most of its time building LocalDate objects; test/domain/calendar.test.ts holds it to js-joda.
 */
export function addPeriods(anchor: IsoDate, period: Period, k: number): IsoDate {
  return periodDates(anchor, period, k, 1)[0]!;
}

/** anchor + k periods for k = from, from + 1, … (count dates). */
function periodDates(anchor: IsoDate, period: Period, from: number, count: number): IsoDate[] {
  const out = new Array<IsoDate>(count);
  if (period.unit !== 'month') {
    const start = LocalDate.parse(anchor);
    const step = (period.unit === 'week' ? 7 : 1) * period.count;
    for (let k = 0; k < count; k++) out[k] = start.plusDays(step * (from + k)).toString();
    return out;
  }
  const months = Number(anchor.slice(0, 4)) * 12 + Number(anchor.slice(5, 7)) - 1;
  const day = Number(anchor.slice(8, 10));
  for (let k = 0; k < count; k++) {
    const total = months + period.count * (from + k);
    const y = Math.floor(total / 12);
    const m = total - y * 12 + 1;
    const dim = m === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[m - 1]!;
    out[k] = y + '-' + TWO_DIGITS[m]! + '-' + TWO_DIGITS[day < dim ? day : dim]!;
  }
  return out;
}

/**
 * The due dates of `count` periods starting on `startDate`. With a first due date the first period is
 * broken (it may be shorter or longer than one period, at most two) and the later dates are anchored on it.
 */
export function dueDates(
  startDate: IsoDate,
  period: Period,
  count: number,
  firstDueDate?: IsoDate,
): IsoDate[] {
  return firstDueDate === undefined
    ? periodDates(startDate, period, 1, count)
    : periodDates(firstDueDate, period, 0, count);
}

export function checkFirstDueDate(
  startDate: IsoDate,
  period: Period,
  firstDueDate: IsoDate,
  field = 'firstDueDate',
): void {
  const latest = addPeriods(startDate, period, 2);
  if (firstDueDate <= startDate || firstDueDate > latest) {
    throw new DomainError(
      field,
      `${field} must be after startDate ${startDate} and no later than ${latest}, got ${firstDueDate}`,
    );
  }
}
