import { applyPayment, fallDue, payoffOf } from '../../domain/loan';
import { bookRefund, refundableCredit } from '../../domain/refund';
import { expectDomainError } from '../support/domain-error';
import { openLedgeredLoan } from '../support/ledgered-loan';

const START = '2030-01-15';
const PAY_DATE = '2030-03-02';

function paidOffWithExtra(extra: number) {
  const l = openLedgeredLoan({ loanId: 'ln_refund', start: START, amount: 600_000, termCount: 6 });
  l.apply(fallDue(l.book, 1, l.book.installments[0]!.dueDate));
  const quote = payoffOf(l.book, PAY_DATE);
  const r = l.apply(applyPayment(l.book, { paymentId: 'p1', amount: quote.amount + extra, date: PAY_DATE }));
  return { l, payoff: quote.amount, record: r };
}

test('credit left after a payoff is refundable, and the refund takes it off the books to the cent', () => {
  const { l, record } = paidOffWithExtra(1_234);
  expect(record.kind).toBe('payoff');
  expect(l.book.creditBalance).toBe(1_234);
  expect(refundableCredit(l.book)).toBe(1_234);

  const refund = l.apply(bookRefund(l.book, { refundId: 'refund:1', amount: 1_234, date: PAY_DATE }));
  expect(refund.amount).toBe(1_234);
  expect(l.book.creditBalance).toBe(0);
  expect(refundableCredit(l.book)).toBe(0);
  const entry = l.entries.at(-1)!;
  expect(entry).toMatchObject({
    sourceEventId: 'ln_refund:refund:1',
    kind: 'refund',
    effectiveDate: PAY_DATE,
  });
  expect(entry.lines).toEqual([
    { account: 'customer_credit_balance', debit: 1_234, credit: 0 },
    { account: 'cash_clearing', debit: 0, credit: 1_234 },
  ]);
  // Nothing owed and nothing held: every receivable and the credit account fold to zero.
  const b = l.balances();
  expect(b.customer_credit_balance).toBe(0);
  expect(b.loan_principal_receivable ?? 0).toBe(0);
  l.reconcile();
});

test('a partial refund leaves the rest held; more than is held is refused with the field', () => {
  const { l } = paidOffWithExtra(500);
  l.apply(bookRefund(l.book, { refundId: 'refund:1', amount: 200, date: PAY_DATE }));
  expect(refundableCredit(l.book)).toBe(300);
  expectDomainError(
    () => bookRefund(l.book, { refundId: 'refund:2', amount: 301, date: PAY_DATE }),
    'amount',
    'refund_exceeds_credit',
  );
  for (const amount of [0, -5, 1.5]) {
    expectDomainError(() => bookRefund(l.book, { refundId: 'refund:2', amount, date: PAY_DATE }), 'amount');
  }
  l.reconcile();
});

test('credit on a loan still owing settles it instead: nothing is refundable', () => {
  const l = openLedgeredLoan({ loanId: 'ln_owing', start: START, amount: 600_000, termCount: 6 });
  const first = l.book.installments[0]!;
  l.apply(fallDue(l.book, 1, first.dueDate));
  l.apply(applyPayment(l.book, { paymentId: 'p1', amount: first.total + 5_000, date: first.dueDate }));
  expect(l.book.creditBalance).toBe(5_000);
  expect(refundableCredit(l.book)).toBe(0);
  expectDomainError(
    () => bookRefund(l.book, { refundId: 'refund:1', amount: 5_000, date: first.dueDate }),
    'amount',
    'refund_exceeds_credit',
  );
});

test('a written-off loan refunds nothing: what it receives later is recovery income', () => {
  const { l } = paidOffWithExtra(100);
  const writtenOff = { date: PAY_DATE, principal: 0, interest: 0, fees: 0, penalty: 0, recovered: 0 };
  expect(refundableCredit({ ...l.book, writtenOff })).toBe(0);
  expect(refundableCredit(l.book)).toBe(100);
});
