import fc from 'fast-check';
import Decimal from 'decimal.js';
import { Rate } from '../../domain/daycount';
import { D } from '../../domain/money';
import {
  amortise,
  annuityPayment,
  buildSchedule,
  METHODS,
  parseLoanTerms,
  planGrid,
  revolvingInterest,
  type ScheduleInput,
} from '../../domain/schedule';
import { checkSchedule, expectDomainError, isoDate, method, rateString } from './_a-helpers';

const Wide = Decimal.clone({ precision: 120, rounding: Decimal.ROUND_HALF_UP });
const base: ScheduleInput = {
  amount: 100_000_000,
  annualRate: '0.049',
  termCount: 360,
  method: 'annuity',
  startDate: '2026-01-15',
};

/** Textbook monthly annuity in 120-digit Decimal, written independently of the domain code. */
function referenceAnnuity(
  amount: number,
  annual: string,
  n: number,
): { payment: number; interest: number[]; principal: number[] } {
  const r = new Wide(annual).dividedBy(12);
  const f = r.plus(1).pow(n);
  const payment = r.isZero()
    ? new Wide(amount).dividedBy(n)
    : new Wide(amount).times(r).times(f).dividedBy(f.minus(1));
  const p = payment.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber();
  let balance = amount;
  const interest: number[] = [];
  const principal: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = new Wide(balance)
      .times(annual)
      .dividedBy(12)
      .toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
      .toNumber();
    const part = k === n - 1 ? balance : Math.max(0, Math.min(balance, p - i));
    interest.push(i);
    principal.push(part);
    balance -= part;
  }
  return { payment: p, interest, principal };
}

describe('published figures', () => {
  it('annuity: 1,000,000.00 at 4.9% over 360 months is 5,307.27 a month', () => {
    const s = buildSchedule(base);
    expect(s).toHaveLength(360);
    expect(s.slice(0, 359).every((i) => i.total === 530_727)).toBe(true);
    expect(Math.abs(s[359]!.total - 530_727)).toBeLessThan(360);
    expect(s[0]).toMatchObject({
      seq: 1,
      dueDate: '2026-02-15',
      interest: 408_333,
      principal: 122_394,
      balanceAfter: 99_877_606,
    });
    checkSchedule(s, 100_000_000);
  });

  it('annuity: 200,000.00 at 6% over 360 months is 1,199.10 a month', () => {
    const s = buildSchedule({ ...base, amount: 20_000_000, annualRate: '0.06' });
    expect(new Set(s.slice(0, 359).map((i) => i.total))).toEqual(new Set([119_910]));
    checkSchedule(s, 20_000_000);
  });

  it('equal principal: 1,000,000.00 at 4.9% over 360 starts at 6,861.11 and falls 11.34 a month', () => {
    const s = buildSchedule({ ...base, method: 'equal-principal' });
    expect(s[0]!.total).toBe(686_111);
    expect(s.slice(0, 359).every((i) => i.principal === 277_778)).toBe(true);
    const drops = s.slice(1, 359).map((i, k) => s[k]!.total - i.total);
    expect(new Set(drops)).toEqual(new Set([1_134, 1_135]));
    expect(Math.round((s[0]!.total - s[358]!.total) / 358)).toBe(1_134);
    checkSchedule(s, 100_000_000);
  });

  it('flat: 12,000.00 at 0.6% a month over 12 is 1,072.00 a month', () => {
    const s = buildSchedule({
      amount: 1_200_000,
      annualRate: '0.072',
      termCount: 12,
      method: 'flat',
      startDate: '2026-03-31',
    });
    expect(s.map((i) => i.total)).toEqual(new Array(12).fill(107_200));
    expect(s.map((i) => i.interest)).toEqual(new Array(12).fill(7_200));
    checkSchedule(s, 1_200_000);
  });

  it('interest-only: interest every month, principal with the last', () => {
    const s = buildSchedule({
      ...base,
      amount: 1_000_000,
      annualRate: '0.12',
      termCount: 6,
      method: 'interest-only',
    });
    expect(s.map((i) => [i.principal, i.interest])).toEqual([
      [0, 10_000],
      [0, 10_000],
      [0, 10_000],
      [0, 10_000],
      [0, 10_000],
      [1_000_000, 10_000],
    ]);
  });

  it('bullet: one installment at maturity with simple interest for the whole term', () => {
    const s = buildSchedule({
      ...base,
      amount: 1_000_000,
      annualRate: '0.12',
      termCount: 12,
      method: 'bullet',
      feePerPeriod: 100,
    });
    expect(s).toEqual([
      {
        seq: 1,
        dueDate: '2027-01-15',
        principal: 1_000_000,
        interest: 120_000,
        fees: 1_200,
        total: 1_121_200,
        balanceAfter: 0,
        status: 'scheduled',
      },
    ]);
  });
});

