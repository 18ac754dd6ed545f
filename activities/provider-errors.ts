import { ApplicationFailure } from '@temporalio/common';
import { isProviderError, NON_RETRYABLE_PROVIDER_ERROR } from '../adapters/errors';

/**
 * A provider's definite refusal (a 4xx, a refused payout), or undefined. The stable code goes into
 * the failure details: the workflow must tell "the bank refused" (nothing paid, compensate) from
 * "the key already paid something else" (never compensate).
 */
export function providerFailure(err: unknown): ApplicationFailure | undefined {
  if (!isProviderError(err) || err.retryable) return undefined;
  return ApplicationFailure.create({
    type: NON_RETRYABLE_PROVIDER_ERROR,
    message: err.message,
    nonRetryable: true,
    details: [{ code: err.code }],
  });
}
