/**
 * Day counts, and which rate applies to which period.
 *
 * Full periods — a due date exactly one schedule period after the previous one — use the nominal
 * periodic rate: annual × months / 12 for month-based periods (annual / 12 monthly), annual / 52 per
 * week, annual × days / year basis for day-based periods. That is how lenders publish figures (5,307.27 a
 * month on 1,000,000.00 at 4.9% over 30 years), and a 28-day February costs the same as a 31-day March.
 *
 * Broken periods — an odd first period up to a chosen first due date, accrual up to a payoff or prepayment
 * date, revolving balances — use the daily rate by the day count: annual × days / 360 (ACT/360, the usual
 * CNY daily rate), annual × days / 365 (ACT/365 fixed: a leap year does not change the divisor), or
 * annual × 30/360-days / 360 (30/360 bond basis, ISDA 2006 4.16(f): a start on the 31st counts as the
 * 30th, and so does an end on the 31st when the start is the 30th or 31st; February gets no special case,
 * so the 28th to the 28th of the next month is always 30 days).
 */
import { LocalDate } from '@js-joda/core';
import { DomainError } from './errors';
import { D, type Dec } from './money';

export const DAY_COUNTS = ['ACT/360', 'ACT/365', '30/360'] as const;
export type DayCount = (typeof DAY_COUNTS)[number];

export function parseDayCount(value: unknown, field = 'dayCount'): DayCount {
  if (typeof value === 'string' && (DAY_COUNTS as readonly string[]).includes(value))
    return value as DayCount;
  throw new DomainError(
    field,
    `${field} must be one of ${DAY_COUNTS.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

export function yearBasis(dayCount: DayCount): number {
  return dayCount === 'ACT/365' ? 365 : 360;
}

/** Days from `from` (counted) to `to` (not counted) under the day count; negative if `to` is earlier. */
export function dayCountDays(from: string, to: string, dayCount: DayCount): number {
  const a = LocalDate.parse(from);
  const b = LocalDate.parse(to);
  if (dayCount !== '30/360') return b.toEpochDay() - a.toEpochDay();
  const d1 = Math.min(a.dayOfMonth(), 30);
  const d2 = d1 === 30 && b.dayOfMonth() === 31 ? 30 : b.dayOfMonth();
  return 360 * (b.year() - a.year()) + 30 * (b.monthValue() - a.monthValue()) + (d2 - d1);
}

const SAFE = Number.MAX_SAFE_INTEGER;
const gcd = (a: bigint, b: bigint): bigint => {
  while (b !== 0n) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
};

/**
 * A non-negative rate for one period held as an exact fraction, so interest on an integer balance can be
 * rounded half-up exactly (ties included) without Decimal in the per-installment loop. Internal working
 * value, never part of a payload.
 */
export class Rate {
  private readonly n: number;
  private readonly d: number;
  private readonly fast: boolean;

  private constructor(
    readonly num: bigint,
    readonly den: bigint,
  ) {
    this.n = Number(num);
    this.d = Number(den);
    this.fast = num <= BigInt(SAFE) && den <= BigInt(SAFE);
  }

  static of(num: bigint, den: bigint): Rate {
    if (den <= 0n || num < 0n)
      throw new RangeError('rate fraction must be non-negative with a positive denominator');
    const g = num === 0n ? den : gcd(num, den);
    return new Rate(num / g, den / g);
  }

  static fromDecimal(value: Dec): Rate {
    // Decimal#toFraction is exact but slow; a finite decimal's digits already are the fraction.
    const [whole, frac = ''] = value.toFixed().split('.');
    return Rate.of(BigInt(whole! + frac), 10n ** BigInt(frac.length));
  }

  /** The rate scaled by n/d (annual → monthly is `times(1, 12)`). */
  times(n: number | bigint, d: number | bigint): Rate {
    return Rate.of(this.num * BigInt(n), this.den * BigInt(d));
  }

  plus(other: Rate): Rate {
    return Rate.of(this.num * other.den + other.num * this.den, this.den * other.den);
  }

  equals(other: Rate): boolean {
    return this.num === other.num && this.den === other.den;
  }

  isZero(): boolean {
    return this.num === 0n;
  }

  toNumber(): number {
    return this.n / this.d;
  }

  toDecimal(): Dec {
    return new D(this.num.toString()).dividedBy(this.den.toString());
  }

  /** Interest on `balance` minor units for this period, rounded half-up once. */
  on(balance: number): number {
    if (this.fast) {
      const p = balance * this.n;
      if (p <= SAFE) {
        // Integer quotient and remainder stay exact below 2^53; the float division is only a first guess.
        let q = Math.floor(p / this.d);
        let r = p - q * this.d;
        if (r < 0) {
          q -= 1;
          r += this.d;
        } else if (r >= this.d) {
          q += 1;
          r -= this.d;
        }
        return 2 * r >= this.d ? q + 1 : q;
      }
    }
    const p = BigInt(balance) * this.num;
    return Number((2n * p + this.den) / (2n * this.den));
  }
}

/** The rate for a broken period: annual × days / basis under the day count. */
export function brokenPeriodRate(annual: Rate, from: string, to: string, dayCount: DayCount): Rate {
  const days = dayCountDays(from, to, dayCount);
  if (days < 0) throw new RangeError(`broken period runs backwards: ${from} → ${to}`);
  return annual.times(days, yearBasis(dayCount));
}

/** Interest on a balance between two dates at the daily rate of the day count, rounded half-up once. */
export function accrue(
  balance: number,
  annualRate: Dec | string,
  from: string,
  to: string,
  dayCount: DayCount,
): number {
  return brokenPeriodRate(Rate.fromDecimal(new D(annualRate)), from, to, dayCount).on(balance);
}
