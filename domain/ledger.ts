import { DomainError } from './errors';
import type { Currency } from './money';

/**
 * Posting rules of the double-entry ledger. Each business event becomes one journal entry whose
 * debits equal its credits; the database enforces the same and refuses a second entry with the
 * same source event id, so replays and retries post nothing twice.
 */

export type LedgerAccount =
  | 'loan_principal_receivable'
  | 'interest_receivable'
  | 'fee_receivable'
  | 'penalty_receivable'
  | 'cash_clearing'
  | 'interest_income'
  | 'fee_income'
  | 'penalty_income'
  | 'customer_credit_balance'
  | 'risk_reserve_expense'
  | 'risk_reserve_provision'
  | 'write_off_expense'
  | 'recovery_income';

export interface JournalLine {
  account: LedgerAccount;
  debit: number;
  credit: number;
}

export interface JournalEntry {
  sourceEventId: string;
  loanId: string;
  kind: string;
  effectiveDate: string;
  currency: Currency;
  lines: JournalLine[];
}

interface EntryHead {
  loanId: string;
  eventId: string;
  date: string;
  currency: Currency;
}

const dr = (account: LedgerAccount, amount: number): JournalLine => ({ account, debit: amount, credit: 0 });
const cr = (account: LedgerAccount, amount: number): JournalLine => ({ account, debit: 0, credit: amount });

/** One amount debited to one account and credited to another: the pair balances by itself. */
const debitCredit = (debit: LedgerAccount, credit: LedgerAccount, amount: number): JournalLine[] => [
  dr(debit, amount),
  cr(credit, amount),
];

interface Receivables {
  principal: number;
  interest: number;
  fees: number;
  penalty: number;
}

/**
 * What a borrower owes lives in four receivables; settling them (paid, or written off) credits each by
 * its part, in this order, so every entry that settles lists them alike.
 */
const settled = (p: Receivables): JournalLine[] => [
  cr('loan_principal_receivable', p.principal),
  cr('interest_receivable', p.interest),
  cr('fee_receivable', p.fees),
  cr('penalty_receivable', p.penalty),
];

function entry(head: EntryHead, kind: string, lines: JournalLine[]): JournalEntry {
  const e: JournalEntry = {
    sourceEventId: head.eventId,
    loanId: head.loanId,
    kind,
    effectiveDate: head.date,
    currency: head.currency,
    // Zero lines say nothing and the database refuses them.
    lines: lines.filter((l) => l.debit !== 0 || l.credit !== 0),
  };
  assertBalanced(e);
  return e;
}

/** Money out to the borrower (or card issuer): principal owed, cash paid, a deducted fee earned, the reserve booked. */
export function disbursementEntry(
  p: EntryHead & { principal: number; cashOut: number; originationFee: number; riskReserve: number },
): JournalEntry {
  return entry(p, 'disbursement', [
    dr('loan_principal_receivable', p.principal),
    cr('cash_clearing', p.cashOut),
    cr('fee_income', p.originationFee),
    ...debitCredit('risk_reserve_expense', 'risk_reserve_provision', p.riskReserve),
  ]);
}

/** Interest, fees and penalty become owed (an installment falls due, or accrued-to-date at payoff). */
export function accrualEntry(
  p: EntryHead & { interest: number; fees: number; penalty: number },
): JournalEntry {
  return entry(p, 'accrual', [
    ...debitCredit('interest_receivable', 'interest_income', p.interest),
    ...debitCredit('fee_receivable', 'fee_income', p.fees),
    ...debitCredit('penalty_receivable', 'penalty_income', p.penalty),
  ]);
}

/** Money received (and credit balance used) settles receivables; any excess is held as credit. */
export function repaymentEntry(
  p: EntryHead & Receivables & { received: number; fromCredit?: number; toCredit: number },
): JournalEntry {
  return entry(p, 'repayment', [
    dr('cash_clearing', p.received),
    dr('customer_credit_balance', p.fromCredit ?? 0),
    ...settled(p),
    cr('customer_credit_balance', p.toCredit),
  ]);
}