describe('every method', () => {
  it('matches an independent 120-digit Decimal annuity, installment by installment', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e12 }),
        rateString,
        fc.integer({ min: 1, max: 360 }),
        (amount, annualRate, n) => {
          const s = buildSchedule({ ...base, amount, annualRate, termCount: n });
          const ref = referenceAnnuity(amount, annualRate, n);
          expect(s.map((i) => i.interest)).toEqual(ref.interest);
          expect(s.map((i) => i.principal)).toEqual(ref.principal);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('schedules principal summing exactly to the amount, never a negative balance, ending at 0', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 1, max: 1e13 })),
        rateString,
        fc.integer({ min: 1, max: 360 }),
        method,
        isoDate,
        fc.constantFrom('ACT/360' as const, 'ACT/365' as const, '30/360' as const),
        fc.integer({ min: 0, max: 10_000 }),
        (amount, annualRate, termCount, m, startDate, dayCount, feePerPeriod) => {
          const s = buildSchedule({
            amount,
            annualRate,
            termCount,
            method: m,
            startDate,
            dayCount,
            feePerPeriod,
          });
          checkSchedule(s, amount);
          expect(s).toHaveLength(m === 'bullet' ? 1 : termCount);
          const fees = s.reduce((t, i) => t + i.fees, 0);
          expect(fees).toBe(feePerPeriod * termCount);
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each(METHODS)('%s at 0%% charges no interest', (m) => {
    const s = buildSchedule({ ...base, amount: 1_000_001, annualRate: '0', termCount: 7, method: m });
    expect(s.every((i) => i.interest === 0)).toBe(true);
    checkSchedule(s, 1_000_001);
  });

  it.each(METHODS)('%s with one installment repays everything on the first due date', (m) => {
    const s = buildSchedule({ ...base, amount: 1_000_000, annualRate: '0.12', termCount: 1, method: m });
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({
      dueDate: '2026-02-15',
      principal: 1_000_000,
      interest: 10_000,
      balanceAfter: 0,
    });
  });

  it.each(METHODS)('%s lends 0.01 (one minor unit) over 360 months without going negative', (m) => {
    const s = buildSchedule({ ...base, amount: 1, termCount: 360, method: m, annualRate: '0.36' });
    checkSchedule(s, 1);
  });

  it('0% annuity is equal principal with the residue last', () => {
    const s = buildSchedule({ ...base, amount: 1_000, annualRate: '0', termCount: 3 });
    expect(s.map((i) => i.principal)).toEqual([333, 333, 334]);
  });
});

