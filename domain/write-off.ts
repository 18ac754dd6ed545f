/**
 * The end of a loan that is not repaid in full: a write-off (核销) when it is judged unrecoverable,
 * recoveries after it, and a negotiated settlement that forgives penalty and interest (docs/design.md, "Lifecycles").
 */
import { DomainError } from './errors';
import { type JournalEntry, recoveryEntry, waiverEntry, writeOffEntry } from './ledger';
import {
  applyPayment,
  type BookInstallment,
  type Booked,
  head,
  type LoanBook,
  payoffOf,
  type PaymentRecord,
  position,
} from './loan';
import { assertMinor } from './money';

export function writeOffBook(
  book: LoanBook,
  date: string,
  reserve: number,
): Booked<{ principal: number; interest: number; fees: number; penalty: number; total: number }> {
  if (book.writtenOff)
    throw new DomainError('loanId', `${book.loanId} is already written off`, 'written_off');
  assertMinor(reserve, 'reserve');
  if (reserve < 0) throw new DomainError('reserve', 'the reserve must not be negative');
  if (date < book.startDate) throw new DomainError('date', `the loan started on ${book.startDate}`);
  // Only what is booked is written off: interest not yet due was never income, so it is simply not owed.
  const { principal, interest, fees, penalty } = position(book);
  const total = principal + interest + fees + penalty;
  if (total <= 0) throw new DomainError('loanId', `${book.loanId} has no balance to write off`, 'settled');
  const entry = writeOffEntry({
    ...head(book, 'write-off', date),
    principal,
    interest,
    fees,
    penalty,
    reserve,
  });
  return {
    book: { ...book, writtenOff: { date, principal, interest, fees, penalty, recovered: 0 } },
    entries: [entry],
    result: { principal, interest, fees, penalty, total },
  };
}

/** `recovered` is the running total since the write-off; `remaining` what may still be recovered. */
export function recoverPayment(
  book: LoanBook,
  p: { paymentId: string; amount: number; date: string },
): Booked<{ recovered: number; remaining: number }> {
  const off = book.writtenOff;
  if (!off) throw new DomainError('loanId', `${book.loanId} is not written off`, 'not_written_off');
  assertMinor(p.amount, 'amount.amount');
  if (p.amount <= 0) throw new DomainError('amount.amount', `amount must be positive, got ${p.amount}`);
  const open = off.principal + off.interest + off.fees + off.penalty - off.recovered;
  if (p.amount > open) {
    throw new DomainError(
      'amount.amount',
      `only ${open} of the written-off balance is left to recover`,
      'over_recovery',
    );
  }
  const recovered = off.recovered + p.amount;
  return {
    book: { ...book, writtenOff: { ...off, recovered } },
    entries: [recoveryEntry({ ...head(book, `recovery:${p.paymentId}`, p.date), amount: p.amount })],
    result: { recovered, remaining: open - p.amount },
  };
}

export function settleWithWaiver(
  book: LoanBook,
  p: { paymentId: string; amount: number; date: string },
): Booked<{ record: PaymentRecord; waived: { interest: number; penalty: number } }> {
  if (book.writtenOff) {
    throw new DomainError('loanId', `${book.loanId} is written off: take money as a recovery`, 'written_off');
  }
  assertMinor(p.amount, 'amount.amount');
  if (p.amount <= 0) throw new DomainError('amount.amount', `amount must be positive, got ${p.amount}`);
  const quote = payoffOf(book, p.date);
  const { dueInterest, accruedInterest, penalties } = quote.breakdown;
  const floor = quote.amount - dueInterest - accruedInterest - penalties;
  if (p.amount < floor) {
    throw new DomainError(
      'amount.amount',
      `a settlement must cover principal and fees: at least ${floor}`,
      'below_settlement_floor',
    );
  }
  const shortfall = Math.max(0, quote.amount - p.amount);
  const penalty = Math.min(shortfall, penalties);
  const interest = shortfall - penalty;

  const w = forgive(book, p.date, penalty, interest);
  if (payoffOf(w.book, p.date).amount > p.amount)
    throw new Error('waiver did not bring the payoff to the amount');
  const entries: JournalEntry[] = [];
  if (w.booked.interest + w.booked.penalty > 0) {
    entries.push(waiverEntry({ ...head(book, `waiver:${p.paymentId}`, p.date), ...w.booked }));
  }
  // The amount now equals the reduced payoff, so the payment takes the payoff path and closes the loan.
  const paid = applyPayment(w.book, p);
  return {
    book: paid.book,
    entries: [...entries, ...paid.entries],
    result: { record: paid.result, waived: { interest, penalty } },
  };
}

/**
 * Lowers the installments' penalty and interest so the payoff quote drops by exactly the amounts
 * given, and reports the part that had been booked (the rest was never income and needs no entry).
 * Each figure comes down from the top, so what is unbooked goes first.
 */
function forgive(book: LoanBook, date: string, penalty: number, interest: number) {
  const booked = { interest: 0, penalty: 0 };
  const lower = (i: BookInstallment, c: 'interest' | 'penalty', by: number): BookInstallment => {
    const to = i[c] - by;
    const accrued = { ...i.accrued };
    if (accrued[c] > to) {
      booked[c] += accrued[c] - to;
      accrued[c] = to;
    }
    const total = c === 'interest' ? i.total - by : i.total;
    return { ...i, [c]: to, accrued, total };
  };
  let left = penalty;
  let installments = book.installments.map((i) => {
    const by = Math.min(left, i.penalty - i.paid.penalty);
    left -= by;
    return by > 0 ? lower(i, 'penalty', by) : i;
  });

  // Interest to date lives in the payoff quote as a cap on the next installment's interest: lowering that
  // installment to the reduced figure makes the cap bind there, so the quote drops by exactly that much.
  left = interest;
  const toDate = payoffOf(book, date).breakdown.accruedInterest;
  const next = installments.findIndex((i) => i.dueDate > date);
  if (left > 0 && toDate > 0 && next >= 0) {
    const by = Math.min(left, toDate);
    const i = installments[next]!;
    installments[next] = lower(i, 'interest', i.interest - i.paid.interest - (toDate - by));
    left -= by;
  }
  installments = installments.map((i) => {
    if (i.dueDate > date) return i;
    const by = Math.min(left, i.interest - i.paid.interest);
    left -= by;
    return by > 0 ? lower(i, 'interest', by) : i;
  });
  return { book: { ...book, installments }, booked };
}
