import { DomainError } from './errors';
import { refundEntry } from './ledger';
import { type Booked, head, isSettled, type LoanBook } from './loan';

/**
 * Credit left on a paid-off loan is the borrower's money: it goes back to them rather than sitting
 * on a closed account. While anything is still owed, credit stays to settle it (domain/loan.ts
 * `useCredit`), so nothing is refundable before the loan is settled, nor after a write-off, whose
 * later receipts are recoveries.
 */
export function refundableCredit(book: LoanBook): number {
  if (book.writtenOff) return 0;
  return isSettled(book) ? Math.max(0, book.creditBalance) : 0;
}

export interface CreditRefund {
  refundId: string;
  amount: number;
  date: string;
}

/**
 * Books a refund the bank has paid: `refundId` is the payout's idempotency key suffix
 * (`refund:{n}`), so the journal entry and the bank's statement line name the same event.
 */
export function bookRefund(book: LoanBook, p: CreditRefund): Booked<CreditRefund> {
  const refundable = refundableCredit(book);
  if (!Number.isSafeInteger(p.amount) || p.amount <= 0) {
    throw new DomainError('amount', 'a refund is a positive whole number of minor units');
  }
  if (p.amount > refundable) {
    throw new DomainError(
      'amount',
      `only ${refundable} of credit is refundable, not ${p.amount}`,
      'refund_exceeds_credit',
    );
  }
  return {
    book: { ...book, creditBalance: book.creditBalance - p.amount },
    entries: [refundEntry({ ...head(book, p.refundId, p.date), amount: p.amount })],
    result: p,
  };
}
