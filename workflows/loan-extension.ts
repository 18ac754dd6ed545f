import { bucketFor } from '../domain/delinquency';
import { checkExtension, extendBook, extensionStep } from '../domain/extension';
import { delinquencyOn, type LoanBook, openOf } from '../domain/loan';
import { asFailure } from './failures';
import {
  commit,
  currentStatus,
  inService,
  type LoanContext,
  money,
  servicing,
  servingOrRefuse,
  today,
} from './loan-context';
import type { ExtensionRequest, ExtensionResult } from '../contracts/loan';

// Extension (展期): moving due dates later under the product's policy, once per extension id.

/** The extension update's validator, asked again once a payout the request waited for is decided. */
export function checkExtensionRequest(ctx: LoanContext, req: ExtensionRequest): void {
  const granted = ctx.s.servicing?.extensions[req.extensionId] !== undefined;
  if (extensionStep(ctx.s.status, granted) !== 'check') return;
  const book = servingOrRefuse(ctx);
  asFailure(() => checkExtension(book, ctx.product.extension, req, extensionContext(ctx, book)));
}

/** Books the extension and keeps its answer, so the same extension id hears it again. */
export function extend(ctx: LoanContext, req: ExtensionRequest): ExtensionResult {
  const moved = commit(ctx, extendBook(inService(ctx), ctx.product.extension, req, today(ctx)));
  const result: ExtensionResult = {
    extensionId: req.extensionId,
    days: req.days,
    fee: money(ctx, moved.fee),
    dueDates: moved.dueDates,
    extensionsUsed: Object.keys(servicing(ctx).extensions).length + 1,
    status: currentStatus(ctx),
  };
  servicing(ctx).extensions[req.extensionId] = result;
  ctx.changed = true;
  return result;
}

function extensionContext(ctx: LoanContext, book: LoanBook) {
  const { dpd } = delinquencyOn(book, today(ctx), ctx.cal.buckets);
  return {
    today: today(ctx),
    used: Object.keys(ctx.s.servicing?.extensions ?? {}).length,
    dpd,
    stage: ctx.s.status === 'written_off' ? ('written_off' as const) : bucketFor(dpd, ctx.cal.buckets).stage,
    paidInstallments: book.installments.filter((i) => openOf(i) === 0).length,
  };
}
