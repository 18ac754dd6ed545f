import { ApplicationFailure } from '@temporalio/common';
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { Problem } from './problem';

/**
 * Maps what Temporal answers into problems: a rule refused in an update validator is a 422 naming
 * the field; a missing workflow is a 404. Anything else is left for the generic 500 handler.
 */
export async function viaWorkflow<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new Problem(404, 'Not found', `${what} does not exist`);
    if (
      err instanceof WorkflowUpdateFailedError &&
      err.cause instanceof ApplicationFailure &&
      err.cause.type === 'DomainError'
    ) {
      const details = (err.cause.details?.[0] ?? {}) as { field?: string };
      throw Problem.field(422, details.field ?? 'body', err.cause.message);
    }
    throw err;
  }
}
