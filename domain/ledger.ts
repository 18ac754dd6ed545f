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
  | 'risk_reserve_provision';

export const LEDGER_ACCOUNTS: readonly LedgerAccount[] = [
  'loan_principal_receivable',
  'interest_receivable',
  'fee_receivable',
  'penalty_receivable',
  'cash_clearing',
  'interest_income',
  'fee_income',
  'penalty_income',
  'customer_credit_balance',
  'risk_reserve_expense',
  'risk_reserve_provision',
];

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
    dr('risk_reserve_expense', p.riskReserve),
    cr('risk_reserve_provision', p.riskReserve),
  ]);
}

/** Interest, fees and penalty become owed (an installment falls due, or accrued-to-date at payoff). */
export function accrualEntry(
  p: EntryHead & { interest: number; fees: number; penalty: number },
): JournalEntry {
  return entry(p, 'accrual', [
    dr('interest_receivable', p.interest),
    cr('interest_income', p.interest),
    dr('fee_receivable', p.fees),
    cr('fee_income', p.fees),
    dr('penalty_receivable', p.penalty),
    cr('penalty_income', p.penalty),
  ]);
}

/** Money received (and credit balance used) settles receivables; any excess is held as credit. */
export function repaymentEntry(
  p: EntryHead & {
    received: number;
    fromCredit?: number;
    principal: number;
    interest: number;
    fees: number;
    penalty: number;
    toCredit: number;
  },
): JournalEntry {
  return entry(p, 'repayment', [
    dr('cash_clearing', p.received),
    dr('customer_credit_balance', p.fromCredit ?? 0),
    cr('loan_principal_receivable', p.principal),
    cr('interest_receivable', p.interest),
    cr('fee_receivable', p.fees),
    cr('penalty_receivable', p.penalty),
    cr('customer_credit_balance', p.toCredit),
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
