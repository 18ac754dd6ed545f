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

/** Parses a rate given as a decimal string ("0.049"); refuses "abc", NaN, negatives. */
export function parseRate(text: string | number, field: string): Dec {
  const s = typeof text === 'number' ? String(text) : text.trim();
  if (!/^\d+(\.\d+)?([eE]-?\d+)?$/.test(s)) {
    throw new DomainError(
      field,
      `${field} must be a non-negative decimal string such as "0.049", got "${s}"`,
    );
  }
  return new D(s);
}
