import fc from 'fast-check';
import type { DatedCashFlow } from '../../domain/apr';
import { addDays } from '../../domain/localdate';
import { D } from '../../domain/money';
import { capPenalty, penaltyByInstallment, penaltyInterest, xirr } from '../../domain/penalty';
import { expectDomainError } from '../support/domain-error';

/** A 12-month loan of 10,000.00 repaid in equal installments of `payment`. */
function loan(payment: number, start = '2024-01-15'): DatedCashFlow[] {
  const flows: DatedCashFlow[] = [{ date: start, amount: -1_000_000 }];
  for (let m = 1; m <= 12; m++) {
    const [y, mo, d] = start.split('-').map(Number) as [number, number, number];
    const month = mo - 1 + m;
    const date = `${y + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
    flows.push({ date, amount: payment });
  }
  return flows;
}

describe('penaltyInterest', () => {
  it('is principal × daily rate × days, rounded half-up once', () => {
    const p = penaltyInterest(1_000_000, '0.0005', '2024-02-11', '2024-02-21');
    expect(p.days).toBe(10);
    expect(p.amount).toBe((1_000_000 * 5 * 10) / 10_000);
    expect(penaltyInterest(1000, '0.0005', '2024-01-01', '2024-01-02').amount).toBe(1); // exactly 0.5 rounds up
    expect(penaltyInterest(999, '0.0005', '2024-01-01', '2024-01-02').amount).toBe(0); // 0.4995 rounds down
    expect(penaltyInterest(5000, '0.0005', '2024-01-01', '2024-01-01')).toEqual({
      days: 0,
      amount: 0,
      exact: '0',
    });
  });

  it('splits over consecutive periods without losing or doubling a day', () => {
    const arb = fc.tuple(
      fc.integer({ min: 0, max: 50_000_000 }),
      fc.integer({ min: 1, max: 99_999 }),
      fc.integer({ min: 0, max: 200 }),
      fc.integer({ min: 0, max: 200 }),
    );
    fc.assert(
      fc.property(arb, ([principal, bp, x, y]) => {
        const rate = new D(bp).dividedBy(10_000_000).toString();
        const a = '2024-01-01';
        const b = addDays(a, x);
        const c = addDays(b, y);
        const first = penaltyInterest(principal, rate, a, b);
        const second = penaltyInterest(principal, rate, b, c);
        const whole = penaltyInterest(principal, rate, a, c);
        expect(first.days + second.days).toBe(whole.days);
        expect(new D(first.exact).plus(second.exact).equals(whole.exact)).toBe(true);
        expect(whole.amount).toBe(new D(whole.exact).toDecimalPlaces(0, D.ROUND_HALF_UP).toNumber());
      }),
    );
  });

  it('accrues each installment only from the day after its own due date', () => {
    const rows = penaltyByInstallment(
      [
        { seq: 1, dueDate: '2024-01-10', principal: 100_000 },
        { seq: 2, dueDate: '2024-02-10', principal: 100_000 },
        { seq: 3, dueDate: '2024-03-10', principal: 100_000 },
      ],
      '0.0005',
      '2024-02-01',
      '2024-02-21',
    );
    expect(rows.map((r) => [r.seq, r.days])).toEqual([
      [1, 20], // the whole period
      [2, 10], // 11th to 20th February
      [3, 0], // not yet due
    ]);
    expect(rows[1]!.amount).toBe(penaltyInterest(100_000, '0.0005', '2024-02-11', '2024-02-21').amount);
  });

  it('refuses bad input, naming the field', () => {
    expectDomainError(() => penaltyInterest(-1, '0.0005', '2024-01-01', '2024-01-02'), 'overduePrincipal');
    expectDomainError(() => penaltyInterest(100, 'abc', '2024-01-01', '2024-01-02'), 'dailyRate');
    expectDomainError(() => penaltyInterest(100, '1.5', '2024-01-01', '2024-01-02'), 'dailyRate');
    expectDomainError(() => penaltyInterest(100, '-0.01', '2024-01-01', '2024-01-02'), 'dailyRate');
    expectDomainError(() => penaltyInterest(100, '0.0005', '2024-01-05', '2024-01-02'), 'to');
    expectDomainError(() => penaltyInterest(100, '0.0005', '2024-01-32', '2024-02-02'), 'from');
    expectDomainError(() => penaltyInterest(100, '0.0005', '2024-01-02', '2024-02-30'), 'to');
    expectDomainError(
      () =>
        penaltyByInstallment([{ seq: 1, dueDate: 'x', principal: 1 }], '0.0005', '2024-01-01', '2024-01-02'),
      'installments[0].dueDate',
    );
    expectDomainError(
      () =>
        penaltyByInstallment(
          [{ seq: 1, dueDate: '2024-01-01', principal: 0.5 }],
          '0.0005',
          '2024-01-01',
          '2024-01-02',
        ),
      'installments[0].principal',
    );
  });
});

describe('xirr', () => {
  it('is the annual effective rate over days/365', () => {
    const r = xirr([
      { date: '2023-01-01', amount: -10_000 },
      { date: '2024-01-01', amount: 11_000 },
    ]);
    expect(new D(r).minus('0.1').abs().lessThan('1e-25')).toBe(true);
    const half = xirr([
      { date: '2023-01-01', amount: -10_000 },
      { date: '2023-07-02', amount: 10_500 },
    ]);
    // 182 days: (1.05)^(365/182) − 1
    expect(
      new D(half)
        .minus(new D('1.05').pow(new D(365).dividedBy(182)).minus(1))
        .abs()
        .lessThan('1e-25'),
    ).toBe(true);
  });

  it('discounts any loan to a net present value of zero', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100_000, max: 10_000_000 }),
        fc.array(
          fc.record({ gap: fc.integer({ min: 1, max: 90 }), amount: fc.integer({ min: 1, max: 5_000_000 }) }),
          {
            minLength: 1,
            maxLength: 24,
          },
        ),
        (principal, payments) => {
          let date = '2024-01-01';
          const flows: DatedCashFlow[] = [{ date, amount: -principal }];
          for (const p of payments) {
            date = addDays(date, p.gap);
            flows.push({ date, amount: p.amount });
          }
          const total = payments.reduce((s, p) => s + p.amount, 0);
          // Keep to rates a lender could meet: between −99% and 10,000% a year.
          fc.pre(total > principal / 50 && total < principal * 50);
          let r: string;
          try {
            r = xirr(flows);
          } catch {
            return fc.pre(false);
          }
          const npv = flows.reduce(
            (s, f) =>
              s.plus(
                new D(f.amount).dividedBy(
                  new D(r).plus(1).pow(new D(daysFrom('2024-01-01', f.date)).dividedBy(365)),
                ),
              ),
            new D(0),
          );
          expect(npv.abs().lessThan(new D(principal).times('1e-20'))).toBe(true);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('refuses flows without a disbursement and a repayment', () => {
    expectDomainError(() => xirr([{ date: '2024-01-01', amount: -100 }]), 'cashflows');
    expectDomainError(
      () =>
        xirr([
          { date: '2024-01-01', amount: 100 },
          { date: '2024-02-01', amount: 100 },
        ]),
      'cashflows',
    );
    expectDomainError(
      () =>
        xirr([
          { date: '2024-01-01', amount: -100 },
          { date: '2024-02-31', amount: 100 },
        ]),
      'cashflows[1].date',
    );
    expectDomainError(
      () =>
        xirr([
          { date: '2024-01-01', amount: -100 },
          { date: '2024-02-01', amount: 1.5 },
        ]),
      'cashflows[1].amount',
    );
  });
});

describe('capPenalty', () => {
  const flows = loan(93_000); // about 20% APR: room for a penalty below 36%
  const date = '2024-04-20';
  const withPenalty = (p: number): DatedCashFlow[] => [...flows, { date, amount: p }];

  it('allows the whole penalty when it stays under the cap', () => {
    const r = capPenalty({ cashflows: flows, proposed: 100, date });
    expect(r).toMatchObject({ proposed: 100, allowed: 100, cappedAmount: 0, capped: false, aprCap: '0.36' });
    expect(new D(r.aprWithoutPenalty).lessThan(r.aprWithAllowed)).toBe(true);
  });

  it('finds the largest penalty at the cap: one minor unit more would exceed it', () => {
    const over = capPenalty({ cashflows: flows, proposed: 100_000_000, date });
    expect(over.capped).toBe(true);
    const max = over.allowed;
    expect(max).toBeGreaterThan(0);
    expect(over.cappedAmount).toBe(100_000_000 - max);
    expect(new D(xirr(withPenalty(max))).lessThanOrEqualTo('0.36')).toBe(true);
    expect(new D(xirr(withPenalty(max + 1))).greaterThan('0.36')).toBe(true);
    expect(over.aprWithAllowed).toBe(xirr(withPenalty(max)));

    // Exactly at the cap: allowed in full. One over: capped by exactly one minor unit.
    expect(capPenalty({ cashflows: flows, proposed: max, date })).toMatchObject({
      allowed: max,
      capped: false,
      cappedAmount: 0,
    });
    expect(capPenalty({ cashflows: flows, proposed: max + 1, date })).toMatchObject({
      allowed: max,
      capped: true,
      cappedAmount: 1,
    });
  });

  it('allows nothing when the loan is already over the cap', () => {
    const r = capPenalty({ cashflows: loan(110_000), proposed: 5000, date, aprCap: '0.24' });
    expect(new D(r.aprWithoutPenalty).greaterThan('0.24')).toBe(true);
    expect(r).toMatchObject({ allowed: 0, capped: true, cappedAmount: 5000 });
  });

  it('uses the APR measure it is given', () => {
    // A nominal measure (lower than the effective one) leaves room for a larger penalty.
    const nominal = (cf: readonly DatedCashFlow[]) => {
      const eff = new D(xirr(cf));
      return eff.plus(1).pow(new D(1).dividedBy(12)).minus(1).times(12).toString();
    };
    const strict = capPenalty({ cashflows: flows, proposed: 100_000_000, date });
    const loose = capPenalty({ cashflows: flows, proposed: 100_000_000, date, aprOf: nominal });
    expect(loose.allowed).toBeGreaterThan(strict.allowed);
    expect(new D(nominal(withPenalty(loose.allowed))).lessThanOrEqualTo('0.36')).toBe(true);
    expect(new D(nominal(withPenalty(loose.allowed + 1))).greaterThan('0.36')).toBe(true);
  });

  it('refuses bad input, naming the field', () => {
    expectDomainError(() => capPenalty({ cashflows: flows, proposed: -1, date }), 'proposed');
    expectDomainError(() => capPenalty({ cashflows: flows, proposed: 1, date: '2024-04-31' }), 'date');
    expectDomainError(() => capPenalty({ cashflows: flows, proposed: 1, date, aprCap: '36%' }), 'aprCap');
    expectDomainError(() => capPenalty({ cashflows: [], proposed: 1, date }), 'cashflows');
  });
});

function daysFrom(a: string, b: string): number {
  return (Date.parse(b) - Date.parse(a)) / 86_400_000;
}
