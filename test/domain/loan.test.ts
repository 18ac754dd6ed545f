import fc from 'fast-check';
import { DEFAULT_ORDER } from '../../domain/allocation';
import { DomainError } from '../../domain/errors';
import {
  agendaOf,
  allocationOrderOf,
  applyPayment,
  checkCalendar,
  delinquencyOn,
  fallDue,
  isLate,
  isSettled,
  nextDue,
  nextStep,
  openOf,
  owedBy,
  payoffOf,
  type PaymentRecord,
  position,
  priceLoan,
  reversePayment,
  type ServicingCalendar,
  useCredit,
  contactDeadline,
  nextContactOpening,
} from '../../domain/loan';
import { addDays, instantOfLocal, localDateTimeAt } from '../../domain/localdate';
import { getProduct } from '../../domain/products';
import { LedgeredLoan, openLedgeredLoan } from '../support/ledgered-loan';

const product = getProduct('cash-installment');
const START = '2026-01-15';
const cal: ServicingCalendar = {
  timeZone: 'Asia/Shanghai',
  reminderDaysBefore: 3,
  reminderTime: '10:00',
  autopayTimes: ['09:00', '14:00', '19:00'],
};

/** A loan as the workflow opens it; its reconciliation also checks the cash moved. */
class Ledgered extends LedgeredLoan {
  override reconcile(): void {
    super.reconcile();
    expect(this.balances().cash_clearing ?? 0).toBe(this.cashIn() - this.cashOut());
  }
  cashIn = () =>
    this.entries.reduce(
      (s, e) => s + e.lines.filter((l) => l.account === 'cash_clearing').reduce((t, l) => t + l.debit, 0),
      0,
    );
  cashOut = () =>
    this.entries.reduce(
      (s, e) => s + e.lines.filter((l) => l.account === 'cash_clearing').reduce((t, l) => t + l.credit, 0),
      0,
    );
}

const newLoan = (amount = 1_200_000, termCount = 12, code = 'cash-installment'): Ledgered =>
  openLedgeredLoan({ loanId: 'ln_t', start: START, amount, termCount, code }, Ledgered);

const due = (l: Ledgered, k: number) => l.book.installments[k]!.dueDate;
const pay = (
  l: Ledgered,
  paymentId: string,
  amount: number,
  date: string,
  mode?: 'reduce-term' | 'reduce-installment',
) => l.apply(applyPayment(l.book, { paymentId, amount, date, ...(mode ? { mode } : {}) }));
/** The due day as the workflow runs it: charges booked, credit used, then a debit for the rest. */
function dueDay(l: Ledgered, k: number): PaymentRecord | null {
  const { seq, dueDate } = l.book.installments[k]!;
  l.apply(fallDue(l.book, seq, dueDate));
  l.apply(useCredit(l.book, seq, dueDate));
  const owed = owedBy(l.book, dueDate);
  return owed > 0 ? pay(l, `autopay:${seq}:0`, owed, dueDate) : null;
}

describe('pricing and opening', () => {
  test('the product decides method and terms; the reserve is its rate of the amount', () => {
    const { quote, riskReserve } = priceLoan(product, {
      amount: 1_000_000,
      currency: 'CNY',
      termCount: 12,
      method: 'annuity',
      annualRate: '0.12',
      startDate: START,
    });
    expect(riskReserve).toBe(20_000);
    expect(quote.installments).toHaveLength(12);
    expect(() =>
      priceLoan(product, {
        amount: 1_000_000,
        currency: 'CNY',
        termCount: 12,
        method: 'flat',
        annualRate: '0.12',
        startDate: START,
      }),
    ).toThrow(DomainError);
    expect(() =>
      priceLoan(product, {
        amount: 1_000_000,
        currency: 'CNY',
        termCount: 7,
        method: 'annuity',
        annualRate: '0.12',
        startDate: START,
      }),
    ).toThrow(DomainError);
  });

  test('a deducted origination fee is earned at disbursement and the ledger still reconciles', () => {
    const l = newLoan(1_000_000, 12, 'cash-equal-principal');
    const fee = l.entries[0]!.lines.find((x) => x.account === 'fee_income')!.credit;
    expect(fee).toBe(10_000);
    expect(l.cashOut()).toBe(990_000);
    l.reconcile();
  });

  test("the product's waterfall in business words is the allocator's default order", () => {
    expect(allocationOrderOf(product.allocationOrder)).toEqual(DEFAULT_ORDER);
    expect(() => allocationOrderOf(['penalty', 'tips'])).toThrow(/tips/);
  });
});

