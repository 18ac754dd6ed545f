import {
  assertBalanced,
  disbursementEntry,
  type JournalEntry,
  type LedgerAccount,
  loanPosition,
} from '../../domain/ledger';
import {
  allocationOrderOf,
  type Booked,
  type LoanBook,
  openBook,
  position,
  priceLoan,
} from '../../domain/loan';
import { getProduct, type Product } from '../../domain/products';
import type { Quote } from '../../domain/quote';

/** The position of a loan with nothing left on its books: paid off, settled or written off. */
export const NOTHING_OWED = { principal: 0, interest: 0, fees: 0, penalty: 0, credit: 0, outstanding: 0 };

/**
 * A loan as the workflow holds it in domain tests: the book and the journal written for it so far,
 * folded the way the database folds it. Every transition goes through `apply`, which checks each
 * entry balances and no source event is posted twice.
 */
export class LedgeredLoan {
  entries: JournalEntry[] = [];
  constructor(
    public book: LoanBook,
    readonly product: Product,
    readonly quote: Quote,
    /** The risk reserve booked at disbursement. */
    readonly reserve: number,
  ) {}

  apply<R>(b: Booked<R>): R {
    for (const e of b.entries) assertBalanced(e);
    const ids = [...this.entries, ...b.entries].map((e) => e.sourceEventId);
    expect(new Set(ids).size).toBe(ids.length);
    this.entries.push(...b.entries);
    this.book = b.book;
    return b.result;
  }

  /** Debit minus credit per account. */
  balances(): Partial<Record<LedgerAccount, number>> {
    const out: Partial<Record<LedgerAccount, number>> = {};
    for (const e of this.entries)
      for (const l of e.lines) out[l.account] = (out[l.account] ?? 0) + l.debit - l.credit;
    return out;
  }

  /** The reconciliation the workflow promises: the journal's position is the book's. */
  reconcile(): void {
    expect(loanPosition(this.balances())).toEqual(position(this.book));
  }
}

export interface LoanTerms {
  loanId: string;
  start: string;
  code?: string;
  product?: Product;
  amount?: number;
  termCount?: number;
}

/** Priced on the product's terms at 12%, opened on `start`, and its disbursement posted. */
export function openLedgeredLoan<L extends LedgeredLoan>(
  t: LoanTerms,
  Kind: new (book: LoanBook, product: Product, quote: Quote, reserve: number) => L = LedgeredLoan as never,
): L {
  const p = t.product ?? getProduct(t.code ?? 'cash-installment');
  const { quote, riskReserve } = priceLoan(p, {
    amount: t.amount ?? 1_200_000,
    currency: 'CNY',
    termCount: t.termCount ?? 12,
    method: p.method,
    annualRate: '0.12',
    startDate: t.start,
  });
  const book = openBook({
    loanId: t.loanId,
    currency: 'CNY',
    annualRate: quote.annualRate,
    method: quote.method,
    dayCount: quote.dayCount,
    period: quote.period,
    startDate: t.start,
    order: allocationOrderOf(p.allocationOrder),
    schedule: quote.installments,
  });
  const l = new Kind(book, p, quote, riskReserve);
  l.entries.push(
    disbursementEntry({
      loanId: t.loanId,
      eventId: `${t.loanId}:disbursement`,
      date: t.start,
      currency: 'CNY',
      principal: quote.principal,
      cashOut: quote.netDisbursed,
      originationFee: quote.fees.origination,
      riskReserve,
    }),
  );
  return l;
}
