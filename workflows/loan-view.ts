import { bucketFor } from '../domain/delinquency';
import { payoffOf, snapshotOf } from '../domain/loan';
import type { Servicing } from '../domain/loan-servicing';
import { formatMajor, formatMoney } from '../domain/money';
import { asFailure } from './failures';
import { currentStatus, inService, type LoanContext, money, today } from './loan-context';
import { type LoanView, type LoanInput, type PayoffQuote } from '../contracts/loan';
import {
  CreditLineId,
  CustomerId,
  Dpd,
  DpdBucket,
  LoanStatus as LoanStatusKey,
  ProductCode,
} from './search-attributes';

/** The loan as the API, the read model and the standing see it. */
export function loanView(ctx: LoanContext): LoanView {
  const { s, input } = ctx;
  const snap = snapshotOf(s.book, ctx.terms.cal, s.watermark, today(ctx));
  return {
    id: input.loanId,
    creditLineId: input.creditLineId,
    customerId: input.customerId,
    productCode: input.productCode,
    method: input.method,
    annualRate: input.annualRate,
    termMonths: input.termMonths,
    timeZone: input.timeZone,
    ...(ctx.terms.cal.buckets ? { buckets: [...ctx.terms.cal.buckets] } : {}),
    status: currentStatus(ctx),
    principal: input.principal,
    ...snap,
    stage: s.status === 'written_off' ? 'written_off' : bucketFor(snap.dpd, ctx.terms.cal.buckets).stage,
    outstanding: money(ctx, snap.outstanding),
    creditBalance: money(ctx, snap.creditBalance),
    autopayAttempts: s.autopayAttempts,
    reminders: s.reminders,
    payments: Object.values(s.payments).map(({ record: r, answer, reversed }) => ({
      paymentId: r.paymentId,
      amount: r.amount,
      date: r.date,
      kind: answer.kind === 'recovery' ? 'recovery' : r.kind,
      reversed,
    })),
    disbursement: s.disbursement,
    failure: s.failure,
    exceptions: s.exceptions,
    ...(s.refunds ? { refunds: s.refunds } : {}),
    ...(s.servicing ? servicingView(ctx, s.servicing) : {}),
    ledgerPending: s.outbox.length,
    version: s.version,
  };
}

function servicingView(
  ctx: LoanContext,
  x: Servicing,
): Pick<LoanView, 'lateCharges' | 'extensions' | 'settlement' | 'closedAs' | 'writtenOff'> {
  const written = ctx.s.book?.writtenOff;
  return {
    lateCharges: {
      lateFees: x.charges.lateFeeCharged.length,
      penaltyThrough: x.charges.penaltyThrough,
      capped: x.charges.capped,
    },
    extensions: Object.values(x.extensions),
    settlement: x.settlement,
    closedAs: currentStatus(ctx) === 'closed' ? (x.settledBy ? 'settled' : 'paid') : null,
    writtenOff: written
      ? {
          date: written.date,
          amount: written.principal + written.interest + written.fees + written.penalty,
          recovered: written.recovered,
        }
      : null,
  };
}

/** What settles the loan in full on a date, without booking anything. */
export function quotePayoff(ctx: LoanContext, date: string): PayoffQuote {
  const q = asFailure(() => payoffOf(inService(ctx), date));
  return { date: q.date, amount: money(ctx, q.amount), breakdown: q.breakdown };
}

/** What an operator sees of the loan at a glance in the Temporal UI. */
export function detailsOf(v: LoanView): string {
  return [
    `**${v.status}** · ${v.bucket} · DPD ${v.dpd}`,
    `outstanding ${formatMoney(v.outstanding)} · credit ${formatMajor(v.creditBalance.amount)}`,
    v.nextDue
      ? `next due #${v.nextDue.seq} on ${v.nextDue.dueDate}: ${formatMajor(v.nextDue.amount)}`
      : 'nothing due',
    v.exceptions.length ? `${v.exceptions.length} exception(s) for an operator` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** What operators filter loans by in the Temporal UI: in clear, so ids and codes only, never PII. */
export function searchAttributesOf(input: LoanInput, v: LoanView) {
  return [
    { key: LoanStatusKey, value: v.status },
    { key: DpdBucket, value: v.bucket },
    { key: Dpd, value: v.dpd },
    { key: ProductCode, value: input.productCode },
    { key: CustomerId, value: input.customerId },
    { key: CreditLineId, value: input.creditLineId },
  ];
}
