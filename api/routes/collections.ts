import { type Client, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { type UpdateDefinition, ApplicationFailure } from '@temporalio/common';
import { type IRouter, type Request, Router } from 'express';
import { z } from 'zod';
import type { CollectionRepository, TaskRow } from '../../db/collection';
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
} from '../../contracts/collection';
import { extendLoan, loanWorkflowId } from '../../contracts/loan';
import { actorOf } from '../auth';
import { type EffectResult, idFromKey, type IdempotencyDeps } from '../idempotency';
import { mount } from '../mount';
import { Problem } from '../problem';
import { json, page, pathId, type RouteGroup, routeFor } from '../route';
import { pageRead } from '../validate';
import {
  CollectionTaskListQuerySchema,
  CollectionTaskSchema,
  ExtensionResultSchema,
  ExtensionSchema,
  PromiseToPaySchema,
  PromiseViewSchema,
  SettlementDecisionSchema,
  SettlementOfferRequestSchema,
  SettlementOfferViewSchema,
  TaskOutcomeSchema,
} from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import type { LoanAccess } from './loan-access';

export interface CollectionRouteDeps extends IdempotencyDeps {
  temporal: Client;
  collection: CollectionRepository;
  /** The loan routes' access (loan-access.ts): an extension reaches a loan as a repayment does. */
  access: LoanAccess;
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

function contextOf(deps: CollectionRouteDeps) {
  const collectionOf = (loanId: string) => deps.temporal.workflow.getHandle(collectionWorkflowId(loanId));

  async function inCollection<T>(loanId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) throw notInCollection(loanId);
      throw refusal(err, loanId) ?? err;
    }
  }

  /**
   * A request the collection decides (its validator refuses what the rules refuse), under an id from
   * its actor and the Idempotency-Key: a retry after a crash gets the first answer instead of a second
   * effect.
   */
  async function askCollection<Ret, Arg>(
    { req, key, params: { id: loanId } }: { req: Request; key: string; params: { id: string } },
    update: UpdateDefinition<Ret, [Arg]>,
    [prefix, purpose]: readonly [string, string],
    messageOf: (actorId: string, askId: string) => Arg,
  ): Promise<EffectResult> {
    const actorId = actorOf(req).id;
    const askId = idFromKey(prefix, actorId, key, purpose);
    const arg = messageOf(actorId, askId);
    const view = await inCollection(loanId, () =>
      collectionOf(loanId).executeUpdate(update, { args: [arg], updateId: askId }),
    );
    return { status: 201, body: view, subject: loanId };
  }

  return { ...deps, collectionOf, inCollection, askCollection };
}
type Ctx = ReturnType<typeof contextOf>;
const route = routeFor<Ctx>();

const loanParams = z.object({ id: pathId('ln_8Qp3Ys2dLkW5nX1cV9bTgH', 'loan') });
const inService = 'the loan is not in service (disbursing, closed, written off)';

