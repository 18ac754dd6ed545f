import fc from 'fast-check';
import { DomainError } from '../../domain/errors';
import { accrualEntry } from '../../domain/ledger';
import { applyPayment, fallDue, isSettled, payoffOf, position } from '../../domain/loan';
import { addDays } from '../../domain/localdate';
import { type LedgeredLoan, NOTHING_OWED, openLedgeredLoan } from '../support/ledgered-loan';
import { recoverPayment, settleWithWaiver, writeOffBook } from '../../domain/write-off';

const START = '2026-01-15';

type Ledgered = LedgeredLoan;
const newLoan = (): Ledgered => openLedgeredLoan({ loanId: 'ln_w', start: START });

const dueOf = (l: Ledgered, k: number) => l.book.installments[k]!.dueDate;

/** Installments 0..paid-1 paid on their due days, the next `missed` fall due unpaid. */
function servicedLoan(paid: number, missed: number): Ledgered {
  const l = newLoan();
  for (let k = 0; k < paid + missed; k++) {
    const { seq, dueDate, total } = l.book.installments[k]!;
    l.apply(fallDue(l.book, seq, dueDate));
    if (k < paid) l.apply(applyPayment(l.book, { paymentId: `auto:${seq}`, amount: total, date: dueDate }));
  }
  return l;
}

/** Penalty booked on an installment, as the late-charge posting will book it. */
function chargePenalty(l: Ledgered, k: number, amount: number, date: string): void {
  const installments = l.book.installments.map((i, j) =>
    j === k
      ? { ...i, penalty: i.penalty + amount, accrued: { ...i.accrued, penalty: i.accrued.penalty + amount } }
      : i,
  );
  l.apply({
    book: { ...l.book, installments },
    entries: [
      accrualEntry({
        loanId: 'ln_w',
        eventId: `ln_w:penalty:${k}:${date}`,
        date,
        currency: 'CNY',
        interest: 0,
        fees: 0,
        penalty: amount,
      }),
    ],
    result: null,
  });
}

