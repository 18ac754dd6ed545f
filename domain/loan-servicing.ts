import type { LastFiling } from './bureau-reporting';
import { type LateChargeState, NO_LATE_CHARGES } from './late-charges';
import type { allocationSummary, LoanStatus, PaymentKind, PaymentRecord } from './loan';
import type { Money } from './money';
import type { PrepaymentMode } from './prepayment';

/**
 * What a serviced loan keeps beside its book: the answers it gave, the debits it tried, what waits
 * for a person, and the state of its late-loan servicing. The loan's machine (domain/loan-machine.ts)
 * writes these; contracts/loan.ts hands the answers to callers as they are.
 */

export interface RepaymentResult {
  paymentId: string;
  /** `recovery`: money received after write-off, booked as recovery income. */
  kind: PaymentKind | 'recovery';
  allocation: ReturnType<typeof allocationSummary>;
  prepayment?: {
    mode: PrepaymentMode;
    accruedInterest: number;
    principalReduction: number;
    installmentsAfter: number;
  };
  recovery?: { recovered: number; remaining: number };
  outstanding: Money;
  creditBalance: Money;
  status: LoanStatus;
}

export interface ExtensionResult {
  extensionId: string;
  days: number;
  fee: Money;
  /** Due dates of the unpaid installments after the move. */
  dueDates: { seq: number; from: string; to: string }[];
  extensionsUsed: number;
  status: LoanStatus;
}

/** An approved settlement: if `amount` arrives by `payBy`, the rest of the interest and penalty is waived and the loan closes as settled. */
export interface SettlementTerms {
  offerId: string;
  amount: Money;
  payBy: string;
}

export interface AutopayAttempt {
  seq: number;
  slot: number;
  /** ISO instant of the attempt. */
  at: string;
  result: 'succeeded' | 'failed';
  /** Why the bank refused the debit (INSUFFICIENT_FUNDS…), kept for collection and the borrower. */
  reason?: string;
  amount: number;
  /** The payment a successful debit became; a provider reversal names it. */
  paymentId?: string;
  /** Set on a retry collection asked for (slot is then -1). */
  retryId?: string;
}

/** Money the loan could not book by itself (a callback that does not fit, a refused refund): an operator looks at it. */
export interface LoanException {
  eventId: string;
  paymentId: string;
  reason: string;
}

/** A payment the loan booked, kept by its id so the same id hears the same answer. */
export interface TakenPayment {
  record: PaymentRecord;
  answer: RepaymentResult;
  channel: string;
  reversed: boolean;
}

/** What servicing a late loan adds to the loan's state (absent in runs started before it existed). */
export interface Servicing {
  charges: LateChargeState;
  extensions: Record<string, ExtensionResult>;
  retries: { pending: string[]; done: string[] };
  /** The running collection child: the episode (oldest due date it began on) and the last update sent. */
  collection: { episode: string; sent: string } | null;
  /** The line was told this loan holds it. */
  held: boolean;
  /** Last status furnished to the bureau. */
  bureau: LastFiling | null;
  settlement: (SettlementTerms & { received: number }) | null;
  settledBy: string | null;
  writtenOffOn: string | null;
}

export const noServicing = (): Servicing => ({
  charges: { ...NO_LATE_CHARGES, penaltyThrough: {}, lateFeeCharged: [] },
  extensions: {},
  retries: { pending: [], done: [] },
  collection: null,
  held: false,
  bureau: null,
  settlement: null,
  settledBy: null,
  writtenOffOn: null,
});
