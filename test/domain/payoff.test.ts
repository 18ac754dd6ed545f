import fc from 'fast-check';
import { LocalDate } from '@js-joda/core';
import { payoffQuote, type PayoffInput, type ServicedInstallment } from '../../domain/payoff';
import { quote } from '../../domain/quote';
import { expectDomainError, quoteInput } from './_a-helpers';

const loan = quote({
  amount: 1_200_000,
  annualRate: '0.12',
  termCount: 12,
  method: 'annuity',
  startDate: '2026-01-15',
});
const base: PayoffInput = {
  installments: loan.installments,
  startDate: '2026-01-15',
  annualRate: '0.12',
  dayCount: 'ACT/360',
  date: '2026-01-15',
};
const paidThrough = (n: number): ServicedInstallment[] =>
  loan.installments.map((i, k) => (k < n ? { ...i, status: 'paid' } : i));

describe('payoff', () => {
  it('on the start date is the amount lent', () => {
    expect(payoffQuote(base)).toEqual({
      date: '2026-01-15',
      amount: 1_200_000,
      breakdown: { principal: 1_200_000, dueInterest: 0, accruedInterest: 0, fees: 0, penalties: 0 },
    });
  });

  it('adds interest accrued by days since the start', () => {
    const p = payoffQuote({ ...base, date: '2026-02-01' });
    expect(p.breakdown.accruedInterest).toBe(6_800); // 1,200,000 × 12% × 17/360
    expect(p.amount).toBe(1_206_800);
    expect(payoffQuote({ ...base, date: '2026-02-01', dayCount: 'ACT/365' }).breakdown.accruedInterest).toBe(
      6_707,
    );
  });

  it('accrues from the last due date once installments are paid', () => {
    const installments = paidThrough(1);
    const balance = 1_200_000 - loan.installments[0]!.principal;
    const p = payoffQuote({ ...base, installments, date: '2026-03-01' });
    expect(p.breakdown.principal).toBe(balance);
    expect(p.breakdown.accruedInterest).toBe(Math.round((balance * 0.12 * 14) / 360));
    expect(p.amount).toBe(balance + p.breakdown.accruedInterest);
  });

  it('adds due unpaid installments whole, plus fees and penalties passed in', () => {
    const first = loan.installments[0]!;
    const p = payoffQuote({ ...base, date: '2026-02-20', fees: 5_000, penalties: 123 });
    expect(p.breakdown.principal).toBe(1_200_000);
    expect(p.breakdown.dueInterest).toBe(first.interest);
    expect(p.breakdown.accruedInterest).toBe(Math.round(((1_200_000 - first.principal) * 0.12 * 5) / 360));
    expect(p.breakdown.fees).toBe(5_000);
    expect(p.amount).toBe(1_200_000 + first.interest + p.breakdown.accruedInterest + 5_000 + 123);
  });

  it('counts partial payments on a due installment', () => {
    const installments = loan.installments.map((i, k) =>
      k === 0 ? { ...i, status: 'partial', paidInterest: i.interest, paidPrincipal: 100 } : i,
    );
    const p = payoffQuote({ ...base, installments, date: '2026-02-15' });
    expect(p.breakdown).toMatchObject({ principal: 1_200_000 - 100, dueInterest: 0, accruedInterest: 0 });
  });

  it('never charges more accrued interest than the current installment carries', () => {
    // Installment 2 extended from 15 March to 14 April: a longer period, the same scheduled interest.
    const installments = paidThrough(1).map((i, k) => (k === 1 ? { ...i, dueDate: '2026-04-14' } : i));
    const p = payoffQuote({ ...base, installments, date: '2026-04-10' });
    expect(p.breakdown.accruedInterest).toBe(loan.installments[1]!.interest);
  });

  it('on any date is at least the unpaid principal, and is the sum of its parts', () => {
    fc.assert(
      fc.property(
        quoteInput,
        fc.integer({ min: 0, max: 4000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (input, offset, paidShare) => {
          const q = quote(input);
          const last = q.installments[q.installments.length - 1]!.dueDate;
          const span =
            LocalDate.parse(input.startDate).until(LocalDate.parse(last)).toTotalMonths() * 31 + 60;
          const date = LocalDate.parse(input.startDate)
            .plusDays(offset % span)
            .toString();
          const due = q.installments.filter((i) => i.dueDate <= date).length;
          const paid = Math.floor(due * paidShare);
          const installments = q.installments.map((i, k) => (k < paid ? { ...i, status: 'paid' } : i));
          const p = payoffQuote({
            installments,
            startDate: input.startDate,
            annualRate: input.annualRate,
            dayCount: input.dayCount,
            date,
          });
          const unpaidPrincipal = q.installments.slice(paid).reduce((s, i) => s + i.principal, 0);
          const b = p.breakdown;
          expect(b.principal).toBe(unpaidPrincipal);
          expect(p.amount).toBeGreaterThanOrEqual(unpaidPrincipal);
          expect(p.amount).toBe(b.principal + b.dueInterest + b.accruedInterest + b.fees + b.penalties);
          const next = q.installments.find((i) => i.dueDate > date);
          expect(b.accruedInterest).toBeLessThanOrEqual(next ? next.interest : 0);
          expect(Number.isSafeInteger(p.amount)).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names the field of bad input', () => {
    expectDomainError(() => payoffQuote({ ...base, date: '2026-01-14' }), 'date');
    expectDomainError(() => payoffQuote({ ...base, date: '2026-02-30' }), 'date');
    expectDomainError(() => payoffQuote({ ...base, installments: [] }), 'installments');
    expectDomainError(() => payoffQuote({ ...base, fees: -1 }), 'fees');
    expectDomainError(() => payoffQuote({ ...base, penalties: 1.5 }), 'penalties');
    expectDomainError(() => payoffQuote({ ...base, annualRate: 'abc' }), 'annualRate');
    expectDomainError(() => payoffQuote({ ...base, dayCount: 'ACT/ACT' as 'ACT/360' }), 'dayCount');
    const swapped = [loan.installments[1]!, loan.installments[0]!];
    expectDomainError(() => payoffQuote({ ...base, installments: swapped }), 'installments.1.dueDate');
    const overpaid = loan.installments.map((i, k) => (k === 0 ? { ...i, paidInterest: i.interest + 1 } : i));
    expectDomainError(() => payoffQuote({ ...base, installments: overpaid }), 'installments.0.interest');
  });
});
