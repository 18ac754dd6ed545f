import { ApplicationFailure } from '@temporalio/common';
import {
  isGrpcServiceError,
  QueryNotRegisteredError,
  QueryRejectedError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { Problem } from './problem';

/** Rule codes that say the workflow is in the wrong state for the call, not that the input is wrong. */
const CONFLICTS = new Set(['loan_not_in_service', 'not_in_collection', 'info_not_requested']);

/** The rule a workflow refused with (update validator or handler), as its failure carries it. */
export function ruleRefusal(err: unknown): { field: string; code?: string; message: string } | undefined {
  const cause = err instanceof WorkflowUpdateFailedError ? err.cause : err;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'DomainError') return undefined;
  const { field = 'body', code } = (cause.details?.[0] ?? {}) as { field?: string; code?: string };
  return { field, message: cause.message, ...(code ? { code } : {}) };
}

/** A rule refused in a workflow: 409 for a state conflict, else 422. */
export function refusalOf(err: unknown): Problem | undefined {
  const refused = ruleRefusal(err);
  if (!refused) return undefined;
  const { field, code, message } = refused;
  const status = code && CONFLICTS.has(code) ? 409 : 422;
  return Problem.field(status, field, message, code && code !== 'invalid' ? code : undefined);
}

/**
 * Maps what Temporal answers into problems: a refused rule is a 422 (409 for a state conflict)
 * naming the field; a missing workflow is a 404; a query the workflow cannot answer in its state (the
 * server reports a failed query handler as QueryNotRegisteredError) is a 409. Anything else is
 * left for the generic 500 handler: it is ours, not the client's.
 */
/** gRPC codes for a server or worker that is overloaded or unreachable for a moment. */
const BUSY_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 8 /* RESOURCE_EXHAUSTED */, 14 /* UNAVAILABLE */]);

/** Temporal wraps the call's gRPC error as the cause of a ServiceError; either may carry the code. */
function isBusy(err: unknown): boolean {
  const cause = err instanceof Error ? err.cause : undefined;
  return [err, cause].some(
    (e) => isGrpcServiceError(e) && (BUSY_CODES.has(e.code) || (e.code === 9 && TASK_FAILED.test(e.message))),
  );
}

/**
 * FAILED_PRECONDITION for an update while the workflow's last task failed (its worker died in it):
 * the next attempt of that task clears it within seconds.
 */
const TASK_FAILED = /Workflow Task in failed state/i;

export async function viaWorkflow<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw Problem.notFound('id', what);
    const refused = refusalOf(err);
    if (refused) throw refused;
    if (err instanceof QueryNotRegisteredError || err instanceof QueryRejectedError)
      throw Problem.field(409, 'id', `${what} cannot answer this in its current state: ${err.message}`);
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      throw Problem.field(409, 'id', `${what} is already running`);
    if (isBusy(err)) throw Problem.unavailable(`${what} did not answer in time; retry shortly`);
    throw err;
  }
}
