import { patched } from '@temporalio/workflow';
import type { DebitResult } from '../contracts/providers/bank';
import type { DebitTag } from '../domain/loan-machine';
import { debits, debitsInTask, provider } from './loan-activities';
import { apply, type LoanContext, today } from './loan-context';
import { providerCodeOf } from './loan-refusals';
import { PATCH } from './patches';

/** One debit per slot for everything due by today; its key names the slot, so a retry never debits twice. */
export async function autopay(
  ctx: LoanContext,
  seq: number,
  slotKey: string,
  tag: DebitTag,
  date: string,
): Promise<void> {
  const { input } = ctx;
  const debit = apply(ctx, { type: 'autopay-due', seq, slotKey, tag, date }).effects.find(
    (e) => e.type === 'debit',
  );
  if (!debit) return;
  let result: DebitResult | { status: 'failed'; reason: string };
  try {
    const request = {
      idempotencyKey: `${input.loanId}:autopay:${slotKey}`,
      amountMinor: debit.amount,
      currency: input.principal.currency,
      fromCard: debit.card,
      dueDate: date,
    };
    if (patched(PATCH.debitInTask)) result = await debitsInTask.collectAutopay(request);
    else result = await (patched(PATCH.debitAsActivity) ? debits() : provider).debitAutopay(request);
  } catch (err) {
    result = { status: 'failed', reason: providerCodeOf(err) };
  }
  apply(ctx, {
    type: 'autopay-result',
    seq,
    slotKey,
    tag,
    asked: debit.amount,
    result:
      result.status === 'succeeded'
        ? { status: 'succeeded', amountMinor: result.amountMinor }
        : { status: 'failed', reason: result.reason },
    at: new Date(Date.now()).toISOString(),
    date: today(ctx),
  });
}

/** Collection asked for another debit (M1): the machine names the installment, keyed by the retry id. */
export async function retryDebit(ctx: LoanContext, retryId: string): Promise<void> {
  const { effects } = apply(ctx, { type: 'retry-due', retryId, date: today(ctx) });
  for (const e of effects) if (e.type === 'autopay') await autopay(ctx, e.seq, e.slotKey, e.tag, today(ctx));
}
