import { DomainError } from './errors';
import type { LoanStatus } from './loan';
import type { Currency, Money } from './money';

/**
 * Which money a loan takes in its state, and what each arrival does: a repayment request, a
 * provider's callback, a payment towards an agreed settlement. The loan workflow (workflows/
 * loan-payments.ts) asks these and carries out the answer; the booking itself is domain/loan.ts's.
 */

/** What the loan knows of itself when money arrives. */
export interface IntakeState {
  status: LoanStatus;
  /** The book's currency; null before the loan has a book (still disbursing, or refused). */
  currency: Currency | null;
  /** The loan runs the collection lifecycle: after write-off it takes recoveries. */
  collects: boolean;
  /** A closed loan still within its window for late provider receipts (refunded as credit). */
  lateReceiptsOpen: boolean;
}

/** A payment the loan has already booked, by its payment id. */
export interface KnownPayment {
  amount: number;
  reversed: boolean;
}

/** `autopay:` and `credit:` ids are the loan's own; a client may not name a payment with them. */
const RESERVED_PAYMENT_IDS = /^\s*(autopay|credit):/;

/** The statuses in which the loan takes a repayment request. */
export function repaymentStatuses(collects: boolean): LoanStatus[] {
  return collects ? ['active', 'delinquent', 'written_off'] : ['active', 'delinquent'];
}

/**
 * A repayment request before any booking rule: `replay` when this payment id was booked with the same
 * amount (the first answer is given again, whatever the loan's state now), `new` when it may book,
 * `wait` while the payout is still out (the loan decides once it is active or has failed: the API
 * refuses a loan its read model lists as disbursing, so only a payment racing the payout's result
 * gets here). Throws the DomainError that refuses it, naming the field.
 */
export function repaymentStep(
  state: IntakeState,
  req: { paymentId: string; amount: Money },
  known: KnownPayment | undefined,
): 'replay' | 'new' | 'wait' {
  if (known) {
    if (known.amount !== req.amount.amount)
      throw new DomainError(
        'paymentId',
        `payment ${req.paymentId} was already made with another amount`,
        'conflict',
      );
    return 'replay';
  }
  if (!req.paymentId?.trim() || RESERVED_PAYMENT_IDS.test(req.paymentId))
    throw new DomainError(
      'paymentId',
      'a payment id is required and must not start with autopay: or credit:',
    );
  if (state.status === 'disbursing') return 'wait';
  const open = repaymentStatuses(state.collects);
  if (!state.currency || !open.includes(state.status))
    throw new DomainError(
      'loan',
      `the loan is ${state.status}; only an ${open.join(' or ')} loan takes repayments`,
      'loan_not_in_service',
    );
  if (req.amount.currency !== state.currency)
    throw new DomainError('amount.currency', `must be ${state.currency}`);
  if (!Number.isSafeInteger(req.amount.amount) || req.amount.amount <= 0)
    throw new DomainError('amount.amount', 'must be a positive integer of minor units');
  return 'new';
}

/**
 * What a provider's callback does: book it, reverse a booked payment, nothing, a reason for a person,
 * or wait for the payout's result (a callback can reach the loan in the same task as it).
 */
export type CallbackStep =
  | { step: 'take' }
  | { step: 'reverse' }
  | { step: 'ignore' }
  | { step: 'wait' }
  | { step: 'refuse'; reason: string };

export function callbackStep(
  state: IntakeState,
  cb: { kind: 'success' | 'reversal'; paymentId: string; amount: Money },
  known: KnownPayment | undefined,
): CallbackStep {
  const refuse = (reason: string): CallbackStep => ({ step: 'refuse', reason });
  if (state.status === 'disbursing') return { step: 'wait' };
  const inService = state.status === 'active' || state.status === 'delinquent';
  const recovering = state.status === 'written_off' && state.collects && cb.kind === 'success';
  // A reversal after closure would reopen a settled loan: that is left to a person.
  const lateReceipt = state.status === 'closed' && state.lateReceiptsOpen && cb.kind === 'success';
  if (!state.currency || (!inService && !recovering && !lateReceipt))
    return refuse(`the loan is ${state.status}`);
  if (cb.amount.currency !== state.currency)
    return refuse(`currency ${cb.amount.currency} is not the loan's ${state.currency}`);
  if (cb.kind === 'success') {
    // Already booked (by the update or an earlier callback): nothing to do, unless the two sides
    // disagree on the amount, which a person must look at.
    if (known)
      return known.amount === cb.amount.amount
        ? { step: 'ignore' }
        : refuse(`a success of ${cb.amount.amount} does not match the payment of ${known.amount}`);
    if (!(cb.amount.amount > 0)) return refuse('a success must carry a positive amount');
    return { step: 'take' };
  }
  if (!known) return refuse(`no payment ${cb.paymentId} to reverse`);
  if (known.reversed) return { step: 'ignore' };
  if (known.amount !== cb.amount.amount)
    return refuse(`a reversal of ${cb.amount.amount} does not match the payment of ${known.amount}`);
  return { step: 'reverse' };
}

/** An approved settlement's terms as the loan holds them while the borrower pays towards it. */
export interface OpenSettlement {
  amount: Money;
  /** Local date (ISO) by which the agreed amount must have arrived. */
  payBy: string;
  /** Paid towards it so far, minor units. */
  received: number;
}

/**
 * A payment on `date` against open settlement terms: `none` when there are none or they lapsed (an
 * ordinary repayment), `partial` with the new total while the agreed amount is not reached, `complete`
 * for the payment that reaches it (the loan settles, the rest waived).
 */
export function settlementStep(
  terms: OpenSettlement | null | undefined,
  amount: number,
  date: string,
): { step: 'none' } | { step: 'partial'; received: number } | { step: 'complete' } {
  if (!terms || date > terms.payBy) return { step: 'none' };
  const received = terms.received + amount;
  return received < terms.amount.amount ? { step: 'partial', received } : { step: 'complete' };
}
