import fc from 'fast-check';
import { LocalDate } from '@js-joda/core';
import { payoffQuote } from '../../domain/payoff';
import { prepay, type PrepaymentInput } from '../../domain/prepayment';
import { quote, type QuoteInput } from '../../domain/quote';
import { buildSchedule } from '../../domain/schedule';
import { checkSchedule, expectDomainError, monthlyTerms } from './_a-helpers';

const terms: QuoteInput = {
  amount: 1_200_000,
  annualRate: '0.12',
  termCount: 12,
  method: 'annuity',
  startDate: '2026-01-15',
};
const scheduleOf = (t: QuoteInput, paid: number) =>
  quote(t).installments.map((i, k) => (k < paid ? { ...i, status: 'paid' } : i));
const request = (t: QuoteInput, paid: number, patch: Partial<PrepaymentInput>): PrepaymentInput => ({
  installments: scheduleOf(t, paid),
  method: t.method,
  annualRate: t.annualRate,
  dayCount: 'ACT/360',
  startDate: t.startDate,
  date: '2026-04-15',
  amount: 300_000,
  mode: 'reduce-installment',
  ...patch,
});

describe('partial prepayment', () => {
  const old = quote(terms).installments;
  const balance = old[2]!.balanceAfter;

  it('reduce-installment on a due date: same dates, the annuity of the new balance', () => {
    const r = prepay(request(terms, 3, {}));
    expect(r).toMatchObject({
      accruedInterest: 0,
      principalReduction: 300_000,
      balanceAfter: balance - 300_000,
    });
    const expected = buildSchedule({
      ...terms,
      amount: balance - 300_000,
      termCount: 9,
      startDate: '2026-04-15',
    });
    expect(r.installments).toEqual(expected.map((i, k) => ({ ...i, seq: k + 4 })));
    expect(r.installments.map((i) => i.dueDate)).toEqual(old.slice(3).map((i) => i.dueDate));
    expect(r.installments[1]!.total).toBeLessThan(old[4]!.total);
  });

  it('reduce-term on a due date: installments no larger, fewer of them', () => {
    const r = prepay(request(terms, 3, { mode: 'reduce-term' }));
    checkSchedule(r.installments, balance - 300_000);
    expect(r.installments.length).toBeLessThan(9);
    expect(r.installments.length).toBe(6);
    expect(Math.max(...r.installments.map((i) => i.total))).toBeLessThanOrEqual(old[3]!.total);
    expect(r.installments.map((i) => i.dueDate)).toEqual(old.slice(3, 9).map((i) => i.dueDate));
    // One period fewer would need a larger installment than the borrower pays today.
    const tighter = buildSchedule({
      ...terms,
      amount: balance - 300_000,
      termCount: 5,
      startDate: '2026-04-15',
    });
    expect(tighter[0]!.total).toBeGreaterThan(old[3]!.total);
  });

  it('between due dates settles the accrued interest first and prices the next period by days', () => {
    const r = prepay(request(terms, 3, { date: '2026-04-25' }));
    expect(r.accruedInterest).toBe(Math.round((balance * 0.12 * 10) / 360));
    expect(r.principalReduction).toBe(300_000 - r.accruedInterest);
    expect(r.installments[0]!.interest).toBe(Math.round((r.balanceAfter * 0.12 * 20) / 360));
    expect(r.installments[1]!.interest).toBe(Math.round((r.installments[0]!.balanceAfter * 0.12) / 12));
    checkSchedule(r.installments, r.balanceAfter);
  });

  it('equal principal reduce-term keeps the principal per period', () => {
    const ep = { ...terms, method: 'equal-principal' as const };
    const r = prepay(request(ep, 3, { mode: 'reduce-term', amount: 350_000 }));
    expect(r.installments.length).toBe(Math.ceil((900_000 - 350_000) / 100_000));
    expect(r.installments.slice(0, -1).every((i) => i.principal === Math.round(550_000 / 6))).toBe(true);
  });

  it('bullet: lower interest at the same maturity, days from the prepayment date', () => {
    const bullet = { ...terms, method: 'bullet' as const };
    const r = prepay(request(bullet, 0, { date: '2026-02-05', amount: 200_000 }));
    expect(r.accruedInterest).toBe(Math.round((1_200_000 * 0.12 * 21) / 360));
    const reduced = r.balanceAfter;
    expect(r.installments).toHaveLength(1);
    expect(r.installments[0]!.dueDate).toBe('2027-01-15');
    expect(r.installments[0]!.interest).toBe(Math.round(reduced * 0.12 * (10 / 360) + reduced * 0.01 * 11));
    expectDomainError(() => prepay(request(bullet, 0, { date: '2026-02-05', mode: 'reduce-term' })), 'mode');
  });

  it('keeps every invariant for any method, date and amount', () => {
    fc.assert(
      fc.property(
        monthlyTerms({ min: 1_000, max: 1e10 }, { min: 2, max: 60 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom('reduce-term' as const, 'reduce-installment' as const),
        (t, when, share, mode) => {
          fc.pre(!(mode === 'reduce-term' && (t.method === 'interest-only' || t.method === 'bullet')));
          const { startDate } = t;
          const q = quote(t);
          const last = q.installments[q.installments.length - 1]!.dueDate;
          const days = LocalDate.parse(startDate).until(LocalDate.parse(last)).toTotalMonths() * 30;
          const date = LocalDate.parse(startDate)
            .plusDays(Math.floor(when * days))
            .toString();
          fc.pre(date < last);
          const paid = q.installments.filter((i) => i.dueDate <= date).length;
          const remaining = q.installments.slice(paid);
          const principal = remaining.reduce((s, i) => s + i.principal, 0);
          fc.pre(principal > 1);
          const input = request(t, paid, { date, mode, amount: 1 });
          // The prepayment settles first what a payoff on that date would charge as accrued interest.
          const accrued = payoffQuote({ ...input, dayCount: 'ACT/360' }).breakdown.accruedInterest;
          const pay = accrued + 1 + Math.floor(share * (principal - 2));
          const r = prepay({ ...input, amount: pay });
          expect(r.accruedInterest).toBe(accrued);
          expect(r.principalReduction).toBe(pay - accrued);
          checkSchedule(r.installments, principal - r.principalReduction);
          expect(r.installments[0]!.seq).toBe(remaining[0]!.seq);
          const oldDates = new Set(remaining.map((i) => i.dueDate));
          expect(r.installments.every((i) => oldDates.has(i.dueDate))).toBe(true);
          if (mode === 'reduce-installment')
            expect(r.installments[r.installments.length - 1]!.dueDate).toBe(last);
          else expect(r.installments.length).toBeLessThanOrEqual(remaining.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('names the field of bad input', () => {
    expectDomainError(() => prepay(request(terms, 2, {})), 'installments', /installment 3/);
    expectDomainError(() => prepay(request(terms, 3, { amount: balance })), 'amount', /payoff/);
    expectDomainError(() => prepay(request(terms, 3, { amount: 0 })), 'amount');
    expectDomainError(
      () => prepay(request(terms, 3, { date: '2026-04-25', amount: 10 })),
      'amount',
      /accrued/,
    );
    expectDomainError(() => prepay(request(terms, 3, { mode: 'shorter' as 'reduce-term' })), 'mode');
    expectDomainError(() => prepay(request(terms, 12, { date: '2027-01-15' })), 'date');
    expectDomainError(() => prepay(request(terms, 0, { date: '2026-01-01' })), 'date');
    expectDomainError(() => prepay(request(terms, 3, { method: 'balloon' as 'annuity' })), 'method');
  });
});
