import Decimal from 'decimal.js';
import { DomainError } from './errors';

/**
 * Money is an integer count of minor units (cents, fen) with its currency beside it, as on the wire.
 * Arithmetic on fractions of a minor unit happens in Decimal and is rounded once, half-up, when an
 * amount is posted.
 */
export type Currency = 'CNY' | 'USD' | 'EUR';
export const CURRENCIES: readonly Currency[] = ['CNY', 'USD', 'EUR'];

export interface Money {
  amount: number;
  currency: Currency;
}

/** A decimal clone with enough precision that a 360-period annuity factor loses nothing that matters. */
export const D = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_UP });
export type Dec = InstanceType<typeof D>;

export function money(amount: number, currency: Currency = 'CNY'): Money {
  assertMinor(amount, 'amount');
  return { amount, currency };
}

export function assertMinor(amount: number, field: string): void {
  if (!Number.isSafeInteger(amount)) {
    throw new DomainError(field, `${field} must be an integer number of minor units, got ${String(amount)}`);
  }
}

/** Rounds a decimal amount of minor units half-up to a whole minor unit. */
export function roundMinor(value: Dec | number | string): number {
  return new D(value).toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
}

/** Parses a major-unit string such as "1000000.00" into minor units, refusing anything inexact. */
export function parseMajor(text: string, field: string, decimals = 2): number {
  if (!/^-?\d+(\.\d+)?$/.test(text.trim())) {
    throw new DomainError(field, `${field} must be a decimal number such as 1000.00, got "${text}"`);
  }
  const minor = new D(text.trim()).times(new D(10).pow(decimals));
  if (!minor.isInteger()) {
    throw new DomainError(field, `${field} has more than ${decimals} decimal places: "${text}"`);
  }
  const n = minor.toNumber();
  assertMinor(n, field);
  return n;
}

/** Formats minor units as a major-unit string with a fixed number of decimals ("5307.27"). */
export function formatMajor(minor: number, decimals = 2): string {
  return new D(minor).dividedBy(new D(10).pow(decimals)).toFixed(decimals);
}

/** An amount as people read it in logs, summaries and the Temporal UI: "5307.27 CNY". */
export function formatMoney(m: Money): string {
  return `${formatMajor(m.amount)} ${m.currency}`;
}

/** The largest rate any caller may give (1000% a year); anything above is a typo, not a price. */
export const MAX_RATE = 10;
/**
 * A rate's text, checked before decimal.js sees it: at most 3 integer digits, as many decimals as the
 * working precision keeps after leading zeros (rates derived in the domain, 0.18 / 365, carry 43), and an exponent of
 * at most two digits. An unbounded one is refused because `1e-99999999` builds a 100 MB number.
 */
const RATE_TEXT = /^\d{1,3}(\.\d{1,60})?([eE][-+]?\d{1,2})?$/;

/** Parses a rate given as a decimal string ("0.049"); refuses "abc", NaN, negatives, long exponents, > max. */
export function parseRate(text: string | number, field: string, max: number = MAX_RATE): Dec {
  const bad = (why: string) =>
    new DomainError(
      field,
      `${field} must be a non-negative decimal string such as "0.049" (${why}), got ${JSON.stringify(
        typeof text === 'string' && text.length > 40 ? `${text.slice(0, 40)}…` : text,
      )}`,
    );
  let rate: Dec;
  if (typeof text === 'number') {
    // A JS number is bounded already (17 digits, |exponent| < 400); Decimal takes it as is.
    if (!Number.isFinite(text) || text < 0) throw bad('finite, not negative');
    rate = new D(text);
  } else {
    const s = typeof text === 'string' ? text.trim() : '';
    if (!RATE_TEXT.test(s)) throw bad('at most 60 decimals, no long exponent');
    rate = new D(s);
  }
  if (rate.gt(max)) throw new DomainError(field, `${field} must be at most ${max}, got ${rate.toString()}`);
  return rate;
}