function domainError(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('write-off', () => {
  test('takes every booked receivable off the books, the reserve absorbing the loss first', () => {
    const l = servicedLoan(2, 4);
    chargePenalty(l, 2, 3_000, dueOf(l, 4));
    const before = position(l.book);
    const installments = l.book.installments;
    const r = l.apply(writeOffBook(l.book, addDays(dueOf(l, 2), 180), l.reserve));

    expect(r).toEqual({
      principal: before.principal,
      interest: before.interest,
      fees: before.fees,
      penalty: 3_000,
      total: before.principal + before.interest + before.fees + 3_000,
    });
    expect(l.book.installments).toBe(installments);
    expect(position(l.book)).toEqual(NOTHING_OWED);
    l.reconcile();
    const b = l.balances();
    expect(b.risk_reserve_provision).toBe(0);
    expect(b.write_off_expense).toBe(r.total - l.reserve);
    expect(l.entries.at(-1)!.sourceEventId).toBe('ln_w:write-off');
    expect(isSettled(l.book)).toBe(false);
  });

  test('is refused twice, and on a loan with nothing booked', () => {
    const l = servicedLoan(0, 1);
    l.apply(writeOffBook(l.book, dueOf(l, 1), l.reserve));
    expect(domainError(() => writeOffBook(l.book, dueOf(l, 1), l.reserve)).code).toBe('written_off');
    const paidUp = servicedLoan(12, 0);
    expect(domainError(() => writeOffBook(paidUp.book, dueOf(paidUp, 11), 0)).code).toBe('settled');
  });
});

describe('recovery', () => {
  test('is income, leaves the receivables at zero, and stops at the written-off total', () => {
    const l = servicedLoan(1, 3);
    const { total } = l.apply(writeOffBook(l.book, addDays(dueOf(l, 1), 180), l.reserve));
    const date = addDays(dueOf(l, 1), 200);
    expect(l.apply(recoverPayment(l.book, { paymentId: 'r1', amount: 100_000, date }))).toEqual({
      recovered: 100_000,
      remaining: total - 100_000,
    });
    l.reconcile();
    const over = domainError(() => recoverPayment(l.book, { paymentId: 'r2', amount: total, date }));
    expect([over.field, over.code]).toEqual(['amount.amount', 'over_recovery']);
    expect(l.apply(recoverPayment(l.book, { paymentId: 'r2', amount: total - 100_000, date }))).toEqual({
      recovered: total,
      remaining: 0,
    });
    l.reconcile();
    expect(l.balances().recovery_income).toBe(-total);
    expect(l.entries.at(-1)!.sourceEventId).toBe('ln_w:recovery:r2');
    expect(position(l.book).outstanding).toBe(0);
  });

  test('needs a write-off first', () => {
    const l = servicedLoan(1, 1);
    expect(
      domainError(() => recoverPayment(l.book, { paymentId: 'r', amount: 1, date: dueOf(l, 1) })).code,
    ).toBe('not_written_off');
  });
});

describe('settlement with a waiver', () => {
  /** Two installments missed with penalty on the first, settled 10 days into the next period. */
  function lateLoan() {
    const l = servicedLoan(2, 2);
    chargePenalty(l, 2, 5_000, dueOf(l, 3));
    const date = addDays(dueOf(l, 3), 10);
    const quote = payoffOf(l.book, date);
    const { dueInterest, accruedInterest, penalties } = quote.breakdown;
    return { l, date, quote, floor: quote.amount - dueInterest - accruedInterest - penalties };
  }

  function settled(l: Ledgered, amount: number) {
    l.reconcile();
    expect(isSettled(l.book)).toBe(true);
    expect(position(l.book)).toEqual(NOTHING_OWED);
    expect(l.entries.at(-1)!.lines.find((x) => x.account === 'cash_clearing')?.debit).toBe(amount);
  }

  test('at the floor forgives all penalty and interest, booked or accrued to date', () => {
    const { l, date, quote, floor } = lateLoan();
    const r = l.apply(settleWithWaiver(l.book, { paymentId: 's1', amount: floor, date }));
    expect(r.waived).toEqual({
      penalty: 5_000,
      interest: quote.breakdown.dueInterest + quote.breakdown.accruedInterest,
    });
    expect(r.record.kind).toBe('payoff');
    const waiver = l.entries.find((e) => e.kind === 'waiver')!;
    expect(waiver.sourceEventId).toBe('ln_w:waiver:s1');
    // Only what was booked comes back out of income; interest to date was never booked.
    expect(waiver.lines).toEqual([
      { account: 'interest_income', debit: quote.breakdown.dueInterest, credit: 0 },
      { account: 'interest_receivable', debit: 0, credit: quote.breakdown.dueInterest },
      { account: 'penalty_income', debit: 5_000, credit: 0 },
      { account: 'penalty_receivable', debit: 0, credit: 5_000 },
    ]);
    settled(l, floor);
  });

  test('waives penalty before interest, and nothing when the payoff is paid', () => {
    const a = lateLoan();
    const r = a.l.apply(
      settleWithWaiver(a.l.book, { paymentId: 's', amount: a.quote.amount - 2_000, date: a.date }),
    );
    expect(r.waived).toEqual({ penalty: 2_000, interest: 0 });
    settled(a.l, a.quote.amount - 2_000);

    const b = lateLoan();
    const full = b.l.apply(
      settleWithWaiver(b.l.book, { paymentId: 's', amount: b.quote.amount, date: b.date }),
    );
    expect(full.waived).toEqual({ penalty: 0, interest: 0 });
    expect(b.l.entries.some((e) => e.kind === 'waiver')).toBe(false);
    settled(b.l, b.quote.amount);
  });

  test('refuses less than principal and fees, and a written-off loan', () => {
    const { l, date, floor } = lateLoan();
    const e = domainError(() => settleWithWaiver(l.book, { paymentId: 's', amount: floor - 1, date }));
    expect([e.field, e.code]).toEqual(['amount.amount', 'below_settlement_floor']);
    const off = writeOffBook(l.book, date, l.reserve).book;
    expect(domainError(() => settleWithWaiver(off, { paymentId: 's', amount: floor, date })).code).toBe(
      'written_off',
    );
  });

  test('after maturity every installment is due and the waterfall closes the loan', () => {
    const l = servicedLoan(9, 3);
    chargePenalty(l, 9, 7_000, dueOf(l, 11));
    const date = addDays(dueOf(l, 11), 20);
    const q = payoffOf(l.book, date);
    expect(q.breakdown.accruedInterest).toBe(0);
    const r = l.apply(settleWithWaiver(l.book, { paymentId: 's', amount: q.amount - 9_000, date }));
    expect(r.waived).toEqual({ penalty: 7_000, interest: 2_000 });
    expect(r.record.kind).toBe('allocation');
    settled(l, q.amount - 9_000);
  });

  test('any amount from the floor to the payoff closes the loan and the journal agrees to the cent', () => {
    fc.assert(
      fc.property(
        fc.record({
          paid: fc.integer({ min: 0, max: 8 }),
          missed: fc.integer({ min: 0, max: 3 }),
          penalty: fc.nat(20_000),
          day: fc.integer({ min: 0, max: 45 }),
          share: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        ({ paid, missed, penalty, day, share }) => {
          const l = servicedLoan(paid, missed);
          const last = paid + missed - 1;
          const date = addDays(last >= 0 ? dueOf(l, last) : START, day);
          if (penalty > 0 && missed > 0) chargePenalty(l, paid, penalty, dueOf(l, last));
          const q = payoffOf(l.book, date);
          const waivable = q.breakdown.dueInterest + q.breakdown.accruedInterest + q.breakdown.penalties;
          const amount = q.amount - Math.floor(waivable * share);
          const r = l.apply(settleWithWaiver(l.book, { paymentId: 's', amount, date }));
          expect(r.waived.interest + r.waived.penalty).toBe(q.amount - amount);
          expect(r.waived.penalty).toBe(Math.min(q.amount - amount, q.breakdown.penalties));
          l.reconcile();
          expect(isSettled(l.book)).toBe(true);
          expect(position(l.book).outstanding).toBe(0);
          // Income is what was paid: anything forgiven came back out of it.
          const paidOf = (c: 'interest' | 'penalty') =>
            l.book.installments.reduce((s, i) => s + i.paid[c], 0);
          expect(0 - (l.balances().interest_income ?? 0)).toBe(paidOf('interest'));
          expect(0 - (l.balances().penalty_income ?? 0)).toBe(paidOf('penalty'));
        },
      ),
      { numRuns: 150 },
    );
  });
});
