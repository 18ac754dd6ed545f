import fc from 'fast-check';
import { LocalDate } from '@js-joda/core';
import {
  addPeriods,
  checkFirstDueDate,
  dueDates,
  MONTHLY,
  parseIsoDate,
  parsePeriod,
  periodsPerYear,
} from '../../domain/calendar';
import { expectDomainError, isoDate } from './_a-helpers';

describe('ISO dates', () => {
  it('accepts real dates, leap days included', () => {
    expect(parseIsoDate('2024-02-29', 'startDate')).toBe('2024-02-29');
  });

  it.each([
    '2023-02-29',
    '2026-13-01',
    '2026-04-31',
    '2026-1-5',
    '20260105',
    '',
    'tomorrow',
    '1899-12-31',
    '3000-01-01',
  ])('refuses %p naming the field', (bad) => {
    expectDomainError(() => parseIsoDate(bad, 'startDate'), 'startDate');
  });

  it('refuses non-strings', () => {
    expectDomainError(() => parseIsoDate(20260115, 'firstDueDate'), 'firstDueDate');
    expectDomainError(() => parseIsoDate(undefined, 'startDate'), 'startDate');
  });
});

describe('periods', () => {
  it.each([
    ['P1M', 'month', 1],
    ['P3M', 'month', 3],
    ['P1Y', 'month', 12],
    ['P1Y6M', 'month', 18],
    ['P1W', 'week', 1],
    ['P2W', 'week', 2],
    ['P10D', 'day', 10],
    ['P1W3D', 'day', 10],
  ])('parses %s', (text, unit, count) => {
    expect(parsePeriod(text)).toEqual({ unit, count, text });
  });

  it.each(['P', 'P0M', 'P0D', 'P0W', 'PT1H', 'P1M10D', '1M', 'p1m', 'P-1M', 'P1.5M', 'P121M', 'P9999D'])(
    'refuses %p',
    (bad) => {
      expectDomainError(() => parsePeriod(bad), 'period');
    },
  );

  it('annualises monthly 12, quarterly 4, weekly 52, biweekly 26, daily by the day count', () => {
    const ppy = (p: string, dc: 'ACT/360' | 'ACT/365' = 'ACT/360') => {
      const [n, d] = periodsPerYear(parsePeriod(p), dc);
      return n / d;
    };
    expect([ppy('P1M'), ppy('P3M'), ppy('P1W'), ppy('P2W'), ppy('P10D'), ppy('P10D', 'ACT/365')]).toEqual([
      12, 4, 52, 26, 36, 36.5,
    ]);
  });
});

describe('due dates', () => {
  it('keeps a 31st start on the month end of shorter months and back on the 31st', () => {
    expect(dueDates('2026-01-31', MONTHLY, 6)).toEqual([
      '2026-02-28',
      '2026-03-31',
      '2026-04-30',
      '2026-05-31',
      '2026-06-30',
      '2026-07-31',
    ]);
    expect(dueDates('2023-12-31', MONTHLY, 3)).toEqual(['2024-01-31', '2024-02-29', '2024-03-31']);
  });

  it('handles starts on the 29th and 30th across February, leap or not', () => {
    expect(dueDates('2024-01-29', MONTHLY, 3)).toEqual(['2024-02-29', '2024-03-29', '2024-04-29']);
    expect(dueDates('2025-01-29', MONTHLY, 3)).toEqual(['2025-02-28', '2025-03-29', '2025-04-29']);
    expect(dueDates('2025-12-30', MONTHLY, 3)).toEqual(['2026-01-30', '2026-02-28', '2026-03-30']);
  });

  it('keeps a 29 February start on the 29th, and on the 28th in common-year Februaries', () => {
    const dates = dueDates('2024-02-29', MONTHLY, 48);
    expect(dates[11]).toBe('2025-02-28');
    expect(dates[47]).toBe('2028-02-29');
    expect(dates.filter((d) => d.endsWith('-29')).length).toBe(45);
  });

  it('agrees with js-joda for months, weeks and days from any anchor', () => {
    fc.assert(
      fc.property(
        isoDate,
        fc.integer({ min: 0, max: 1200 }),
        fc.constantFrom('P1M', 'P2M', 'P3M', 'P1Y', 'P1W', 'P2W', 'P10D'),
        (anchor, k, text) => {
          const p = parsePeriod(text);
          const a = LocalDate.parse(anchor);
          const expected =
            p.unit === 'month'
              ? a.plusMonths(p.count * k)
              : a.plusDays((p.unit === 'week' ? 7 : 1) * p.count * k);
          expect(addPeriods(anchor, p, k)).toBe(expected.toString());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('computes each date from the anchor, never chained', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: 1, max: 60 }), (start, n) => {
        const dates = dueDates(start, MONTHLY, n);
        dates.forEach((d, k) =>
          expect(d).toBe(
            LocalDate.parse(start)
              .plusMonths(k + 1)
              .toString(),
          ),
        );
      }),
    );
  });

  it('anchors later dates on a given first due date', () => {
    expect(dueDates('2026-01-15', MONTHLY, 3, '2026-03-01')).toEqual([
      '2026-03-01',
      '2026-04-01',
      '2026-05-01',
    ]);
    expect(dueDates('2026-01-15', parsePeriod('P2W'), 3, '2026-01-20')).toEqual([
      '2026-01-20',
      '2026-02-03',
      '2026-02-17',
    ]);
  });

  it('accepts a first due date after the start and within two periods', () => {
    expect(() => checkFirstDueDate('2026-01-15', MONTHLY, '2026-01-16')).not.toThrow();
    expect(() => checkFirstDueDate('2026-01-15', MONTHLY, '2026-03-15')).not.toThrow();
    expectDomainError(() => checkFirstDueDate('2026-01-15', MONTHLY, '2026-01-15'), 'firstDueDate');
    expectDomainError(
      () => checkFirstDueDate('2026-01-15', MONTHLY, '2026-03-16'),
      'firstDueDate',
      /2026-03-15/,
    );
  });
});
