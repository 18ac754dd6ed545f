import type { RetryPolicy } from '@temporalio/workflow';

/**
 * Retry policies for provider and database calls. Provider errors carry their retryability in
 * their name (adapters/errors.ts), so only that one type is named non-retryable.
 */

/** No attempt limit: for calls whose giving up would be worse than waiting. */
export const untilDone: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '5 minutes',
  nonRetryableErrorTypes: ['ProviderNonRetryableError'],
};

/** The default: the same backoff, giving up after 20 attempts. */
export const retry: RetryPolicy = { ...untilDone, maximumAttempts: 20 };
