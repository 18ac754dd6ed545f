import { patched } from '@temporalio/workflow';
import { bookRefund, refundableCredit } from '../domain/refund';
import { payouts } from './loan-activities';
import { commit, inService, type LoanContext, today } from './loan-context';
import { providerCodeOf } from './loan-refusals';
import { PATCH } from './patches';

/**
 * Credit left once everything is paid is the borrower's: it goes back to the card autopay collects
 * from. A card-issuer loan started before repayment cards were kept has none, and a refused refund
 * keeps the credit: both wait for an operator as exceptions, the credit on the books until then.
 */
export async function refundCredit(ctx: LoanContext): Promise<void> {
  const { input, s } = ctx;
  const amount = refundableCredit(inService(ctx));
  if (amount === 0 || !patched(PATCH.refundCreditAtClosure)) return;
  const refundId = `refund:${(s.refunds?.length ?? 0) + 1}`;
  const eventId = `${input.loanId}:${refundId}`;
  // Asked again for each late receipt: a refund that waits for a person is listed once.
  const listed = (reason: string) => s.exceptions.some((e) => e.eventId === eventId && e.reason === reason);
  if (!ctx.terms.autopayCard) {
    const reason = 'credit left but no borrower card to refund it to';
    if (!listed(reason)) s.exceptions.push({ eventId, paymentId: refundId, reason });
    return;
  }
  try {
    const payout = await payouts('credit refund').refundCredit({
      idempotencyKey: eventId,
      amountMinor: amount,
      currency: input.principal.currency,
      toCard: ctx.terms.autopayCard,
      payee: 'borrower',
    });
    const date = today(ctx);
    commit(ctx, bookRefund(inService(ctx), { refundId, amount, date }));
    s.refunds = [...(s.refunds ?? []), { refundId, amount, payoutId: payout.payoutId, date }];
  } catch (err) {
    const reason = `refund refused: ${providerCodeOf(err)}`;
    if (!listed(reason)) s.exceptions.push({ eventId, paymentId: refundId, reason });
  }
}
