/**
 * Shared helpers for the schedule/quote tests: a field-checking DomainError assertion, fast-check
 * arbitraries for loan terms, and schedule invariants every method must keep; and every loan status,
 * for the decisions that must answer each.
 */
import fc from 'fast-check';
import { LocalDate } from '@js-joda/core';
import { DomainError } from '../../domain/errors';
import { METHODS, type Installment, type Method } from '../../domain/schedule';
import { type QuoteInput } from '../../domain/quote';
import { DAY_COUNTS } from '../../domain/daycount';
import type { LoanStatus } from '../../domain/loan';

export function expectDomainError(fn: () => unknown, field: string, message?: RegExp): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  if (!(caught instanceof DomainError))
    throw new Error(`expected DomainError on ${field}, got ${String(caught)}`);
  expect(caught.field).toBe(field);
  if (message) expect(caught.message).toMatch(message);
  return caught;
}

/** ISO dates between 2000-01-01 and 2099-12-31, month ends and 29 February well represented. */
export const isoDate = fc.oneof(
  fc
    .integer({ min: LocalDate.of(2000, 1, 1).toEpochDay(), max: LocalDate.of(2099, 12, 31).toEpochDay() })
    .map((d) => LocalDate.ofEpochDay(d).toString()),
  fc
    .record({
      y: fc.integer({ min: 2000, max: 2099 }),
      m: fc.integer({ min: 1, max: 12 }),
      back: fc.integer({ min: 0, max: 3 }),
    })
    .map(({ y, m, back }) => {
      const last = LocalDate.of(y, m, 1).lengthOfMonth();
      return LocalDate.of(y, m, last - back).toString();
    }),
);

/** A decimal rate string from 0 to 0.36 with up to 5 decimals. */
export const rateString = fc.oneof(
  fc.constant('0'),
  fc.integer({ min: 0, max: 36_000 }).map((n) => (n / 100_000).toFixed(5)),
  fc.constantFrom('0.049', '0.06', '0.072', '0.0435', '0.36', '0.1'),
);

export const method: fc.Arbitrary<Method> = fc.constantFrom(...METHODS);

type Range = { min: number; max: number };

/**
 * Monthly terms of any method, rate and start date, with the amount and term count a property can
 * afford; the APR cap is lifted so that no generated rate is refused before the property runs.
 */
export function monthlyTerms(amount: Range, termCount: Range): fc.Arbitrary<QuoteInput> {
  return fc
    .record({
      amount: fc.integer(amount),
      annualRate: rateString,
      termCount: fc.integer(termCount),
      method,
      startDate: isoDate,
    })
    .map((t) => ({ ...t, aprCap: '10' }));
}

/** Spelled out here because the domain names them only as a type. */
export const LOAN_STATUSES: readonly LoanStatus[] = [
  'disbursing',
  'active',
  'delinquent',
  'closed',
  'disbursement_failed',
  'written_off',
];

/** Quote inputs across methods, periods, day counts and broken first periods. */
export const quoteInput: fc.Arbitrary<QuoteInput> = fc
  .record({
    amount: fc.oneof(fc.integer({ min: 1, max: 1_000 }), fc.integer({ min: 1, max: 1e12 })),
    annualRate: rateString,
    termCount: fc.oneof(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 360 })),
    method,
    startDate: isoDate,
    dayCount: fc.constantFrom(...DAY_COUNTS),
    period: fc.constantFrom('P1M', 'P1M', 'P3M', 'P1W', 'P2W', 'P10D'),
    brokenDays: fc.option(fc.integer({ min: 1, max: 55 }), { nil: undefined }),
  })
  .map(({ brokenDays, ...rest }) => {
    const input: QuoteInput = { ...rest, aprCap: '10' };
    if (brokenDays !== undefined && rest.period === 'P1M') {
      input.firstDueDate = LocalDate.parse(rest.startDate).plusDays(brokenDays).toString();
    }
    return input;
  });

/**
 * Invariants of any schedule of `principal`. Checked in plain code and reported once: a property test
 * runs this over hundreds of 360-row schedules, and an expect() per cell would dominate the run.
 */
export function checkSchedule(installments: readonly Installment[], principal: number): void {
  const problems: string[] = [];
  let sum = 0;
  let balance = principal;
  let previousDate = '';
  installments.forEach((i, k) => {
    const at = `installment ${k + 1}`;
    for (const v of [i.principal, i.interest, i.fees, i.total, i.balanceAfter]) {
      if (!Number.isSafeInteger(v) || v < 0) problems.push(`${at}: ${v} is not a non-negative integer`);
    }
    if (i.total !== i.principal + i.interest + i.fees)
      problems.push(`${at}: total ${i.total} is not principal + interest + fees`);
    if (i.status !== 'scheduled') problems.push(`${at}: status ${i.status}`);
    if (!(i.dueDate > previousDate)) problems.push(`${at}: due date ${i.dueDate} not after ${previousDate}`);
    previousDate = i.dueDate;
    balance -= i.principal;
    if (i.balanceAfter !== balance)
      problems.push(`${at}: balanceAfter ${i.balanceAfter}, expected ${balance}`);
    if (k > 0 && i.seq !== installments[k - 1]!.seq + 1) problems.push(`${at}: seq ${i.seq}`);
    sum += i.principal;
  });
  if (installments.length === 0) problems.push('no installments');
  if (sum !== principal) problems.push(`principal sums to ${sum}, not ${principal}`);
  if (installments.length > 0 && installments[installments.length - 1]!.balanceAfter !== 0)
    problems.push('last balanceAfter is not 0');
  expect(problems.slice(0, 5)).toEqual([]);
}
