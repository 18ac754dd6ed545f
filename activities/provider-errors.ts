import { ApplicationFailure } from '@temporalio/common';
import { isProviderError, NON_RETRYABLE_PROVIDER_ERROR } from '../adapters/errors';

/**
 * A provider refusal keeps its stable code in the failure details: the workflow must tell "the bank
 * refused" (nothing paid, compensate) from "the key already paid something else" (never compensate).
 */
export async function withProviderCode<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isProviderError(err) && !err.retryable) {
      throw ApplicationFailure.create({
        type: NON_RETRYABLE_PROVIDER_ERROR,
        message: err.message,
        nonRetryable: true,
        details: [{ code: err.code }],
      });
    }
    throw err;
  }
}
