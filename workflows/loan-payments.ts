import { log } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';
import { bringLateChargesUpToDate } from '../domain/late-charges';
import {
  allocationSummary,
  applyPayment,
  type LoanBook,
  payoffOf,
  type PaymentRecord,
  position,
  reversePayment,
} from '../domain/loan';
import {
  bookPayment,
  callbackStep,
  type IntakeState,
  type KnownPayment,
  refuseOverPayoff,
  repaymentStep,
  type SettlementEffect,
} from '../domain/payment-intake';
import { recoverPayment } from '../domain/write-off';
import { asFailure } from './failures';
import { commit, currentStatus, inService, type LoanContext, money, servicing, today } from './loan-context';
import type {
  PaymentCallback,
  PayoffQuote,
  RepaymentRequest,
  RepaymentResult,
  SettlementTerms,
} from '../contracts/loan';

// Accepting money into the loan: repayments, autopay debits, provider callbacks, recoveries after
// write-off and settlement payments, each booked once per payment id.

/** What settles the loan in full on a date, without booking anything. */
export function quotePayoff(ctx: LoanContext, date: string): PayoffQuote {
  const book = inService(ctx);
  const q = asFailure(() => payoffOf(book, date));
  return { date: q.date, amount: money(ctx, q.amount), breakdown: q.breakdown };
}

/** The repayment update's validator: a payment it lets through books without a rule refusing it. */
export function checkRepayment(ctx: LoanContext, req: RepaymentRequest): void {
  const { s } = ctx;
  const step = repaymentStep(intakeOf(ctx), req, knownPayment(ctx, req.paymentId));
  if (step === 'replay' || step === 'wait') return;
  const book = inService(ctx);
  if (s.status === 'written_off') {
    recoverPayment(book, { paymentId: req.paymentId, amount: req.amount.amount, date: today(ctx) });
    return;
  }
  const charged = chargedBook(ctx);
  refuseOverPayoff(charged, req.amount.amount, today(ctx));
  applyPayment(charged, {
    paymentId: req.paymentId,
    amount: req.amount.amount,
    date: today(ctx),
    ...(req.mode ? { mode: req.mode } : {}),
  });
}

/** The loan's state as the intake rules (domain/payment-intake.ts) read it. */
function intakeOf(ctx: LoanContext): IntakeState {
  const { s } = ctx;
  return {
    status: s.status,
    currency: s.book?.currency ?? null,
    collects: ctx.collects,
    lateReceiptsOpen: s.lateReceiptsUntil !== undefined,
  };
}

function knownPayment(ctx: LoanContext, paymentId: string): KnownPayment | undefined {
  const known = ctx.s.payments[paymentId];
  return known && { amount: known.record.amount, reversed: known.reversed };
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
  const terms = ctx.collects ? s.servicing?.settlement : null;
  const { booked, settlement } = bookPayment(inService(ctx), terms, {
    paymentId,
    amount,
    date: today(ctx),
    ...(mode ? { mode } : {}),
  });
  if (terms) settle(ctx, terms, settlement);
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

/** An approved settlement's terms after a payment (domain/payment-intake.ts `bookPayment`). */
function settle(ctx: LoanContext, terms: SettlementTerms & { received: number }, effect: SettlementEffect) {
  const { loanId } = ctx.input;
  switch (effect.effect) {
    case 'none':
      return;
    case 'towards':
      terms.received = effect.received;
      return;
    case 'settled':
      servicing(ctx).settledBy = terms.offerId;
      servicing(ctx).settlement = null;
      log.info('loan settled', { loanId, offerId: terms.offerId, waived: effect.waived });
      return;
    case 'refused':
      log.warn('settlement payment applied as a repayment', { loanId, error: effect.reason });
      terms.received = effect.received;
  }
}

/** Answers what went wrong when the callback cannot be applied; each event id arrives here once. */
export function onCallback(ctx: LoanContext, cb: PaymentCallback): string | null {
  const known = ctx.s.payments[cb.paymentId];
  const step = callbackStep(intakeOf(ctx), cb, knownPayment(ctx, cb.paymentId));
  switch (step.step) {
    case 'refuse':
      return step.reason;
    case 'ignore':
      return null;
    case 'wait': // the handler waits for the payout's result before it asks
      return 'the loan is still disbursing';
    case 'take':
      return guarded(ctx, cb.paymentId, () => takePayment(ctx, cb.paymentId, cb.amount.amount, 'callback'));
    case 'reverse':
      return guarded(ctx, cb.paymentId, () => {
        commit(ctx, reversePayment(inService(ctx), known!.record, cb.eventId, today(ctx)));
        known!.reversed = true;
      });
  }
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
