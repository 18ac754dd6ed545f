import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { type Request, Router } from 'express';
import type { CollectionRepository, TaskRow } from '../../db/collection';
import { DomainError } from '../../domain/errors';
import { localDateAt } from '../../domain/localdate';
import type { Money } from '../../domain/money';
import {
  collectionWorkflowId,
  decideSettlement,
  offerSettlement,
  promiseToPay,
  recordTaskOutcome,
  type TaskOutcome,
  type TaskOutcomeKind,
} from '../../workflows/collection-messages';
import { extendLoan, getLoan } from '../../workflows/loan-messages';
import { creditLineWorkflowId, getCreditLine, loanWorkflowId } from '../../workflows/messages';
import { actorOf, requireRole } from '../auth';
import { idFromKey, type IdempotencyDeps, idempotent } from '../idempotency';
import { Problem } from '../problem';
import {
  CollectionTaskListQuerySchema,
  ExtensionSchema,
  PromiseToPaySchema,
  SettlementDecisionSchema,
  SettlementOfferRequestSchema,
  TaskOutcomeSchema,
} from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import { parseInput, pathId, validateBody } from '../validate';

export interface CollectionRouteDeps extends IdempotencyDeps {
  temporal: Client;
  collection: CollectionRepository;
}

const taskResponse = ({ customerId: _c, createdAt: _t, ...wire }: TaskRow) => wire;

const notInCollection = (loanId: string) =>
  Problem.field(409, 'loan', `the loan ${loanId} is not in collection`);

/**
 * A refusal from an update validator, with the rule's code beside the field so a client can act on it;
 * an ended collection is a conflict with the loan's state, not a bad request.
 */
function refusal(err: unknown, loanId: string): Problem | undefined {
  if (!(err instanceof WorkflowUpdateFailedError)) return undefined;
  const cause = err.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'DomainError') return undefined;
  const { field = 'body', code = 'invalid' } = (cause.details?.[0] ?? {}) as {
    field?: string;
    code?: string;
  };
  if (code === 'not_in_collection') return notInCollection(loanId);
  if (code === 'not_found')
    return new Problem(404, 'Not found', cause.message, [{ field, message: cause.message }]);
  const error = { field, message: cause.message, code };
  return new Problem(422, 'Unprocessable request', `${field}: ${cause.message}`, [error]);
}