describe('broken first period', () => {
  const broken = {
    ...base,
    amount: 1_000_000,
    annualRate: '0.12',
    termCount: 12,
    startDate: '2026-01-15',
    firstDueDate: '2026-03-01',
  };

  it('charges the first period by days and keeps the level installment from the second', () => {
    const regular = buildSchedule({ ...broken, firstDueDate: undefined });
    const s = buildSchedule(broken);
    expect(s[0]!.interest).toBe(15_000);
    expect(s[0]!.principal).toBe(regular[0]!.principal);
    expect(s[0]!.total - regular[0]!.total).toBe(5_000);
    expect(s.slice(1, 11).every((i) => i.total === regular[1]!.total)).toBe(true);
    expect(s.map((i) => i.dueDate).slice(0, 3)).toEqual(['2026-03-01', '2026-04-01', '2026-05-01']);
    checkSchedule(s, 1_000_000);
  });

  it('a short first period costs less: 10 days of ACT/365', () => {
    const s = buildSchedule({ ...broken, firstDueDate: '2026-01-25', dayCount: 'ACT/365' });
    expect(s[0]!.interest).toBe(
      new D(1_000_000).times('0.12').times(10).dividedBy(365).toDecimalPlaces(0).toNumber(),
    );
  });

  it('a first due date exactly one period away is a full period', () => {
    expect(buildSchedule({ ...broken, firstDueDate: '2026-02-15' })).toEqual(
      buildSchedule({ ...broken, firstDueDate: undefined }),
    );
  });

  it('bullet and flat price the broken period by days too', () => {
    expect(buildSchedule({ ...broken, method: 'bullet' })[0]!.interest).toBe(15_000 + 11 * 10_000);
    const flat = buildSchedule({ ...broken, method: 'flat' });
    expect(flat.map((i) => i.interest).slice(0, 3)).toEqual([15_000, 10_000, 10_000]);
  });
});

describe('periods other than a month', () => {
  it('weekly at 5.2% charges 0.1% a week', () => {
    const s = buildSchedule({
      ...base,
      amount: 1_000_000,
      annualRate: '0.052',
      termCount: 4,
      method: 'interest-only',
      period: 'P1W',
    });
    expect(s.map((i) => i.interest)).toEqual([1_000, 1_000, 1_000, 1_000]);
    expect(s.map((i) => i.dueDate)).toEqual(['2026-01-22', '2026-01-29', '2026-02-05', '2026-02-12']);
  });

  it('P10D at 36% ACT/360 charges 1% a period', () => {
    const s = buildSchedule({
      ...base,
      amount: 1_000_000,
      annualRate: '0.36',
      termCount: 3,
      method: 'interest-only',
      period: 'P10D',
    });
    expect(s.map((i) => i.interest)).toEqual([10_000, 10_000, 10_000]);
    expect(s[2]!.dueDate).toBe('2026-02-14');
  });
});

describe('annuityPayment', () => {
  it('is the half-up 120-digit Decimal payment for any amount, rate and term', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1e14 }),
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 1200 }),
        (amount, bp, n) => {
          const annual = new D(bp).dividedBy(1_000_000);
          const rate = Rate.fromDecimal(annual).times(1, 12);
          const r = new Wide(annual.toString()).dividedBy(12);
          const f = r.plus(1).pow(n);
          const expected = new Wide(amount)
            .times(r)
            .times(f)
            .dividedBy(f.minus(1))
            .toDecimalPlaces(0, Decimal.ROUND_HALF_UP)
            .toNumber();
          expect(annuityPayment(amount, rate, n)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('decides a payment of exactly x.5 half-up, where the float path cannot tell', () => {
    const half = Rate.of(1n, 2n);
    expect(annuityPayment(1, half, 1)).toBe(2); // 1.5
    expect(annuityPayment(3, half, 1)).toBe(5); // 4.5
    expect(annuityPayment(5, half, 2)).toBe(5); // 5 · 0.5 · 2.25 / 1.25 = 4.5
    expect(annuityPayment(15, half, 2)).toBe(14); // 13.5
    expect(annuityPayment(3, Rate.of(0n, 1n), 2)).toBe(2); // 0%: 1.5
  });
});

