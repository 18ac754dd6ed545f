import { patched } from '@temporalio/workflow';
import type { DebitResult } from '../contracts/providers/bank';
import type { AutopayAttempt } from '../contracts/loan';
import { openOf, owedBy } from '../domain/loan';
import { debits, debitsInTask, provider } from './loan-activities';
import { inService, type LoanContext, servicing, today } from './loan-context';
import { guarded, lateChargesToDate, takePayment } from './loan-payments';
import { providerCodeOf } from './loan-refusals';
import { PATCH } from './patches';

/** One debit per slot for everything due by today; its key names the slot, so a retry never debits twice. */
export async function autopay(
  ctx: LoanContext,
  seq: number,
  slotKey: string,
  tag: { slot: number; retryId?: string },
  date: string,
): Promise<void> {
  const { input, s } = ctx;
  lateChargesToDate(ctx);
  const amount = owedBy(inService(ctx), date);
  if (amount === 0 || !ctx.autopayCard) return;
  let result: DebitResult | { status: 'failed'; reason: string };
  try {
    const request = {
      idempotencyKey: `${input.loanId}:autopay:${slotKey}`,
      amountMinor: amount,
      currency: input.principal.currency,
      fromCard: ctx.autopayCard,
      dueDate: date,
    };
    if (patched(PATCH.debitInTask)) result = await debitsInTask.collectAutopay(request);
    else result = await (patched(PATCH.debitAsActivity) ? debits() : provider).debitAutopay(request);
  } catch (err) {
    result = { status: 'failed', reason: providerCodeOf(err) };
  }
  const attempt: AutopayAttempt = {
    seq,
    ...tag,
    at: new Date(Date.now()).toISOString(),
    amount,
    result: result.status,
  };
  if (result.status === 'succeeded') {
    const paymentId = `autopay:${slotKey}`;
    const received = result.amountMinor;
    Object.assign(attempt, { paymentId, amount: received });
    const problem = guarded(ctx, paymentId, () => takePayment(ctx, paymentId, received, 'autopay'));
    if (problem)
      s.exceptions.push({ eventId: `${input.loanId}:autopay:${slotKey}`, paymentId, reason: problem });
  } else {
    attempt.reason = result.reason;
  }
  s.autopayAttempts.push(attempt);
  ctx.changed = true;
}

/** Collection asked for another debit (M1): one attempt per retry id, keyed by it. */
export async function retryDebit(ctx: LoanContext, retryId: string): Promise<void> {
  const r = servicing(ctx).retries;
  r.pending = r.pending.filter((id) => id !== retryId);
  r.done.push(retryId);
  const oldest = inService(ctx).installments.find((i) => openOf(i) > 0);
  if (ctx.s.status === 'delinquent' && oldest)
    await autopay(ctx, oldest.seq, `retry:${retryId}`, { slot: -1, retryId }, today(ctx));
  ctx.changed = true;
}