describe('servicing transitions', () => {
  test('autopay on every due day closes the loan with exactly the scheduled interest earned', () => {
    const l = newLoan();
    const scheduledInterest = l.book.installments.reduce((s, i) => s + i.interest, 0);
    for (let k = 0; k < 12; k++) {
      expect(isSettled(l.book)).toBe(false);
      dueDay(l, k);
      l.reconcile();
    }
    expect(isSettled(l.book)).toBe(true);
    expect(position(l.book).outstanding).toBe(0);
    const income = l.entries
      .flatMap((e) => e.lines)
      .filter((x) => x.account === 'interest_income')
      .reduce((s, x) => s + x.credit, 0);
    expect(income).toBe(scheduledInterest);
  });

  test('an installment paid ahead is booked when paid, and its due day books nothing more', () => {
    const l = newLoan();
    const first = l.book.installments[0]!;
    const r = pay(l, 'p1', first.total, addDays(first.dueDate, -5));
    expect(r.kind).toBe('allocation');
    expect(r.parts).toMatchObject({ interest: first.interest, principal: first.principal });
    expect(l.entries.map((e) => e.kind)).toEqual(['disbursement', 'accrual', 'repayment']);
    l.reconcile();
    expect(fallDue(l.book, first.seq, first.dueDate).entries).toEqual([]);
  });

  test('an overpayment is held as credit and pays the next due amount first', () => {
    const l = newLoan();
    dueDay(l, 0);
    const second = l.book.installments[1]!;
    const r = pay(l, 'p2', second.total + 10_000, addDays(second.dueDate, -10));
    expect(r.creditChange).toBe(10_000);
    expect(l.book.creditBalance).toBe(10_000);
    l.reconcile();
    const third = l.book.installments[2]!;
    l.apply(fallDue(l.book, third.seq, third.dueDate));
    const used = l.apply(useCredit(l.book, third.seq, third.dueDate));
    expect(used?.creditChange).toBe(-10_000);
    expect(l.book.creditBalance).toBe(0);
    expect(owedBy(l.book, third.dueDate)).toBe(third.total - 10_000);
    l.reconcile();
  });

  test('a payoff quote between due dates charges interest only to the date, and exactly it settles', () => {
    const l = newLoan();
    dueDay(l, 0);
    dueDay(l, 1);
    const date = addDays(due(l, 1), 12);
    const quote = payoffOf(l.book, date);
    expect(quote.breakdown.accruedInterest).toBeGreaterThan(0);
    expect(quote.breakdown.accruedInterest).toBeLessThan(l.book.installments[2]!.interest);
    expect(
      applyPayment(l.book, { paymentId: 'short', amount: quote.amount - 1, date, mode: 'reduce-term' }).result
        .kind,
    ).toBe('prepayment');
    expect(applyPayment(l.book, { paymentId: 'full', amount: quote.amount, date }).result.kind).toBe(
      'payoff',
    );
  });

  test('a payoff settles in full and books the accrued interest', () => {
    const l = newLoan();
    dueDay(l, 0);
    dueDay(l, 1);
    const date = addDays(due(l, 1), 12);
    const quote = payoffOf(l.book, date);
    const r = pay(l, 'payoff', quote.amount, date);
    expect(r.kind).toBe('payoff');
    expect(isSettled(l.book)).toBe(true);
    expect(l.book.creditBalance).toBe(0);
    expect(position(l.book).outstanding).toBe(0);
    l.reconcile();
  });

  test.each(['reduce-term', 'reduce-installment'] as const)(
    'a partial prepayment (%s) re-amortises the rest and keeps principal whole',
    (mode) => {
      const l = newLoan();
      dueDay(l, 0);
      const before = l.book.installments.map((i) => ({ ...i }));
      const date = addDays(due(l, 0), 10);
      const r = pay(l, 'pre', 300_000, date, mode);
      expect(r.kind).toBe('prepayment');
      const after = l.book.installments;
      const principal = after.reduce((s, i) => s + i.principal, 0) + r.prepayment!.principalReduction;
      expect(principal).toBe(1_200_000);
      if (mode === 'reduce-term') {
        expect(after.length).toBeLessThan(before.length);
        expect(after[2]!.total).toBeLessThanOrEqual(before[2]!.total);
      } else {
        expect(after.length).toBe(before.length);
        expect(after[2]!.total).toBeLessThan(before[2]!.total);
      }
      l.reconcile();
      for (let k = 1; k < after.length; k++) dueDay(l, k);
      expect(isSettled(l.book)).toBe(true);
      l.reconcile();
    },
  );

  test('a prepayment with arrears or an amount above the payoff is refused or becomes a payoff', () => {
    const l = newLoan();
    l.apply(fallDue(l.book, 1, due(l, 0)));
    expect(() =>
      applyPayment(l.book, {
        paymentId: 'x',
        amount: 100_000,
        date: addDays(due(l, 0), 2),
        mode: 'reduce-term',
      }),
    ).toThrow(/arrears/);
    const quote = payoffOf(l.book, addDays(due(l, 0), 2));
    expect(
      applyPayment(l.book, { paymentId: 'y', amount: quote.amount, date: quote.date, mode: 'reduce-term' })
        .result.kind,
    ).toBe('payoff');
  });

  test('a reversal reopens the installment it settled and restores the balance exactly', () => {
    const l = newLoan();
    const r = dueDay(l, 0)!;
    const settled = position(l.book);
    expect(l.book.installments[0]!.status).toBe('paid');
    l.apply(reversePayment(l.book, r, 'evt-1', addDays(due(l, 0), 3)));
    expect(openOf(l.book.installments[0]!)).toBe(l.book.installments[0]!.total);
    expect(position(l.book).outstanding).toBe(settled.outstanding + r.amount);
    expect(delinquencyOn(l.book, addDays(due(l, 0), 3))).toEqual({ dpd: 3, bucket: 'M1' });
    l.reconcile();
    expect(nextDue(l.book)).toMatchObject({ seq: 1 });
  });

  test('a reversal of credit already spent leaves an amount owed that the next payment clears first', () => {
    const l = newLoan();
    dueDay(l, 0);
    const r = pay(l, 'over', l.book.installments[1]!.total + 5_000, addDays(due(l, 0), 3));
    dueDay(l, 1);
    expect(l.book.creditBalance).toBe(5_000);
    dueDay(l, 2); // the credit pays part of installment 3
    expect(l.book.creditBalance).toBe(0);
    l.apply(reversePayment(l.book, r, 'evt-2', addDays(due(l, 2), 1)));
    expect(l.book.creditBalance).toBe(-5_000);
    expect(owedBy(l.book, addDays(due(l, 2), 1))).toBe(l.book.installments[1]!.total + 5_000);
    l.reconcile();
    pay(l, 'back', 5_000, addDays(due(l, 2), 2));
    expect(l.book.creditBalance).toBe(0);
    l.reconcile();
  });

  test('prepayment and payoff records refuse automatic reversal', () => {
    const l = newLoan();
    dueDay(l, 0);
    const r = pay(l, 'pre', 200_000, addDays(due(l, 0), 5), 'reduce-installment');
    expect(() => reversePayment(l.book, r, 'evt', addDays(due(l, 0), 6))).toThrow(/needs a person/);
  });

  test('property: any mix of payments, due days and reversals keeps every entry balanced and the ledger equal to the book', () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('pay' as const),
        amount: fc.integer({ min: 1, max: 400_000 }),
        day: fc.integer({ min: 0, max: 29 }),
      }),
      fc.record({ kind: fc.constant('due' as const) }),
      fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat() }),
      fc.record({
        kind: fc.constant('prepay' as const),
        amount: fc.integer({ min: 10_000, max: 300_000 }),
        reduceTerm: fc.boolean(),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
        const l = newLoan();
        const payments: PaymentRecord[] = [];
        let k = 0;
        let today = START;
        let n = 0;
        for (const o of ops) {
          if (isSettled(l.book)) break;
          const next = l.book.installments[k];
          if (o.kind === 'due' && next) {
            today = next.dueDate;
            const r = dueDay(l, k++);
            if (r) payments.push(r);
          } else if (o.kind === 'pay' || o.kind === 'prepay') {
            const date =
              next && addDays(today, o.kind === 'pay' ? o.day : 1) < next.dueDate
                ? addDays(today, o.kind === 'pay' ? o.day : 1)
                : today;
            const amount = Math.min(o.amount, payoffOf(l.book, date).amount);
            if (amount <= 0) continue;
            try {
              payments.push(
                pay(
                  l,
                  `p${n++}`,
                  amount,
                  date,
                  o.kind === 'prepay' ? (o.reduceTerm ? 'reduce-term' : 'reduce-installment') : undefined,
                ),
              );
              today = date;
            } catch (e) {
              expect(e).toBeInstanceOf(DomainError);
            }
          } else if (o.kind === 'reverse' && payments.length > 0) {
            const r = payments.splice(o.pick % payments.length, 1)[0]!;
            try {
              l.apply(reversePayment(l.book, r, `rev${n++}`, today));
            } catch (e) {
              expect(e).toBeInstanceOf(DomainError);
            }
          }
          l.reconcile();
          for (const i of l.book.installments) {
            expect(i.accrued.interest).toBeGreaterThanOrEqual(i.paid.interest);
            expect(i.accrued.fees).toBeGreaterThanOrEqual(i.paid.fees);
            // Not yet due: booked only as far as paid, so re-shaping it loses nothing booked.
            if (i.dueDate > today)
              expect(i.accrued).toEqual({
                interest: i.paid.interest,
                fees: i.paid.fees,
                penalty: i.paid.penalty,
              });
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('the servicing calendar', () => {
  test('a reminder inside contact hours, then the autopay slots of the due day, in order', () => {
    const steps = agendaOf({ seq: 1, dueDate: '2026-02-15' }, cal);
    expect(steps.map((s) => s.kind)).toEqual(['reminder', 'autopay', 'autopay', 'autopay']);
    expect(localDateTimeAt(steps[0]!.at, cal.timeZone)).toEqual({ date: '2026-02-12', hour: 10, minute: 0 });
    expect(steps.slice(1).map((s) => localDateTimeAt(s.at, cal.timeZone).hour)).toEqual([9, 14, 19]);
    expect(steps.map((s) => s.at)).toEqual([...steps.map((s) => s.at)].sort((a, b) => a - b));
  });

  test('contact hours and the order of slots are enforced', () => {
    expect(() => checkCalendar({ ...cal, reminderTime: '21:00' })).toThrow(/contact hours/);
    expect(() => checkCalendar({ ...cal, reminderTime: '07:59' })).toThrow(/contact hours/);
    expect(() => checkCalendar({ ...cal, autopayTimes: ['14:00', '09:00'] })).toThrow(/increasing/);
    expect(() => checkCalendar(cal)).not.toThrow();
  });

  test('the next step skips paid installments and what the watermark has passed', () => {
    const l = newLoan();
    const start = instantOfLocal(START, '12:00', cal.timeZone);
    expect(nextStep(l.book, cal, start)).toMatchObject({ seq: 1, kind: 'reminder' });
    const first = agendaOf(l.book.installments[0]!, cal);
    expect(nextStep(l.book, cal, first[1]!.at)).toMatchObject({ seq: 1, kind: 'autopay', slot: 1 });
    pay(l, 'early', l.book.installments[0]!.total, addDays(due(l, 0), -1));
    expect(nextStep(l.book, cal, start)).toMatchObject({ seq: 2, kind: 'reminder' });
  });

  test('an installment is late only once its last attempt has run unpaid', () => {
    const l = newLoan();
    const i = l.book.installments[0]!;
    const steps = agendaOf(i, cal);
    expect(isLate(i, cal, steps[2]!.at)).toBe(false);
    expect(isLate(i, cal, steps[3]!.at)).toBe(true);
    pay(l, 'p', i.total, i.dueDate);
    expect(isLate(l.book.installments[0]!, cal, steps[3]!.at)).toBe(false);
  });
});

describe('contactDeadline', () => {
  test("is the end of contact hours on the borrower's local day of the instant", () => {
    // 2026-11-20 23:30 in Shanghai is 15:30 UTC: the deadline is that local day's 20:00, already past.
    expect(contactDeadline(Date.parse('2026-11-20T15:30:00Z'), 'Asia/Shanghai')).toBe(
      '2026-11-20T12:00:00.000Z',
    );
    expect(contactDeadline(Date.parse('2026-11-20T16:30:00Z'), 'Asia/Shanghai')).toBe(
      '2026-11-21T12:00:00.000Z',
    );
    expect(contactDeadline(Date.parse('2026-07-01T13:00:00Z'), 'America/New_York', { to: '21:00' })).toBe(
      '2026-07-02T01:00:00.000Z',
    );
  });
});

describe('nextContactOpening', () => {
  const at = (iso: string) => nextContactOpening(Date.parse(iso), 'Asia/Shanghai');
  test('is the instant itself inside contact hours, else when they next open on the local clock', () => {
    // 10:00 Shanghai: inside.
    expect(at('2026-11-20T02:00:00Z')).toBe(Date.parse('2026-11-20T02:00:00Z'));
    // 05:56 Shanghai: the same local day's 08:00.
    expect(at('2026-11-19T21:56:00Z')).toBe(Date.parse('2026-11-20T00:00:00Z'));
    // 20:00 sharp and 23:30 Shanghai: the next local day's 08:00.
    expect(at('2026-11-20T12:00:00Z')).toBe(Date.parse('2026-11-21T00:00:00Z'));
    expect(at('2026-11-20T15:30:00Z')).toBe(Date.parse('2026-11-21T00:00:00Z'));
  });
});
