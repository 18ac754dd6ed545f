import { ApplicationFailure } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';

/**
 * A broken business rule fails the update, query or workflow with the field and code the API turns
 * into problem+json; a plain Error would only fail the workflow task and retry it forever.
 */
export function asFailure<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError) {
      throw ApplicationFailure.nonRetryable(err.message, 'DomainError', { field: err.field, code: err.code });
    }
    throw err;
  }
}

/** The same failure for a rule the workflow states itself. */
export function refused(field: string, code: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'DomainError', { field, code });
}
