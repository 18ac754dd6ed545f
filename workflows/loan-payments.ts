import { log } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';
import { bringLateChargesUpToDate } from '../domain/late-charges';
import {
  allocationSummary,
  applyPayment,
  type Booked,
  type LoanBook,
  payoffOf,
  type PaymentRecord,
  position,
  reversePayment,
} from '../domain/loan';
import { recoverPayment, settleWithWaiver } from '../domain/write-off';
import { asFailure } from './failures';
import { commit, currentStatus, inService, type LoanContext, money, servicing, today } from './loan-context';
import type {
  LoanStatus,
  PaymentCallback,
  PayoffQuote,
  RepaymentRequest,
  RepaymentResult,
} from '../contracts/loan';

// Accepting money into the loan: repayments, autopay debits, provider callbacks, recoveries after
// write-off and settlement payments, each booked once per payment id.

const RESERVED_PAYMENT_IDS = /^\s*(autopay|credit):/;

/** What settles the loan in full on a date, without booking anything. */
export function quotePayoff(ctx: LoanContext, date: string): PayoffQuote {
  const book = inService(ctx);
  const q = asFailure(() => payoffOf(book, date));
  return { date: q.date, amount: money(ctx, q.amount), breakdown: q.breakdown };
}

/** The repayment update's validator: a payment it lets through books without a rule refusing it. */
export function checkRepayment(ctx: LoanContext, req: RepaymentRequest): void {
  const { s } = ctx;
  const known = s.payments[req.paymentId];
  if (known) {
    if (known.record.amount !== req.amount.amount) {
      throw new DomainError(
        'paymentId',
        `payment ${req.paymentId} was already made with another amount`,
        'conflict',
      );
    }
    return;
  }
  if (!req.paymentId?.trim() || RESERVED_PAYMENT_IDS.test(req.paymentId))
    throw new DomainError(
      'paymentId',
      'a payment id is required and must not start with autopay: or credit:',
    );
  const book = s.book;
  const open: LoanStatus[] = ctx.collects
    ? ['active', 'delinquent', 'written_off']
    : ['active', 'delinquent'];
  if (!book || !open.includes(s.status)) {
    throw new DomainError(
      'loan',
      `the loan is ${s.status}; only an ${open.join(' or ')} loan takes repayments`,
      'loan_not_in_service',
    );
  }
  if (req.amount.currency !== book.currency)
    throw new DomainError('amount.currency', `must be ${book.currency}`);
  if (!Number.isSafeInteger(req.amount.amount) || req.amount.amount <= 0)
    throw new DomainError('amount.amount', 'must be a positive integer of minor units');
  if (s.status === 'written_off') {
    recoverPayment(book, { paymentId: req.paymentId, amount: req.amount.amount, date: today(ctx) });
    return;
  }
  const charged = chargedBook(ctx);
  const payoff = payoffOf(charged, today(ctx));
  if (req.amount.amount > payoff.amount) {
    throw new DomainError(
      'amount.amount',
      `exceeds the ${payoff.amount} minor units that settle the loan today`,
      'over_payoff',
    );
  }
  applyPayment(charged, {
    paymentId: req.paymentId,
    amount: req.amount.amount,
    date: today(ctx),
    ...(req.mode ? { mode: req.mode } : {}),
  });
}

export function takePayment(
  ctx: LoanContext,
  paymentId: string,
  amount: number,
  channel: string,
  mode?: RepaymentRequest['mode'],
): RepaymentResult {
  const { s } = ctx;
  if (s.status === 'written_off') return recover(ctx, paymentId, amount, channel);
  lateChargesToDate(ctx);
  const booked =
    settlementPayment(ctx, paymentId, amount) ??
    applyPayment(inService(ctx), { paymentId, amount, date: today(ctx), ...(mode ? { mode } : {}) });
  commit(ctx, booked);
  const answer = answerOf(ctx, booked.result);
  s.payments[paymentId] = { record: booked.result, answer, channel, reversed: false };
  ctx.changed = true;
  return answer;
}

/** Money after write-off is recovery income; the contract's figures stay as they were written off. */
function recover(ctx: LoanContext, paymentId: string, amount: number, channel: string): RepaymentResult {
  const r = commit(ctx, recoverPayment(inService(ctx), { paymentId, amount, date: today(ctx) }));
  const none = { penalty: 0, fees: 0, interest: 0, principal: 0 };
  const record: PaymentRecord = {
    paymentId,
    amount,
    date: today(ctx),
    kind: 'allocation',
    allocation: null,
    parts: none,
    creditChange: 0,
    entry: null,
  };
  const answer: RepaymentResult = {
    paymentId,
    kind: 'recovery',
    allocation: allocationSummary(record),
    recovery: r,
    outstanding: money(ctx, 0),
    creditBalance: money(ctx, 0),
    status: 'written_off',
  };
  ctx.s.payments[paymentId] = { record, answer, channel, reversed: false };
  ctx.changed = true;
  return answer;
}

