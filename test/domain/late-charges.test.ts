import fc from 'fast-check';
import {
  bringLateChargesUpToDate,
  type CapContext,
  type LateChargeState,
  NO_LATE_CHARGES,
} from '../../domain/late-charges';
import { applyPayment, fallDue, openOf } from '../../domain/loan';
import { addDays } from '../../domain/localdate';
import { D } from '../../domain/money';
import { capPenalty, penaltyByInstallment, xirr } from '../../domain/penalty';
import { getProduct, type Product } from '../../domain/products';
import { LedgeredLoan, openLedgeredLoan } from '../support/ledgered-loan';

const START = '2026-01-15';

/** A loan as the workflow holds it: book, journal, late-charge state and the cash it has seen. */
class Loan extends LedgeredLoan {
  state: LateChargeState = NO_LATE_CHARGES;
  cap: CapContext = {
    disbursed: { date: this.book.startDate, amount: this.quote.netDisbursed },
    payments: [],
  };
  charge(today: string) {
    const r = this.apply(bringLateChargesUpToDate(this.book, this.product, this.state, today, this.cap));
    this.state = r.state;
    return r;
  }
  /** Every installment due by `date` has fallen due, as the workflow does on each due day. */
  fallDueBy(date: string) {
    for (const i of this.book.installments)
      if (i.dueDate <= date) this.apply(fallDue(this.book, i.seq, i.dueDate));
  }
  pay(id: string, amount: number, date: string) {
    this.apply(applyPayment(this.book, { paymentId: id, amount, date }));
    this.cap.payments.push({ date, amount });
  }
}

const newLoan = (
  opts: { amount?: number; termCount?: number; code?: string; product?: Product } = {},
): Loan => openLedgeredLoan({ loanId: 'ln_lc', start: START, ...opts }, Loan);

/** Disbursement out, payments and every open amount in, overdue ones as if paid today. */
const capFlows = (l: Loan, today: string) => [
  { date: START, amount: -l.cap.disbursed.amount },
  ...l.cap.payments,
  ...l.book.installments
    .filter((i) => openOf(i) > 0)
    .map((i) => ({ date: i.dueDate > today ? i.dueDate : today, amount: openOf(i) })),
];
const penaltyBooked = (l: Loan) => l.book.installments.map((i) => i.penalty);

