import type { Currency } from '../../domain/money';

/**
 * The contract with the bank (payouts, autopay debits, statements): what we send, what it answers, and the
 * interface every implementation (sandbox, HTTP) keeps. Imported by adapters, activities and workflows.
 */

export interface PayRequest {
  /** From a business id (`{loanId}:disbursement`): the bank pays one key at most once, ever. */
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  toCard: string;
  payee: string;
}

export interface Payout {
  payoutId: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  toCard: string;
  payee: string;
  status: 'paid';
  /** ISO instant. */
  paidAt: string;
}

export interface DebitRequest {
  /** `{loanId}:autopay:{seq}:{attempt-slot}`: one key per attempt, so a retried attempt is not a second debit. */
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  fromCard: string;
  /** The borrower's local due date (ISO) this attempt collects for. */
  dueDate: string;
}

export type DebitFailureReason = 'INSUFFICIENT_FUNDS' | 'CARD_BLOCKED' | 'MANDATE_MISSING';

/** A refused debit is an answer, not an error: the workflow reacts to it (retry slot, delinquency). */
export type DebitResult =
  | { status: 'succeeded'; debitId: string; amountMinor: number; currency: Currency; debitedAt: string }
  | { status: 'failed'; reason: DebitFailureReason };

/** Money that moved on a bank business day, as the bank books it: what reconciliation trusts. */
export interface StatementItem {
  kind: 'payout' | 'debit';
  /** The bank's id: payoutId or debitId. */
  reference: string;
  /** Ours, as sent: it names the loan and the event (`{loanId}:disbursement`, `{loanId}:autopay:{seq}:{slot}`). */
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  /** ISO instant. */
  at: string;
}

export interface BankStatement {
  /** The bank's business day (ISO local date in the bank's zone). */
  date: string;
  items: StatementItem[];
}

export interface BankGateway {
  /** Disbursement. Throws ProviderError: non-retryable when the bank refused, retryable when the outcome is unknown. */
  pay(request: PayRequest): Promise<Payout>;
  /** Autopay collection. */
  debit(request: DebitRequest): Promise<DebitResult>;
  /** The bank's own record of the debit asked under `idempotencyKey`, whatever its amount; null if none. */
  findDebit(idempotencyKey: string): Promise<DebitResult | null>;
  /** Payouts made and debits collected on one business day; refused debits moved nothing and are not listed. */
  statement(date: string): Promise<BankStatement>;
}

export interface DebitRecord {
  request: DebitRequest;
  result: DebitResult;
}
