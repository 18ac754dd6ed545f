import { bringLateChargesUpToDate, NO_LATE_CHARGES } from '../../domain/late-charges';
import { addDays, localDateAt } from '../../domain/localdate';
import { applyPayment, fallDue, owedBy, position, snapshotOf } from '../../domain/loan';
import type { LoanView } from '../../contracts/loan';
import { openLedgeredLoan } from '../support/ledgered-loan';

/**
 * A loan two installments behind, as its workflow would save it to the read model: booked through the
 * domain's own transitions (due dates, a partial payment, late fees and penalty to today), so the
 * arrears a reader derives can be checked against the book they came from.
 */
export function lateLoanView(loanId: string, timeZone: string, creditLineId = `cl_${loanId.slice(3)}`) {
  const today = localDateAt(Date.now(), timeZone);
  const l = openLedgeredLoan({ loanId, start: addDays(today, -70), amount: 1_200_000, termCount: 12 });
  const [first, second] = l.book.installments;
  const paidOn = addDays(first!.dueDate, 4);
  const cap = (payments: { date: string; amount: number }[]) => ({
    disbursed: { date: l.book.startDate, amount: l.quote.netDisbursed },
    payments,
  });
  l.apply(fallDue(l.book, first!.seq, first!.dueDate));
  let charges = l.apply(bringLateChargesUpToDate(l.book, l.product, NO_LATE_CHARGES, paidOn, cap([]))).state;
  l.apply(applyPayment(l.book, { paymentId: `${loanId}:pay:1`, amount: 30_000, date: paidOn }));
  l.apply(fallDue(l.book, second!.seq, second!.dueDate));
  const payments = [{ date: paidOn, amount: 30_000 }];
  charges = l.apply(bringLateChargesUpToDate(l.book, l.product, charges, today, cap(payments))).state;
  l.reconcile();

  const cal = { timeZone, reminderDaysBefore: 3, reminderTime: '10:00', autopayTimes: ['06:00', '18:00'] };
  const snap = snapshotOf(l.book, cal, Date.now(), today);
  const cny = (amount: number) => ({ amount, currency: 'CNY' });
  const view = {
    id: loanId,
    creditLineId,
    customerId: 'cust_hash_late',
    productCode: 'cash-installment',
    method: l.quote.method,
    annualRate: l.quote.annualRate,
    termMonths: 12,
    timeZone,
    status: 'delinquent',
    principal: cny(l.quote.principal),
    outstanding: cny(snap.outstanding),
    creditBalance: cny(snap.creditBalance),
    receivable: snap.receivable,
    dpd: snap.dpd,
    bucket: snap.bucket,
    stage: 'middle',
    nextDue: snap.nextDue,
    installments: snap.installments,
    autopayAttempts: [],
    reminders: [],
    payments: [
      { paymentId: `${loanId}:pay:1`, amount: 30_000, date: paidOn, kind: 'allocation', reversed: false },
    ],
    disbursement: { payoutId: `po_${loanId}`, netAmount: l.quote.netDisbursed, date: l.book.startDate },
    failure: null,
    exceptions: [],
    lateCharges: {
      lateFees: charges.lateFeeCharged.length,
      penaltyThrough: charges.penaltyThrough,
      capped: 0,
    },
    ledgerPending: 0,
    version: 1,
  } as LoanView;

  // What the book says is owed past due, each part computed from the installments themselves.
  const due = l.book.installments.filter((i) => i.dueDate <= today);
  const p = position(l.book);
  const expected = {
    total: owedBy(l.book, today),
    principal: due.reduce((s, i) => s + i.principal - i.paid.principal, 0),
    interest: p.interest,
    fees: p.fees,
    penalty: p.penalty,
    since: first!.dueDate,
  };
  return { view, expected, today };
}
