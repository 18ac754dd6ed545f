import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';
import { priceLoan } from '../domain/loan';
import type { Product } from '../domain/products';
import type { LoanInput } from '../contracts/loan';

/** A reason the loan cannot go ahead before any money moved. */
export class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The loan's terms priced by its product; terms the product no longer takes refuse the loan. */
export function price(product: Product, input: LoanInput, startDate: string) {
  try {
    return priceLoan(product, {
      amount: input.principal.amount,
      currency: input.principal.currency,
      termCount: input.termMonths,
      method: input.method,
      annualRate: input.annualRate,
      startDate,
    });
  } catch (err) {
    if (err instanceof DomainError) throw new Refusal('TERMS_INVALID', `${err.field}: ${err.message}`);
    throw err;
  }
}

/**
 * Only a definite "no" may be compensated. A refusal the bank gave (non-retryable) paid nothing; a key
 * that already paid a different payout means money may be out, which needs a person, not a release.
 */
export function refusalOf(err: unknown): { code: string; message: string } {
  if (err instanceof Refusal) return { code: err.code, message: err.message };
  if (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === 'ProviderNonRetryableError'
  ) {
    const code = providerCodeOf(err);
    if (code !== 'IDEMPOTENCY_CONFLICT') return { code, message: err.cause.message };
    throw ApplicationFailure.nonRetryable(
      `the disbursement key already paid a different payout: ${err.cause.message}`,
      'DisbursementConflict',
    );
  }
  throw err;
}

/**
 * Before the payout is asked for no money can have moved, so a check that never answered (its retries
 * spent) refuses the loan like a definite "no": the limit goes back instead of staying reserved by a
 * loan stuck in disbursing.
 */
export function refusalBeforePayout(err: unknown): { code: string; message: string } {
  if (!(err instanceof ActivityFailure)) return refusalOf(err);
  const definite = err.cause instanceof ApplicationFailure && err.cause.type === 'ProviderNonRetryableError';
  return {
    code: definite ? providerCodeOf(err) : 'CHECK_UNAVAILABLE',
    message: `${err.activityType ?? 'a pre-disbursement check'} failed: ${err.cause?.message ?? err.message}`,
  };
}

export function providerCodeOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as { code?: unknown } | undefined;
    return typeof detail?.code === 'string' ? detail.code : (cause.type ?? 'PROVIDER_ERROR');
  }
  return 'PROVIDER_ERROR';
}