describe('bringLateChargesUpToDate', () => {
  test('nothing during grace; then one late fee and penalty from the day after the due date', () => {
    const l = newLoan();
    const first = l.book.installments[0]!;
    const due = first.dueDate;
    l.fallDueBy(due);
    // Grace is 3 days: late charges start on the 4th day after the due date.
    for (const d of [due, addDays(due, 3)]) {
      const r = l.charge(d);
      expect(r).toMatchObject({ lateFees: [], penalty: [], capped: 0 });
    }
    expect(l.entries).toHaveLength(2);

    const today = addDays(due, 4);
    const r = l.charge(today);
    // 18% a year on ACT/360 is 0.0005 a day, on the unpaid principal, for the days from the one after
    // the due date up to today, not counting today: 3 days.
    const penalty = Math.round(first.principal * 0.0005 * 3);
    expect(r.lateFees).toEqual([{ seq: 1, amount: 5_000 }]);
    expect(r.penalty).toEqual([{ seq: 1, amount: penalty, days: 3 }]);
    expect(r.state).toEqual({
      penaltyThrough: { '1': today },
      lateFeeCharged: [1],
      capped: 0,
      lastPosting: { date: today, count: 1 },
    });
    const entry = l.entries.at(-1)!;
    expect(entry.sourceEventId).toBe(`ln_lc:late-charges:${today}`);
    expect(entry.lines).toEqual([
      { account: 'fee_receivable', debit: 5_000, credit: 0 },
      { account: 'fee_income', debit: 0, credit: 5_000 },
      { account: 'penalty_receivable', debit: penalty, credit: 0 },
      { account: 'penalty_income', debit: 0, credit: penalty },
    ]);
    const i = l.book.installments[0]!;
    expect(i).toMatchObject({
      fees: first.fees + 5_000,
      penalty,
      total: first.total + 5_000 + penalty,
      accrued: { interest: first.interest, fees: first.fees + 5_000, penalty },
    });
    expect(l.book.installments.slice(1)).toEqual(newLoan().book.installments.slice(1));
    l.reconcile();
  });

  test('a second posting on one day gets its own event id, so the ledger does not drop it as a replay', () => {
    const l = newLoan();
    const due = l.book.installments[0]!.dueDate;
    l.fallDueBy(due);
    const today = addDays(due, 10);
    l.charge(today);
    // As if a reversal had reopened charges the day already booked: penalty from the due date again.
    l.state = { ...l.state, penaltyThrough: { '1': addDays(due, 5) } };
    const again = l.charge(today);
    expect(again.penalty.map((p) => p.days)).toEqual([5]);
    expect(l.entries.slice(-2).map((e) => e.sourceEventId)).toEqual([
      `ln_lc:late-charges:${today}`,
      `ln_lc:late-charges:${today}:1`,
    ]);
  });

  test('a second run on the same day books nothing and changes nothing', () => {
    const l = newLoan();
    const today = addDays(l.book.installments[0]!.dueDate, 10);
    l.fallDueBy(today);
    l.charge(today);
    const before = { book: l.book, state: l.state, entries: l.entries.length };
    const again = bringLateChargesUpToDate(l.book, l.product, l.state, today, l.cap);
    expect(again.entries).toEqual([]);
    expect(again.book).toEqual(before.book);
    expect(again.result).toEqual({ state: before.state, lateFees: [], penalty: [], capped: 0 });
  });

  test('penalty runs on the principal still unpaid; a paid installment is charged nothing more', () => {
    const l = newLoan();
    const first = l.book.installments[0]!;
    l.fallDueBy(first.dueDate);
    const d1 = addDays(first.dueDate, 5);
    l.charge(d1);
    // Pays the fee, penalty, interest and 100.00 of principal.
    const owed = openOf(l.book.installments[0]!);
    const short = owed - (first.principal - 10_000);
    l.pay('p1', short, d1);
    expect(l.book.installments[0]!.paid.principal).toBe(10_000);
    const d2 = addDays(d1, 6);
    const r = l.charge(d2);
    expect(r.lateFees).toEqual([]);
    expect(r.penalty).toEqual([
      { seq: 1, amount: Math.round((first.principal - 10_000) * 0.0005 * 6), days: 6 },
    ]);
    l.pay('p2', openOf(l.book.installments[0]!), d2);
    expect(l.charge(addDays(d2, 9))).toMatchObject({ lateFees: [], penalty: [] });
    l.reconcile();
  });

  test('runs on any days add up to one run on the last day, per installment', () => {
    const arb = fc.record({
      code: fc.constantFrom('cash-installment', 'cash-equal-principal', 'bill-installment'),
      amount: fc.integer({ min: 1_000_000, max: 5_000_000 }),
      runs: fc.array(fc.integer({ min: 0, max: 150 }), { minLength: 1, maxLength: 6 }),
    });
    fc.assert(
      fc.property(arb, ({ code, amount, runs }) => {
        const l = newLoan({ code, amount, termCount: 12 });
        const due = l.book.installments[0]!.dueDate;
        const days = [...runs].sort((a, b) => a - b).map((n) => addDays(due, n));
        for (const d of days) {
          l.fallDueBy(d);
          l.charge(d);
          l.reconcile();
        }
        const last = days.at(-1)!;
        const rate = new D(l.product.penaltyRate).dividedBy(360).toString();
        const expected = penaltyByInstallment(
          l.book.installments.map((i) => ({ seq: i.seq, dueDate: i.dueDate, principal: i.principal })),
          rate,
          START,
          last,
        ).map((p, k) => (addDays(l.book.installments[k]!.dueDate, 4) <= last ? p.amount : 0));
        expect(l.state.capped).toBe(0);
        expect(penaltyBooked(l)).toEqual(expected);
        const lateFees = l.book.installments.filter((i) => addDays(i.dueDate, 4) <= last).map((i) => i.seq);
        expect(l.state.lateFeeCharged).toEqual(lateFees);
      }),
      { numRuns: 60 },
    );
  });

  test('a late fee that would push the APR past the cap is cut to what fits, the rest dropped', () => {
    const base = getProduct('cash-installment');
    const product: Product = { ...base, fees: { ...base.fees, late: { amount: 1_000_000 } } };
    const l = newLoan({ product, amount: 50_000, termCount: 3 });
    const today = addDays(l.book.installments[0]!.dueDate, 4);
    l.fallDueBy(today);
    const r = l.charge(today);
    expect(r.capped).toBeGreaterThan(0);
    const booked = r.lateFees.reduce((s, f) => s + f.amount, 0) + r.penalty.reduce((s, p) => s + p.amount, 0);
    expect(booked + r.capped).toBe(1_000_000 + Math.round(l.book.installments[0]!.principal * 0.0005 * 3));
    expect(r.state.capped).toBe(r.capped);
    expect(r.state.lateFeeCharged).toEqual([1]);
    const flows = capFlows(l, today);
    expect(Number(xirr(flows))).toBeLessThanOrEqual(0.36);
    // One minor unit more would have broken the cap.
    flows[1]!.amount += 1;
    expect(Number(xirr(flows))).toBeGreaterThan(0.36);
    l.reconcile();

    // Later penalty is held to the cap as well: whatever fits is booked, the rest only counted.
    const later = l.charge(addDays(today, 10));
    expect(l.state.capped).toBe(r.capped + later.capped);
    expect(Number(xirr(capFlows(l, addDays(today, 10))))).toBeLessThanOrEqual(0.36);
    l.reconcile();
  });

  test('the cap allows exactly what capPenalty allows over the same flows', () => {
    const arb = fc.record({
      fee: fc.integer({ min: 0, max: 2_000_000 }),
      amount: fc.integer({ min: 50_000, max: 400_000 }),
      late: fc.integer({ min: 4, max: 200 }),
    });
    fc.assert(
      fc.property(arb, ({ fee, amount, late }) => {
        const base = getProduct('cash-installment');
        const product: Product = { ...base, fees: { ...base.fees, late: { amount: fee } } };
        const l = newLoan({ product, amount, termCount: 6 });
        const today = addDays(l.book.installments[0]!.dueDate, late);
        l.fallDueBy(today);
        const flows = capFlows(l, today);
        const r = l.charge(today);
        const booked =
          r.lateFees.reduce((s, f) => s + f.amount, 0) + r.penalty.reduce((s, p) => s + p.amount, 0);
        const wanted = booked + r.capped;
        expect(booked).toBe(capPenalty({ cashflows: flows, proposed: wanted, date: today }).allowed);
        l.reconcile();
      }),
      { numRuns: 15 },
    );
  });

  test('cost stays small for a 36-installment loan', () => {
    const l = newLoan({ code: 'cash-equal-principal', amount: 3_000_000, termCount: 36 });
    const today = addDays(l.book.installments[5]!.dueDate, 10);
    l.fallDueBy(today);
    const t0 = performance.now();
    l.charge(today);
    const runs = 20;
    for (let k = 1; k <= runs; k++) l.charge(addDays(today, k));
    const perCall = (performance.now() - t0) / (runs + 1);
    expect(perCall).toBeLessThan(200);
  });
});