/** Collectors' call tasks and outcomes, promises to pay, settlements and their approval, and extensions. */
export function collectionRoutes(deps: CollectionRouteDeps): Router {
  const router = Router();
  router.param('id', pathId);
  router.param('offerId', pathId);
  const collectionOf = (loanId: string) => deps.temporal.workflow.getHandle(collectionWorkflowId(loanId));

  async function inCollection<T>(loanId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notInCollection(loanId);
      throw refusal(err, loanId) ?? err;
    }
  }

  /** A client reaches only loans drawn on its own lines; to anyone else they do not exist. */
  async function ownLoan(req: Request, loanId: string): Promise<void> {
    const loan = await viaWorkflow(`loan ${loanId}`, () =>
      deps.temporal.workflow.getHandle(loanWorkflowId(loanId)).query(getLoan),
    );
    const line = await deps.temporal.workflow
      .getHandle(creditLineWorkflowId(loan.creditLineId))
      .query(getCreditLine)
      .catch(() => null);
    if (line?.submittedBy !== actorOf(req).id) throw Problem.notFound('id', `loan ${loanId}`);
  }

  router.get('/v1/collection-tasks', requireRole('collector', 'ops'), async (req, res) => {
    const { status, loanId, callable, limit, cursor } = parseInput(CollectionTaskListQuerySchema, req.query);
    const page = await deps.collection
      .listTasks({
        limit,
        ...(status ? { status } : {}),
        ...(loanId ? { loanId } : {}),
        ...(callable === 'true' ? { callableAt: new Date() } : {}),
        ...(cursor ? { cursor } : {}),
      })
      .catch((err: unknown) => {
        // A cursor this API did not issue is a malformed request, not a broken rule.
        if (err instanceof DomainError && err.field === 'cursor')
          throw Problem.field(400, 'cursor', err.message);
        throw err;
      });
    res.json({ items: page.items.map(taskResponse), nextCursor: page.nextCursor });
  });

  router.post(
    '/v1/collection-tasks/:id/outcome',
    requireRole('collector'),
    validateBody(TaskOutcomeSchema),
    idempotent(deps, 'collection.task_outcome', async (req, key) => {
      const collector = actorOf(req);
      const id = String(req.params.id);
      const body = req.body as {
        outcome: TaskOutcomeKind;
        note?: string;
        promise?: { date: string; amount: Money };
      };
      const task = await deps.collection.getTask(id);
      if (!task) throw Problem.notFound('id', `collection task ${id}`);
      const retried =
        task.status === 'done' && task.outcome === body.outcome && task.collectorId === collector.id;
      if (task.status !== 'open' && !retried)
        throw Problem.field(409, 'task', `the task is ${task.status}, not open`);
      if (body.promise && body.promise.date < localDateAt(Date.now(), task.timeZone))
        throw Problem.field(422, 'promise.date', "is before today in the borrower's time zone");
      // Refuse before writing anything when no workflow would hear the outcome.
      const described = await inCollection(task.loanId, () => collectionOf(task.loanId).describe());
      if (described.status.name !== 'RUNNING') throw notInCollection(task.loanId);

      const recorded = await deps.collection.recordOutcome(id, {
        outcome: body.outcome,
        collectorId: collector.id,
        at: new Date().toISOString(),
        ...(body.note ? { note: body.note } : {}),
      });
      if (recorded === 'not_found') throw Problem.notFound('id', `collection task ${id}`);
      if (recorded === 'not_open') {
        const now = await deps.collection.getTask(id);
        throw Problem.field(409, 'task', `the task is ${now?.status ?? task.status}, not open`);
      }
      // Read back what was stored: a retry after a crash signals the first report, not a new one.
      const done = (await deps.collection.getTask(id))!;
      const signal: TaskOutcome = {
        taskId: id,
        outcome: body.outcome,
        collectorId: collector.id,
        at: done.outcomeAt!,
        ...(done.note ? { note: done.note } : {}),
        ...(body.promise
          ? { promise: { ...body.promise, promiseId: idFromKey('ptp', collector.id, key, 'promise') } }
          : {}),
      };
      await inCollection(task.loanId, () => collectionOf(task.loanId).signal(recordTaskOutcome, signal));
      return { status: 200, body: taskResponse(done), subject: task.loanId };
    }),
  );

  router.post(
    '/v1/loans/:id/promises-to-pay',
    requireRole('collector'),
    validateBody(PromiseToPaySchema),
    idempotent(deps, 'collection.promise_to_pay', async (req, key) => {
      const loanId = String(req.params.id);
      const collectorId = actorOf(req).id;
      const promiseId = idFromKey('ptp', collectorId, key, 'promise');
      const body = req.body as { date: string; amount: Money };
      const view = await inCollection(loanId, () =>
        collectionOf(loanId).executeUpdate(promiseToPay, {
          args: [{ ...body, promiseId, collectorId }],
          updateId: promiseId,
        }),
      );
      return { status: 201, body: view, subject: loanId };
    }),
  );

  router.post(
    '/v1/loans/:id/settlement-offers',
    requireRole('collector'),
    validateBody(SettlementOfferRequestSchema),
    idempotent(deps, 'collection.settlement_offer', async (req, key) => {
      const loanId = String(req.params.id);
      const proposedBy = actorOf(req).id;
      const offerId = idFromKey('so', proposedBy, key, 'settlement');
      const body = req.body as { amount: Money; payBy: string; reason: string };
      const view = await inCollection(loanId, () =>
        collectionOf(loanId).executeUpdate(offerSettlement, {
          args: [{ ...body, offerId, proposedBy }],
          updateId: offerId,
        }),
      );
      return { status: 201, body: view, subject: loanId };
    }),
  );

  router.post(
    '/v1/loans/:id/settlement-offers/:offerId/decision',
    requireRole('reviewer'),
    validateBody(SettlementDecisionSchema),
    idempotent(deps, 'collection.settlement_decision', async (req, key) => {
      const loanId = String(req.params.id);
      const reviewerId = actorOf(req).id;
      const body = req.body as { decision: 'approve' | 'decline'; reason: string };
      const view = await inCollection(loanId, () =>
        collectionOf(loanId).executeUpdate(decideSettlement, {
          args: [{ ...body, offerId: String(req.params.offerId), reviewerId }],
          // A retry after a crash gets the first answer back instead of "you have already decided".
          updateId: idFromKey('sd', reviewerId, key, 'settlement-decision'),
        }),
      );
      return { status: 200, body: view, subject: loanId };
    }),
  );

  router.post(
    '/v1/loans/:id/extensions',
    requireRole('client'),
    validateBody(ExtensionSchema),
    idempotent(deps, 'loan.extension', async (req, key) => {
      const loanId = String(req.params.id);
      await ownLoan(req, loanId);
      const actor = actorOf(req).id;
      const extensionId = idFromKey('ext', actor, key, 'extension');
      const { days } = req.body as { days: number };
      const result = await viaWorkflow(`loan ${loanId}`, () =>
        deps.temporal.workflow
          .getHandle(loanWorkflowId(loanId))
          .executeUpdate(extendLoan, { args: [{ extensionId, days, actor }], updateId: extensionId })
          .catch((err: unknown) => {
            throw refusal(err, loanId) ?? err;
          }),
      );
      return { status: 201, body: result, subject: loanId };
    }),
  );

  return router;
}
