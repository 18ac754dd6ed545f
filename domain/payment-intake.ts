import { DomainError } from './errors';
import {
  applyPayment,
  type Booked,
  type LoanBook,
  type LoanStatus,
  payoffOf,
  type PaymentInput,
  type PaymentRecord,
} from './loan';
import type { Currency, Money } from './money';
import { settleWithWaiver } from './write-off';

/**
 * Which money a loan takes in its state, and what each arrival does: a repayment request, a
 * provider's callback, a payment towards an agreed settlement. The loan's machine
 * (domain/loan-machine.ts) asks these for each event; the booking itself is domain/loan.ts's.
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

/**
 * A client's repayment may not exceed what settles the loan on its date (a provider's callback may:
 * the money has moved, and the excess is held as credit).
 */
export function refuseOverPayoff(book: LoanBook, amount: number, date: string): void {
  const payoff = payoffOf(book, date);
  if (amount > payoff.amount)
    throw new DomainError(
      'amount.amount',
      `exceeds the ${payoff.amount} minor units that settle the loan today`,
      'over_payoff',
    );
}

/** What a payment did to the loan's open settlement, beside its booking. */
export type SettlementEffect =
  | { effect: 'none' }
  /** Paid towards the agreed amount, which is not reached yet: the new total. */
  | { effect: 'towards'; received: number }
  /** The payment reached the agreed amount: the loan settles and the rest is waived. */
  | { effect: 'settled'; waived: { interest: number; penalty: number } }
  /**
   * The payment reached the agreed amount, but the waiver rules refused it (the terms no longer fit
   * the book): it books as an ordinary repayment and counts towards the terms.
   */
  | { effect: 'refused'; received: number; reason: string };

/**
 * Books a payment on a serviced loan (late charges already brought to its date): towards or settling
 * an open settlement (`settlementStep`), otherwise by the allocation order (domain/loan.ts
 * `applyPayment`). Throws the DomainError of a rule that refuses the payment itself.
 */
export function bookPayment(
  book: LoanBook,
  terms: OpenSettlement | null | undefined,
  p: PaymentInput,
): { booked: Booked<PaymentRecord>; settlement: SettlementEffect } {
  const ordinary = (settlement: SettlementEffect) => ({ booked: applyPayment(book, p), settlement });
  const step = settlementStep(terms, p.amount, p.date);
  if (step.step === 'none' || !terms) return ordinary({ effect: 'none' });
  if (step.step === 'partial') return ordinary({ effect: 'towards', received: step.received });
  try {
    const settled = settleWithWaiver(book, { paymentId: p.paymentId, amount: p.amount, date: p.date });
    return {
      booked: { ...settled, result: settled.result.record },
      settlement: { effect: 'settled', waived: settled.result.waived },
    };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return ordinary({ effect: 'refused', received: terms.received + p.amount, reason: err.message });
  }
}
