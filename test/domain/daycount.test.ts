import fc from 'fast-check';
import Decimal from 'decimal.js';
import {
  accrue,
  brokenPeriodRate,
  dayCountDays,
  parseDayCount,
  Rate,
  yearBasis,
} from '../../domain/daycount';
import { D } from '../../domain/money';
import { expectDomainError, isoDate } from './_a-helpers';

const Wide = Decimal.clone({ precision: 120, rounding: Decimal.ROUND_HALF_UP });

describe('day counts', () => {
  it('counts actual days for ACT/360 and ACT/365, across a leap day', () => {
    expect(dayCountDays('2026-01-15', '2026-02-15', 'ACT/360')).toBe(31);
    expect(dayCountDays('2024-02-28', '2024-03-01', 'ACT/365')).toBe(2);
    expect(dayCountDays('2024-01-01', '2025-01-01', 'ACT/365')).toBe(366);
    expect(dayCountDays('2026-03-01', '2026-02-01', 'ACT/360')).toBe(-28);
  });

  it('counts 30/360 bond basis: the 31st as the 30th, February as it is', () => {
    expect(dayCountDays('2026-01-15', '2026-07-15', '30/360')).toBe(180);
    expect(dayCountDays('2026-01-31', '2026-02-28', '30/360')).toBe(28);
    expect(dayCountDays('2026-02-28', '2026-03-31', '30/360')).toBe(33);
    expect(dayCountDays('2026-02-28', '2026-03-28', '30/360')).toBe(30);
    expect(dayCountDays('2024-02-29', '2024-03-31', '30/360')).toBe(32);
    expect(dayCountDays('2026-03-30', '2026-05-31', '30/360')).toBe(60);
    expect(dayCountDays('2026-03-29', '2026-05-31', '30/360')).toBe(62);
    expect(dayCountDays('2026-01-30', '2026-01-31', '30/360')).toBe(0);
    expect(dayCountDays('2025-12-31', '2026-12-31', '30/360')).toBe(360);
  });

  it('30/360 gives 30 days for any whole month from a day up to the 28th, February included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2000, max: 2090 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        fc.integer({ min: 1, max: 120 }),
        (y, m, d, k) => {
          const from = `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
          const to = new Date(Date.UTC(y, m - 1 + k, d)).toISOString().slice(0, 10);
          expect(dayCountDays(from, to, '30/360')).toBe(30 * k);
        },
      ),
    );
  });

  it('actual days are additive over any split, for both ACT bases', () => {
    fc.assert(
      fc.property(isoDate, isoDate, isoDate, (a, b, c) => {
        const [x, y, z] = [a, b, c].sort();
        expect(dayCountDays(x!, y!, 'ACT/365') + dayCountDays(y!, z!, 'ACT/365')).toBe(
          dayCountDays(x!, z!, 'ACT/360'),
        );
      }),
    );
  });

  it('has a 360- or 365-day year', () => {
    expect(yearBasis('ACT/360')).toBe(360);
    expect(yearBasis('30/360')).toBe(360);
    expect(yearBasis('ACT/365')).toBe(365);
  });

  it('refuses an unknown day count naming the field', () => {
    expectDomainError(() => parseDayCount('ACT/ACT'), 'dayCount', /ACT\/360, ACT\/365, 30\/360/);
    expect(parseDayCount('30/360')).toBe('30/360');
  });
});

describe('Rate', () => {
  it('rounds interest half-up exactly at a tie', () => {
    const monthly = Rate.fromDecimal(new D('0.049')).times(1, 12);
    let tie = 0;
    for (let x = 1; x <= 12_000; x++) if ((49 * x) % 12_000 === 6_000) tie = x;
    expect(tie).toBeGreaterThan(0);
    expect(monthly.on(tie)).toBe((49 * tie + 6_000) / 12_000);
    expect(Rate.of(1n, 2n).on(3)).toBe(2);
    expect(Rate.of(1n, 2n).on(1)).toBe(1);
    expect(Rate.of(0n, 7n).on(123)).toBe(0);
  });

  it('agrees with a 120-digit Decimal for any balance and rate, on the fast and the BigInt path', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 1e6 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
        fc.integer({ min: 0, max: 99_999_999 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: 1, max: 400 }),
        (balance, digits, scale, n, d) => {
          const rate = new D(digits).dividedBy(new D(10).pow(scale));
          const r = Rate.fromDecimal(rate).times(n, d);
          const expected = new Wide(balance)
            .times(rate.toString())
            .times(n)
            .dividedBy(d)
            .toDecimalPlaces(0, Decimal.ROUND_HALF_UP);
          expect(r.on(balance)).toBe(expected.toNumber());
        },
      ),
    );
  });

  it('adds and compares exactly', () => {
    const a = Rate.fromDecimal(new D('0.1')).times(1, 3);
    const b = Rate.fromDecimal(new D('0.2')).times(1, 6);
    expect(a.equals(b)).toBe(true);
    expect(a.plus(b).equals(Rate.fromDecimal(new D('0.2')).times(1, 3))).toBe(true);
    expect(Rate.fromDecimal(new D('4.9e-2')).equals(Rate.fromDecimal(new D('0.049')))).toBe(true);
  });
});

describe('broken periods and accrual', () => {
  it('charges annual × days / basis', () => {
    expect(accrue(100_000_000, '0.049', '2026-01-15', '2026-02-15', 'ACT/360')).toBe(421_944);
    expect(accrue(100_000_000, '0.049', '2026-01-15', '2026-02-15', 'ACT/365')).toBe(416_164);
    expect(accrue(100_000_000, '0.049', '2026-01-31', '2026-02-28', '30/360')).toBe(381_111);
    expect(accrue(100_000_000, '0.049', '2026-01-15', '2026-01-15', 'ACT/360')).toBe(0);
  });

  it('a broken period of 45 days at 12% ACT/360 is 1.5% of the balance', () => {
    const r = brokenPeriodRate(Rate.fromDecimal(new D('0.12')), '2026-01-15', '2026-03-01', 'ACT/360');
    expect(r.toNumber()).toBeCloseTo(0.015, 15);
    expect(r.on(1_000_000)).toBe(15_000);
  });
});
