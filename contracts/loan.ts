import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Bucket, Stage } from '../domain/delinquency';
import type { InstallmentView, LoanStatus, PaymentKind } from '../domain/loan';
import type {
  AutopayAttempt,
  ExtensionResult,
  LoanException,
  RepaymentResult,
  SettlementTerms,
} from '../domain/loan-servicing';
import type { Money } from '../domain/money';
import type { PayoffBreakdown } from '../domain/payoff';
import type { PrepaymentMode } from '../domain/prepayment';

/**
 * The loan's contract (`loan:{loanId}`): its input, messages and view, defined once and imported by the
 * workflow, the activities, the API and the tests (docs/design.md, "Layers"). Payloads are plain JSON;
 * money is minor units with currency.
 */

export type { InstallmentView };

export type { LoanStatus };

/** The loan's answers and records are the machine's own (domain/loan-servicing.ts), handed on as they are. */
export type { AutopayAttempt, ExtensionResult, LoanException, RepaymentResult, SettlementTerms };

export interface PaymentSummary {
  paymentId: string;
  amount: number;
  date: string;
  /** `recovery`: received after write-off, booked as recovery income rather than allocated. */
  kind: PaymentKind | 'recovery';
  reversed: boolean;
}

export interface LoanView {
  id: string;
  creditLineId: string;
  customerId: string;
  productCode: string;
  method: string;
  annualRate: string;
  termMonths: number;
  /** The borrower's zone: due dates and DPD are days of its calendar. */
  timeZone?: string;
  /** The delinquency buckets the loan began with, so DPD counted later lands in the same ones. */
  buckets?: Bucket[];
  status: LoanStatus;
  principal: Money;
  /** Booked and unpaid (principal, plus interest and fees already due) net of credit held. */
  outstanding: Money;
  creditBalance: Money;
  /** The ledger's receivables as the workflow holds them, for reconciliation. */
  receivable: { principal: number; interest: number; fees: number; penalty: number };
  dpd: number;
  bucket: string;
  /** Delinquency stage: current, early (M1), middle (M2–M3), late (M4+), written_off. */
  stage: Stage;
  nextDue: { seq: number; dueDate: string; amount: number } | null;
  installments: InstallmentView[];
  autopayAttempts: AutopayAttempt[];
  reminders: { seq: number; at: string; sent: boolean }[];
  payments: PaymentSummary[];
  disbursement: { payoutId: string; netAmount: number; date: string } | null;
  /** Why the loan failed before money went out. */
  failure: { code: string; message: string } | null;
  /** Provider callbacks that could not be applied automatically; an operator looks at these. */
  exceptions: LoanException[];
  /** Late fees charged (count), penalty booked through each installment's date, and what the APR cap refused. */
  lateCharges?: { lateFees: number; penaltyThrough: Record<string, string>; capped: number };
  extensions?: ExtensionResult[];
  /** An approved settlement waiting for its money. */
  settlement?: (SettlementTerms & { received: number }) | null;
  /** How a closed loan closed: repaid in full, or by a settlement that waived the rest. */
  closedAs?: 'paid' | 'settled' | null;
  writtenOff?: { date: string; amount: number; recovered: number } | null;
  /** Credit left after payoff, paid back to the borrower's card (`{loanId}:refund:{n}` at the bank and in the ledger). */
  refunds?: { refundId: string; amount: number; payoutId: string; date: string }[];
  /** Journal entries decided but not yet confirmed posted. */
  ledgerPending: number;
  /** Increases with every read-model write, so a late write never overwrites a newer one. */
  version: number;
}

export const getLoan = defineQuery<LoanView>('getLoan');
/** The answer a payment got, by its id; null when the loan never took it. A closed loan still answers. */
export const getPayment = defineQuery<RepaymentResult | null, [string]>('getPayment');

export interface RepaymentRequest {
  /** Chosen by the caller (the API derives it from the Idempotency-Key): a repeated id is answered, not applied. */
  paymentId: string;
  amount: Money;
  channel: string;
  /** Given: a partial prepayment that re-amortises the rest. Absent: pay what is due, excess held as credit. */
  mode?: PrepaymentMode;
}

/** Pay now. The validator refuses a non-positive amount, another currency, a loan not in service, an amount above the payoff. */
export const repay = defineUpdate<RepaymentResult, [RepaymentRequest]>('repay');

export interface PayoffQuote {
  amount: Money;
  date: string;
  breakdown: PayoffBreakdown & { credit: number };
}

/** What settles the loan in full on a local date (YYYY-MM-DD). */
export const payoffQuote = defineQuery<PayoffQuote, [string]>('payoffQuote');

export interface PaymentCallback {
  /** The provider's event id: each is applied once. */
  eventId: string;
  kind: 'success' | 'reversal';
  paymentId: string;
  amount: Money;
}

/** A provider callback, verified by the webhook (HMAC, replay window) before it is signalled. */
export const paymentCallback = defineSignal<[PaymentCallback]>('paymentCallback');

export interface ExtensionRequest {
  /** From the API's idempotency key: a repeated id is answered, not granted twice. */
  extensionId: string;
  /** Days every unpaid installment's due date moves. */
  days: number;
  actor: string;
}

/** Defer the due dates under the product's policy; the validator names the rule that refuses. */
export const extendLoan = defineUpdate<ExtensionResult, [ExtensionRequest]>('extendLoan');

/** Collection asks the loan to try the borrower's card again (M1); the key names the retry. */
export interface AutopayRetry {
  retryId: string;
}
export const retryAutopay = defineSignal<[AutopayRetry]>('retryAutopay');

/** Collection approved a settlement (domain/loan-servicing.ts `SettlementTerms`). */
export const settlementApproved = defineSignal<[SettlementTerms]>('settlementApproved');

export const loanWorkflowId = (loanId: string): string => `loan:${loanId}`;

/** What the credit line hands a new loan workflow (plain JSON). */
export interface LoanInput {
  loanId: string;
  creditLineId: string;
  customerId: string;
  productCode: string;
  principal: Money;
  termMonths: number;
  method: string;
  purpose: string;
  /** The line's priced annual rate, decimal string. */
  annualRate: string;
  /** Borrowers' local calendar and contact hours. */
  timeZone: string;
  /** Where the money goes: the borrower's card, or the card issuer for card-repayment products. */
  payee: { kind: 'borrower' | 'card-issuer'; bankCard: string };
  /**
   * The borrower's own card that autopay debits and refunds go back to. Absent on loans started before
   * it was kept: those use the payout card when it is the borrower's, and have none when it is an issuer's.
   */
  repaymentCard?: string;
  /** Borrower's identifiers for the pre-disbursement blacklist refresh (PII; the payload codec of a later issue encrypts it). */
  borrower: { idNumber: string; phone: string };
}
