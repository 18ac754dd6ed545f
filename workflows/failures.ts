import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';
import { DATABASE_CONSTRAINT_ERROR, DATABASE_DATA_ERROR } from '../contracts/failures';

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

/** An activity failed because the database can never store what it was given: retrying cannot help. */
export function isUnstorable(err: unknown): boolean {
  const failure = err instanceof ActivityFailure ? err.cause : err;
  return (
    failure instanceof ApplicationFailure &&
    (failure.type === DATABASE_DATA_ERROR || failure.type === DATABASE_CONSTRAINT_ERROR)
  );
}

/** The same failure for a rule the workflow states itself. */
export function refused(field: string, code: string, message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(message, 'DomainError', { field, code });
}