/**
 * An approved settlement closes the loan when the agreed amount has arrived by its date: the payment
 * that completes it settles in full and the rest of the interest and penalty is waived.
 */
function settlementPayment(
  ctx: LoanContext,
  paymentId: string,
  amount: number,
): Booked<PaymentRecord> | null {
  const terms = ctx.s.servicing?.settlement;
  if (!ctx.collects || !terms || today(ctx) > terms.payBy) return null;
  if (terms.received + amount < terms.amount.amount) {
    terms.received += amount;
    return null;
  }
  try {
    const settled = settleWithWaiver(inService(ctx), { paymentId, amount, date: today(ctx) });
    servicing(ctx).settledBy = terms.offerId;
    servicing(ctx).settlement = null;
    log.info('loan settled', {
      loanId: ctx.input.loanId,
      offerId: terms.offerId,
      waived: settled.result.waived,
    });
    return { ...settled, result: settled.result.record };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    log.warn('settlement payment applied as a repayment', { loanId: ctx.input.loanId, error: err.message });
    terms.received += amount;
    return null;
  }
}

/** Answers what went wrong when the callback cannot be applied; each event id arrives here once. */
export function onCallback(ctx: LoanContext, cb: PaymentCallback): string | null {
  const { s } = ctx;
  const recovering = s.status === 'written_off' && ctx.collects && cb.kind === 'success';
  // A reversal after closure would reopen a settled loan and is left to a person.
  const lateReceipt = s.status === 'closed' && s.lateReceiptsUntil !== undefined && cb.kind === 'success';
  if (!s.book || (s.status !== 'active' && s.status !== 'delinquent' && !recovering && !lateReceipt))
    return `the loan is ${s.status}`;
  if (cb.amount.currency !== s.book.currency)
    return `currency ${cb.amount.currency} is not the loan's ${s.book.currency}`;
  const known = s.payments[cb.paymentId];
  if (cb.kind === 'success') {
    // A success for a payment already applied (by the update, or an earlier callback) changes nothing;
    // one that names another amount means the two sides disagree, which a person must look at.
    if (known)
      return known.record.amount === cb.amount.amount
        ? null
        : `a success of ${cb.amount.amount} does not match the payment of ${known.record.amount}`;
    if (!(cb.amount.amount > 0)) return 'a success must carry a positive amount';
    return guarded(ctx, cb.paymentId, () => takePayment(ctx, cb.paymentId, cb.amount.amount, 'callback'));
  }
  if (!known) return `no payment ${cb.paymentId} to reverse`;
  if (known.reversed) return null;
  if (known.record.amount !== cb.amount.amount)
    return `a reversal of ${cb.amount.amount} does not match the payment of ${known.record.amount}`;
  return guarded(ctx, cb.paymentId, () => {
    commit(ctx, reversePayment(inService(ctx), known.record, cb.eventId, today(ctx)));
    known.reversed = true;
  });
}

/** A rule that refuses a payment the provider already made must not wedge the workflow: it is recorded for a person. */
export function guarded(ctx: LoanContext, paymentId: string, fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    log.warn('payment not applied', { loanId: ctx.input.loanId, paymentId, error: err.message });
    return err.message;
  }
}

function answerOf(ctx: LoanContext, r: PaymentRecord): RepaymentResult {
  return {
    paymentId: r.paymentId,
    kind: r.kind,
    allocation: allocationSummary(r),
    ...(r.prepayment ? { prepayment: r.prepayment } : {}),
    outstanding: money(ctx, position(inService(ctx)).outstanding),
    creditBalance: money(ctx, inService(ctx).creditBalance),
    status: currentStatus(ctx),
  };
}

/** Late fee and penalty interest to today, capped so the loan's APR stays within the product's cap. */
export function lateChargesToDate(ctx: LoanContext): void {
  const { s } = ctx;
  if (!ctx.collects || !s.book || !s.disbursement || s.status === 'written_off') return;
  const charged = commit(
    ctx,
    bringLateChargesUpToDate(s.book, ctx.product, servicing(ctx).charges, today(ctx), capContext(ctx)),
  );
  servicing(ctx).charges = charged.state;
}

/** The book as it would stand with late charges brought to today, booking nothing. */
function chargedBook(ctx: LoanContext): LoanBook {
  const book = inService(ctx);
  if (!ctx.collects || !ctx.s.disbursement) return book;
  return bringLateChargesUpToDate(book, ctx.product, servicing(ctx).charges, today(ctx), capContext(ctx))
    .book;
}

function capContext(ctx: LoanContext) {
  const d = ctx.s.disbursement!;
  return {
    disbursed: { date: d.date, amount: d.netAmount },
    payments: Object.values(ctx.s.payments)
      .filter((p) => !p.reversed)
      .map((p) => ({ date: p.record.date, amount: p.record.amount })),
  };
}

export function receivedTotal(ctx: LoanContext): number {
  return Object.values(ctx.s.payments).reduce((sum, p) => (p.reversed ? sum : sum + p.record.amount), 0);
}