describe('validation', () => {
  it.each([
    [{ amount: 0 }, 'amount'],
    [{ amount: -100 }, 'amount'],
    [{ amount: 1.5 }, 'amount'],
    [{ amount: '100' }, 'amount'],
    [{ amount: 1e15 }, 'amount'],
    [{ termCount: 0 }, 'termCount'],
    [{ termCount: 2.5 }, 'termCount'],
    [{ termCount: 1201 }, 'termCount'],
    [{ annualRate: 'abc' }, 'annualRate'],
    [{ annualRate: '-0.01' }, 'annualRate'],
    [{ annualRate: '11' }, 'annualRate'],
    [{ annualRate: null }, 'annualRate'],
    [{ method: 'balloon' }, 'method'],
    [{ startDate: '2026-02-30' }, 'startDate'],
    [{ dayCount: 'ACT/ACT' }, 'dayCount'],
    [{ period: 'P1M1D' }, 'period'],
    [{ firstDueDate: '2026-01-10' }, 'firstDueDate'],
    [{ firstDueDate: '2026-04-16' }, 'firstDueDate'],
    [{ feePerPeriod: -1 }, 'feePerPeriod'],
    [{ amount: 1e14, annualRate: '10', termCount: 1200, method: 'bullet' }, 'amount'],
  ])('%p → %s', (patch, field) => {
    expectDomainError(() => buildSchedule({ ...base, ...(patch as object) } as ScheduleInput), field);
  });
});

describe('revolving daily interest', () => {
  it('charges the drawn balance by day, the drawdown day counted and the repayment day not', () => {
    // 10,000.00 for 10 days, then 4,000.00 for 21 days, at 0.05% a day (18% ACT/360).
    const interest = revolvingInterest({
      annualRate: '0.18',
      from: '2026-01-01',
      to: '2026-02-01',
      openingBalance: 0,
      changes: [
        { date: '2026-01-01', amount: 1_000_000 },
        { date: '2026-01-11', amount: -600_000 },
      ],
    });
    expect(interest).toBe(5_000 + 4_200);
  });

  it('equals the sum of per-day interest before rounding, rounded once', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ day: fc.integer({ min: 0, max: 30 }), amount: fc.integer({ min: 0, max: 1e9 }) }),
          { maxLength: 6 },
        ),
        rateString,
        (draws, annualRate) => {
          const sorted = [...draws].sort((a, b) => a.day - b.day);
          const date = (d: number) => `2026-03-${String(d + 1).padStart(2, '0')}`;
          let exact = new Wide(0);
          for (let day = 0; day < 31; day++) {
            const balance = sorted.filter((c) => c.day <= day).reduce((s, c) => s + c.amount, 0);
            exact = exact.plus(new Wide(balance).times(annualRate).dividedBy(365));
          }
          const got = revolvingInterest({
            annualRate,
            dayCount: 'ACT/365',
            from: '2026-03-01',
            to: '2026-04-01',
            openingBalance: 0,
            changes: sorted.map((c) => ({ date: date(c.day), amount: c.amount })),
          });
          expect(got).toBe(exact.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toNumber());
        },
      ),
    );
  });

  it('refuses changes out of order and a balance below zero', () => {
    const input = { annualRate: '0.18', from: '2026-01-01', to: '2026-02-01', openingBalance: 100 };
    expectDomainError(
      () =>
        revolvingInterest({
          ...input,
          changes: [
            { date: '2026-01-05', amount: 1 },
            { date: '2026-01-04', amount: 1 },
          ],
        }),
      'changes.1.date',
    );
    expectDomainError(
      () => revolvingInterest({ ...input, changes: [{ date: '2026-01-05', amount: -101 }] }),
      'changes.0.amount',
    );
    expectDomainError(() => revolvingInterest({ ...input, to: '2025-12-31' }), 'to');
  });
});

describe('grid', () => {
  it('records a broken first period as its fraction of a period', () => {
    const g = planGrid(parseLoanTerms({ ...base, firstDueDate: '2026-03-01' }));
    expect(g.firstOffset).toBeCloseTo(45 / 30, 12);
    expect(g.periodsPerYear).toBe(12);
    expect(amortise(1_000, 'interest-only', g)[0]!.interest).toBe(6);
  });
});