/**
 * An unrecoverable balance leaves the books: every receivable is credited by what is left of it. The
 * provision booked at disbursement exists to absorb this loss, so it is used first; only the part it
 * cannot cover is a new expense.
 */
export function writeOffEntry(p: EntryHead & Receivables & { reserve: number }): JournalEntry {
  const total = p.principal + p.interest + p.fees + p.penalty;
  const absorbed = Math.min(p.reserve, total);
  return entry(p, 'write-off', [
    dr('risk_reserve_provision', absorbed),
    dr('write_off_expense', total - absorbed),
    ...settled(p),
  ]);
}

/** Money received on a written-off loan: the receivables are gone, so it is income, not a repayment. */
export function recoveryEntry(p: EntryHead & { amount: number }): JournalEntry {
  return entry(p, 'recovery', debitCredit('cash_clearing', 'recovery_income', p.amount));
}

/** Credit held for the borrower goes back to them: the liability and the cash leave together. */
export function refundEntry(p: EntryHead & { amount: number }): JournalEntry {
  return entry(p, 'refund', debitCredit('customer_credit_balance', 'cash_clearing', p.amount));
}

/**
 * A settlement forgives interest or penalty already booked as earned. It is taken back out of the
 * income it was booked to (contra-income), not expensed: the income was never going to be earned, and
 * an expense line would overstate both income and cost by the same amount.
 */
export function waiverEntry(p: EntryHead & { interest: number; penalty: number }): JournalEntry {
  return entry(p, 'waiver', [
    ...debitCredit('interest_income', 'interest_receivable', p.interest),
    ...debitCredit('penalty_income', 'penalty_receivable', p.penalty),
  ]);
}

/** Undoes an entry exactly (a payment returned or charged back); the original stays on the books. */
export function reversalEntry(original: JournalEntry, eventId: string, date: string): JournalEntry {
  return entry(
    { loanId: original.loanId, eventId, date, currency: original.currency },
    `reversal:${original.kind}`,
    original.lines.map((l) => ({ account: l.account, debit: l.credit, credit: l.debit })),
  );
}

export function assertBalanced(e: JournalEntry): void {
  let debits = 0;
  let credits = 0;
  for (const l of e.lines) {
    if (!Number.isSafeInteger(l.debit) || !Number.isSafeInteger(l.credit) || l.debit < 0 || l.credit < 0) {
      throw new DomainError(`lines.${l.account}`, 'amounts must be non-negative integers of minor units');
    }
    if (l.debit > 0 && l.credit > 0)
      throw new DomainError(`lines.${l.account}`, 'a line is either a debit or a credit');
    debits += l.debit;
    credits += l.credit;
  }
  if (debits !== credits) {
    throw new DomainError(
      'lines',
      `entry ${e.sourceEventId} does not balance: debits ${debits} ≠ credits ${credits}`,
      'unbalanced',
    );
  }
}

export interface LoanPosition {
  principal: number;
  interest: number;
  fees: number;
  penalty: number;
  credit: number;
  /** What the borrower owes net of credit held for them. */
  outstanding: number;
}

/** A loan's position from its account balances (debit minus credit per account). */
export function loanPosition(balances: Partial<Record<LedgerAccount, number>>): LoanPosition {
  const principal = balances.loan_principal_receivable ?? 0;
  const interest = balances.interest_receivable ?? 0;
  const fees = balances.fee_receivable ?? 0;
  const penalty = balances.penalty_receivable ?? 0;
  // A liability carries a credit balance, i.e. a negative debit-minus-credit figure.
  const credit = 0 - (balances.customer_credit_balance ?? 0) || 0;
  return {
    principal,
    interest,
    fees,
    penalty,
    credit,
    outstanding: principal + interest + fees + penalty - credit,
  };
}
