import { CancellationScope } from '@temporalio/workflow';
import type { Payout } from '../contracts/providers/bank';
import { disbursementEntry } from '../domain/ledger';
import { allocationOrderOf, openBook } from '../domain/loan';
import { checks, payouts } from './loan-activities';
import { persist } from './loan-books';
import { type LoanContext, today } from './loan-context';
import { price, Refusal, refusalBeforePayout, refusalOf } from './loan-refusals';
import { giveBackLimit } from './loan-standing';

/**
 * Pre-disbursement checks, then the payout. A loan the bank refuses, or one stopped before it paid
 * out, gives its limit back to the line: a loan that never pays out holds no limit.
 */
export async function disburse(ctx: LoanContext): Promise<void> {
  const { input, s } = ctx;
  const { product } = ctx.terms;
  const compensations: (() => Promise<void>)[] = [];
  let payout: Payout;
  let payoutAsked = false;
  await persist(ctx); // listed as disbursing from the start
  try {
    // Registered before anything can stop the loan.
    compensations.push(() => giveBackLimit(input, 'disbursement_failed', !s.everLate));
    const screening = await checks.screenBorrower({ ...input.borrower, bankCard: input.payee.bankCard });
    if (screening.listed === 'blacklist')
      throw new Refusal('BLACKLISTED', `the borrower is blacklisted (${screening.matchedOn})`);
    // A fraud re-check joins the blacklist refresh here once a fraud provider exists.
    const priced = price(product, input, today(ctx));
    payoutAsked = true;
    payout = await payouts('bank payout').disburse({
      idempotencyKey: `${input.loanId}:disbursement`,
      amountMinor: priced.quote.netDisbursed,
      currency: input.principal.currency,
      toCard: input.payee.bankCard,
      payee: input.payee.kind,
    });
  } catch (err) {
    s.failure = payoutAsked ? refusalOf(err) : refusalBeforePayout(err);
    s.status = 'disbursement_failed';
    await CancellationScope.nonCancellable(async () => {
      for (const undo of compensations.reverse()) await undo();
      await persist(ctx);
    });
    return;
  }
  start(ctx, payout);
}

/** Money is out: the schedule runs from the borrower's local date of the payout. */
function start(ctx: LoanContext, payout: Payout): void {
  const { input, s } = ctx;
  const { product } = ctx.terms;
  const startDate = today(ctx);
  const { quote, riskReserve } = price(product, input, startDate);
  s.book = openBook({
    loanId: input.loanId,
    currency: quote.currency,
    annualRate: quote.annualRate,
    method: quote.method,
    dayCount: quote.dayCount,
    period: quote.period,
    startDate,
    order: allocationOrderOf(product.allocationOrder),
    schedule: quote.installments,
  });
  s.disbursement = { payoutId: payout.payoutId, netAmount: quote.netDisbursed, date: startDate };
  s.riskReserve = riskReserve;
  s.outbox.push(
    disbursementEntry({
      loanId: input.loanId,
      eventId: `${input.loanId}:disbursement`,
      date: startDate,
      currency: quote.currency,
      principal: quote.principal,
      cashOut: quote.netDisbursed,
      originationFee: quote.fees.origination,
      riskReserve,
    }),
  );
  s.status = 'active';
  s.watermark = Date.now();
}
