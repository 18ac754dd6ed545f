import fc from 'fast-check';
import Decimal from 'decimal.js';
import { annualise, apr, aprOfCashFlows, assertAprWithinCap, periodicIrr } from '../../domain/apr';
import { DomainError } from '../../domain/errors';
import { buildSchedule } from '../../domain/schedule';
import { quote } from '../../domain/quote';
import { expectDomainError, monthlyTerms } from './_a-helpers';

const Wide = Decimal.clone({ precision: 60 });

/** NPV of −N at 0 and payments at offset + j, at periodic rate i, in 60-digit Decimal. */
function npv(n: number, payments: number[], i: number, offset = 1): Decimal {
  const v = new Wide(1).dividedBy(new Wide(1).plus(i));
  let sum = new Wide(-n);
  payments.forEach((p, j) => (sum = sum.plus(new Wide(p).times(v.pow(offset + j)))));
  return sum;
}

const relativeNpv = (n: number, payments: number[], i: number, offset = 1) =>
  npv(n, payments, i, offset).dividedBy(n).abs().toNumber();

describe('periodic IRR', () => {
  it('flat 12,000.00 at 0.6% a month over 12: nominal APR ≈ 13.03%', () => {
    const s = buildSchedule({
      amount: 1_200_000,
      annualRate: '0.072',
      termCount: 12,
      method: 'flat',
      startDate: '2026-01-15',
    });
    const a = apr(
      1_200_000,
      s.map((i) => i.total),
      12,
    );
    expect(Math.abs(Number(a.nominal) - 0.1303)).toBeLessThanOrEqual(0.0001);
    expect(a.nominal).toMatch(/^0\.\d{6}$/);
    const i = periodicIrr(
      1_200_000,
      s.map((x) => x.total),
    );
    expect(
      relativeNpv(
        1_200_000,
        s.map((x) => x.total),
        i,
      ),
    ).toBeLessThan(1e-12);
    expect(Number(a.effective)).toBeCloseTo(Math.pow(1 + i, 12) - 1, 6);
  });

  it('an annuity without fees has the APR of its rate', () => {
    const s = buildSchedule({
      amount: 100_000_000,
      annualRate: '0.049',
      termCount: 360,
      method: 'annuity',
      startDate: '2026-01-15',
    });
    expect(
      apr(
        100_000_000,
        s.map((i) => i.total),
        12,
      ),
    ).toEqual({ nominal: '0.049000', effective: '0.050116' });
  });

  it('finds the root to 1e-9 relative for any positive payments, including negative and zero IRRs', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1_000, max: 1e10 }),
        fc.array(fc.integer({ min: 0, max: 1_000 }), { minLength: 1, maxLength: 400 }),
        // Repaid ÷ lent. Near a total loss (1 + i)^-t spans dozens of orders of magnitude; no loan lives there.
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        (n, weights, multiple, offset) => {
          const w = weights.reduce((a, b) => a + b, 0);
          fc.pre(w > 0);
          const payments = weights.map((x) => Math.round((x / w) * multiple * n));
          const sum = payments.reduce((a, b) => a + b, 0);
          fc.pre(sum > 0);
          const i = periodicIrr(n, payments, offset);
          expect(i).toBeGreaterThan(-1);
          expect(Math.sign(i)).toBe(Math.sign(sum - n));
          // NPV falls as the rate rises: it must change sign across a hair's width around the answer.
          const eps = Math.abs(i) * 1e-9 + 1e-13;
          expect(npv(n, payments, i - eps, offset).gte(0)).toBe(true);
          expect(npv(n, payments, i + eps, offset).lte(0)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is exactly 0 when repayments equal the amount', () => {
    expect(periodicIrr(1_000, [250, 250, 250, 250])).toBe(0);
    expect(annualise(0, 12)).toEqual({ nominal: '0.000000', effective: '0.000000' });
  });

  it('solves a loss: 1,000 back as 400 + 400', () => {
    const i = periodicIrr(1_000, [400, 400]);
    expect(i).toBeLessThan(0);
    expect(400 / (1 + i) + 400 / (1 + i) ** 2).toBeCloseTo(1_000, 6);
  });

  it('a fee deducted upfront raises the APR', () => {
    const payments = buildSchedule({
      amount: 1_000_000,
      annualRate: '0.1',
      termCount: 12,
      method: 'annuity',
      startDate: '2026-01-15',
    }).map((i) => i.total);
    expect(Number(apr(990_000, payments, 12).nominal)).toBeGreaterThan(
      Number(apr(1_000_000, payments, 12).nominal) + 0.015,
    );
  });
});

describe('APR cap', () => {
  it('accepts an APR exactly at the cap and refuses one just over it, naming apr and the figure', () => {
    expect(() => assertAprWithinCap({ nominal: '0.360000', effective: '0.425761' }, '0.36')).not.toThrow();
    const e = expectDomainError(
      () => assertAprWithinCap({ nominal: '0.360001', effective: '0.4' }, '0.36'),
      'apr',
    );
    expect(e.message).toContain('0.360001');
    expect(e.message).toContain('36.0001%');
    expect(e.code).toBe('apr_cap');
  });

  it('defaults to 36%', () => {
    expect(() => assertAprWithinCap({ nominal: '0.359999', effective: '0.4' })).not.toThrow();
    expect(() => assertAprWithinCap({ nominal: '0.370000', effective: '0.4' })).toThrow(DomainError);
  });
});

describe('APR of dated cash flows', () => {
  it('agrees with the quote for a regular monthly schedule', () => {
    fc.assert(
      fc.property(monthlyTerms({ min: 100_000, max: 1e11 }, { min: 1, max: 120 }), (t) => {
        const q = quote({ ...t, fees: { origination: { rate: '0.01' } } });
        const flows = [
          { date: t.startDate, amount: -q.netDisbursed },
          ...q.installments.map((i) => ({ date: i.dueDate, amount: i.total })),
        ];
        expect(Math.abs(Number(aprOfCashFlows(flows).nominal) - Number(q.apr.nominal))).toBeLessThanOrEqual(
          0.000001,
        );
      }),
      { numRuns: 100 },
    );
  });

  it('orders flows by date and prices a charge between due dates', () => {
    const flows = [
      { date: '2026-03-15', amount: 510_000 },
      { date: '2026-01-15', amount: -1_000_000 },
      { date: '2026-02-15', amount: 510_000 },
    ];
    const base = Number(aprOfCashFlows(flows).nominal);
    expect(base).toBeGreaterThan(0.15);
    const withPenalty = Number(aprOfCashFlows([...flows, { date: '2026-02-20', amount: 5_000 }]).nominal);
    expect(withPenalty).toBeGreaterThan(base);
  });

  it('refuses flows without a disbursement first', () => {
    expectDomainError(() => aprOfCashFlows([{ date: '2026-01-15', amount: 100 }]), 'cashflows');
    expectDomainError(
      () =>
        aprOfCashFlows([
          { date: '2026-01-15', amount: 100 },
          { date: '2026-02-15', amount: -100 },
        ]),
      'cashflows',
    );
    expectDomainError(
      () =>
        aprOfCashFlows([
          { date: '2026-01-15', amount: -100 },
          { date: '2026-02-31', amount: 101 },
        ]),
      'cashflows.date',
    );
  });
});