/** Collectors' call tasks and outcomes, promises to pay, settlements and their approval, and extensions. */
export const COLLECTION_ROUTES: RouteGroup<Ctx> = {
  tag: 'Collections',
  routes: [
    route({
      method: 'post',
      path: '/v1/loans/{id}/extensions',
      summary: "Defer the unpaid due dates under the product's extension policy (展期)",
      roles: ['client'],
      params: loanParams,
      body: ExtensionSchema,
      example: { days: 15 },
      responses: { 201: json('the new due dates, the fee and the extensions used', ExtensionResultSchema) },
      problems: {
        404: 'no such loan (or not one of this client)',
        409: inService,
        422: 'the policy refuses it; `field` names the input, `errors[0].code` the rule',
      },
      action: 'loan.extension',
      async effect({ ctx, req, key, params: { id: loanId }, body: { days } }) {
        await ctx.access.readLoan(req, loanId);
        const actor = actorOf(req).id;
        const extensionId = idFromKey('ext', actor, key, 'extension');
        const result = await viaWorkflow(`loan ${loanId}`, () =>
          ctx.temporal.workflow
            .getHandle(loanWorkflowId(loanId))
            .executeUpdate(extendLoan, { args: [{ extensionId, days, actor }], updateId: extensionId })
            .catch((err: unknown) => {
              throw refusal(err, loanId) ?? err;
            }),
        );
        return { status: 201, body: result, subject: loanId };
      },
    }),
    route({
      method: 'get',
      path: '/v1/collection-tasks',
      summary: 'Call tasks, window closing first; callable=true: open and inside contact hours now',
      roles: ['collector', 'ops'],
      query: CollectionTaskListQuerySchema,
      responses: { 200: json('a page of tasks', page(CollectionTaskSchema)) },
      problems: { 400: 'a bad or unknown filter, or a cursor this API did not issue' },
      async handle({ ctx, res, query: { status, loanId, callable, limit, cursor } }) {
        const found = await pageRead(
          ctx.collection.listTasks({
            limit,
            ...(status ? { status } : {}),
            ...(loanId ? { loanId } : {}),
            ...(callable === 'true' ? { callableAt: new Date() } : {}),
            ...(cursor ? { cursor } : {}),
          }),
          'cursor',
        );
        res.json({ items: found.items.map(taskResponse), nextCursor: found.nextCursor });
      },
    }),
    route({
      method: 'post',
      path: '/v1/collection-tasks/{id}/outcome',
      summary: 'Report a call: recorded once, then signalled to collection:{loanId}',
      roles: ['collector'],
      params: z.object({ id: pathId('ct_ln_8Qp3Ys2dLkW5nX1cV9bTgH_31', 'collection task') }),
      body: TaskOutcomeSchema,
      example: { outcome: 'no_answer' },
      responses: { 200: json('the task, done', CollectionTaskSchema) },
      problems: {
        404: 'no such task',
        409: 'the task is not open (done, cancelled, expired) or the loan is not in collection',
        422: 'promise missing for promise_to_pay (or given without it), a past promise date, PII in the note',
      },
      action: 'collection.task_outcome',
      async effect({ ctx, req, key, params: { id }, body }) {
        const collector = actorOf(req);
        const task = await Problem.found(ctx.collection.getTask(id), 'collection task', id);
        const retried =
          task.status === 'done' && task.outcome === body.outcome && task.collectorId === collector.id;
        if (task.status !== 'open' && !retried)
          throw Problem.field(409, 'task', `the task is ${task.status}, not open`);
        if (body.promise && body.promise.date < localDateAt(Date.now(), task.timeZone))
          throw Problem.field(422, 'promise.date', "is before today in the borrower's time zone");
        // Refuse before writing anything when no workflow would hear the outcome.
        const described = await ctx.inCollection(task.loanId, () => ctx.collectionOf(task.loanId).describe());
        if (described.status.name !== 'RUNNING') throw notInCollection(task.loanId);

        const recorded = await ctx.collection.recordOutcome(id, {
          outcome: body.outcome,
          collectorId: collector.id,
          at: new Date().toISOString(),
          ...(body.note ? { note: body.note } : {}),
        });
        if (recorded === 'not_found') throw Problem.notFound('id', `collection task ${id}`);
        if (recorded === 'not_open') {
          const now = await ctx.collection.getTask(id);
          throw Problem.field(409, 'task', `the task is ${now?.status ?? task.status}, not open`);
        }
        // Read back what was stored: a retry after a crash signals the first report, not a new one.
        const done = (await ctx.collection.getTask(id))!;
        const signal: TaskOutcome = {
          taskId: id,
          outcome: body.outcome as TaskOutcomeKind,
          collectorId: collector.id,
          at: done.outcomeAt!,
          ...(done.note ? { note: done.note } : {}),
          ...(body.promise
            ? {
                promise: {
                  ...(body.promise as { date: string; amount: Money }),
                  promiseId: idFromKey('ptp', collector.id, key, 'promise'),
                },
              }
            : {}),
        };
        await ctx.inCollection(task.loanId, () =>
          ctx.collectionOf(task.loanId).signal(recordTaskOutcome, signal),
        );
        return { status: 200, body: taskResponse(done), subject: task.loanId };
      },
    }),
    route({
      method: 'post',
      path: '/v1/loans/{id}/promises-to-pay',
      summary: 'Record a promise to pay; it pauses escalation until kept or broken',
      roles: ['collector'],
      params: loanParams,
      body: PromiseToPaySchema,
      example: { date: '2026-12-05', amount: { amount: 50000, currency: 'CNY' } },
      responses: { 201: json('the promise', PromiseViewSchema) },
      problems: {
        404: 'the collection does not know the promise it is asked about',
        409: 'the loan is not in collection',
        422: 'refused: a promise is open, the date is past or too far, the amount or currency is wrong',
      },
      action: 'collection.promise_to_pay',
      effect: (call) =>
        call.ctx.askCollection(call, promiseToPay, ['ptp', 'promise'], (collectorId, promiseId) => ({
          ...(call.body as { date: string; amount: Money }),
          promiseId,
          collectorId,
        })),
    }),
    route({
      method: 'post',
      path: '/v1/loans/{id}/settlement-offers',
      summary: 'Propose a settlement that waives interest and penalty if paid by a date; reviewers approve',
      roles: ['collector'],
      params: loanParams,
      body: SettlementOfferRequestSchema,
      example: { amount: { amount: 800000, currency: 'CNY' }, payBy: '2026-12-20', reason: 'hardship' },
      responses: { 201: json('the offer, pending approval', SettlementOfferViewSchema) },
      problems: {
        404: 'the collection does not know the offer it is asked about',
        409: 'the loan is not in collection',
        422: 'refused by the settlement policy; `field` names the input, `errors[0].code` the rule',
      },
      action: 'collection.settlement_offer',
      effect: (call) =>
        call.ctx.askCollection(call, offerSettlement, ['so', 'settlement'], (proposedBy, offerId) => ({
          ...(call.body as { amount: Money; payBy: string; reason: string }),
          offerId,
          proposedBy,
        })),
    }),
    route({
      method: 'post',
      path: '/v1/loans/{id}/settlement-offers/{offerId}/decision',
      summary: 'Approve or decline a settlement offer; approval tells the loan its terms',
      roles: ['reviewer'],
      params: loanParams.extend({ offerId: pathId('so_2Hn6Wq0eRtY4uI8oP1aSdF', 'settlement offer') }),
      body: SettlementDecisionSchema,
      example: { decision: 'approve', reason: 'within policy' },
      responses: { 200: json('the offer after the decision', SettlementOfferViewSchema) },
      problems: {
        404: 'no such offer on this loan',
        409: 'the loan is not in collection',
        422: 'refused: the proposer deciding, a second vote, a closed offer',
      },
      action: 'collection.settlement_decision',
      async effect(call) {
        const { offerId } = call.params;
        const decided = await call.ctx.askCollection(
          call,
          decideSettlement,
          ['sd', 'settlement-decision'],
          (reviewerId) => ({ ...call.body, offerId, reviewerId }),
        );
        return { ...decided, status: 200 };
      },
    }),
  ],
};

export const collectionRoutes = (deps: CollectionRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, COLLECTION_ROUTES, contextOf(deps), deps);
