import { createHmac } from 'node:crypto';
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { type IRouter, type Request, Router } from 'express';
import { formatMoney, type Money } from '../../domain/money';
import type { LineControl } from '../../domain/credit-line';
import {
  awaitDecision,
  controlLine,
  creditLineWorkflowId,
  drawdown,
  type DrawdownRequest,
  getCreditLine,
  provideInfo,
  verifyCard,
  type CreditLineApplication,
  type CreditLineView,
} from '../../contracts/credit-line';
import { CreditLineId, CustomerId, LoanStatus, ProductCode } from '../../workflows/search-attributes';
import { actorOf } from '../auth';
import type { Metrics } from '../metrics';
import { idFromKey, type IdempotencyDeps } from '../idempotency';
import { mount } from '../mount';
import { Problem } from '../problem';
import { accepted, json, pathId, type RouteGroup, routeFor } from '../route';
import {
  ApplicantInfoSchema,
  CardVerificationResultSchema,
  CardVerificationSchema,
  CreditLineApplicationSchema,
  CreditLineSchema,
  DrawdownResultSchema,
  DrawdownSchema,
  LimitChangeSchema,
  LineControlSchema,
} from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import { z } from 'zod';

export interface CreditLineRouteDeps extends IdempotencyDeps {
  metrics: Metrics;
  temporal: Client;
  taskQueue: string;
  customerIdKey: string;
  /** The calendar of a line applied for with `Loanflow-Test-Clock: 1` (config/env.ts LOANFLOW_TEST_CLOCK). */
  testClock?: string;
}

/** The wire view: the line without who submitted it and the opaque customer id. */
export function creditLineResponse(view: CreditLineView) {
  const { customerId: _customerId, submittedBy: _submittedBy, ...wire } = view;
  return wire;
}

const loanIdFor = (actor: string, key: string): string => idFromKey('ln', actor, key, 'loan');

export const creditLineIdFor = (actor: string, key: string): string => idFromKey('cl', actor, key);

function contextOf(deps: CreditLineRouteDeps) {
  const handleOf = (id: string) => deps.temporal.workflow.getHandle(creditLineWorkflowId(id));
  const readLine = (id: string) => viaWorkflow(`credit line ${id}`, () => handleOf(id).query(getCreditLine));
  return {
    deps,
    handleOf,
    readLine,
    customerIdOf: (idNumber: string) =>
      `cus_${createHmac('sha256', deps.customerIdKey).update(idNumber).digest('base64url').slice(0, 22)}`,
    /** A client sees only the lines it applied for; to anyone else they do not exist. */
    async readOwnLine(req: Request, id: string): Promise<CreditLineView> {
      const view = await readLine(id);
      const actor = actorOf(req);
      if (actor.role === 'client' && view.submittedBy !== actor.id)
        throw Problem.notFound('id', `credit line ${id}`);
      return view;
    },
  };
}
type Ctx = ReturnType<typeof contextOf>;
const route = routeFor<Ctx>();

const lineParams = z.object({ id: pathId('cl_4Jk2Xw9sQeR1bV7nT0aLmZ', 'credit line') });
const notOwn = { 404: 'no such credit line (or not one of this client)' } as const;
const lineControlled = {
  404: 'no such credit line',
  422: 'the rules refuse it: a closed line, the same state again; `field` says which',
} as const;

/** An operator's control of a line: the workflow's validator refuses what the rules forbid. */
const control = (
  action: LineControl['action'],
  path: string,
  summary: string,
  body: typeof LineControlSchema | typeof LimitChangeSchema,
  example: object,
  answer: string,
  problems: Partial<Record<404 | 422, string>> = lineControlled,
) =>
  route({
    method: 'post',
    path: `/v1/credit-lines/{id}/${path}`,
    summary,
    roles: ['ops'],
    params: lineParams,
    body,
    example,
    responses: { 200: json(answer, CreditLineSchema) },
    problems,
    action: `credit_line.${action}`,
    async effect({ ctx, req, key, params: { id }, body }) {
      const actor = actorOf(req).id;
      const request = { ...body, action, actor } as LineControl & { actor: string };
      // The update id comes from the key: a retry after a crash is answered, not applied twice.
      const updateId = idFromKey('ctl', actor, key, action);
      const view = await viaWorkflow(`credit line ${id}`, () =>
        ctx.handleOf(id).executeUpdate(controlLine, { args: [request], updateId }),
      );
      return { status: 200, body: creditLineResponse(view), subject: id };
    },
  });

export const CREDIT_LINE_ROUTES: RouteGroup<Ctx> = {
  tag: 'Credit lines',
  routes: [
    route({
      method: 'post',
      path: '/v1/credit-lines',
      summary: 'Apply for a credit line: the decision, or pending_review when people must decide',
      roles: ['client'],
      body: CreditLineApplicationSchema,
      example: {
        customer: {
          name: '张三',
          idNumber: '110101199003076632',
          phone: '13800138000',
          bankCard: '6222020200112233446',
        },
        productCode: 'cash-installment',
        requestedLimit: { amount: 2000000, currency: 'CNY' },
        consents: { bureauQuery: { version: 'bq-2026-01', acceptedAt: '2026-11-20T10:00:00+08:00' } },
      },
      responses: { 201: json('the line with its decision, or pending_review', CreditLineSchema) },
      problems: { 422: 'well-formed but invalid: ID check digit, Luhn, unknown product' },
      action: 'credit_line.apply',
      async effect({ ctx: { deps, customerIdOf, readLine }, req, key, body }) {
        const actor = actorOf(req);
        const id = creditLineIdFor(actor.id, key);
        req.log.setBindings({ workflowId: creditLineWorkflowId(id) });
        const application: CreditLineApplication = {
          creditLineId: id,
          customerId: customerIdOf(body.customer.idNumber),
          applicant: body.customer,
          productCode: body.productCode,
          requestedLimit: body.requestedLimit as Money,
          consents: body.consents,
          submittedBy: actor.id,
          ...(body.timeZone ? { timeZone: body.timeZone } : {}),
          // The fault harness asks for it per line; an API without a test clock ignores the header.
          ...(deps.testClock && req.get('loanflow-test-clock') === '1' ? { timeZone: deps.testClock } : {}),
        };
        // A task failed mid-way (a worker died in it) refuses the update for a moment: a 503 to retry.
        const view: CreditLineView = await viaWorkflow(`credit line ${id}`, async () => {
          try {
            return await deps.temporal.workflow.executeUpdateWithStart(awaitDecision, {
              startWorkflowOperation: new WithStartWorkflowOperation('creditLine', {
                workflowId: creditLineWorkflowId(id),
                taskQueue: deps.taskQueue,
                args: [{ application }],
                workflowIdConflictPolicy: 'USE_EXISTING',
                staticSummary: `Credit line ${id} · ${application.productCode} · requested ${formatMoney(application.requestedLimit)}`,
                // In clear on purpose (operators filter on them): ids and codes only, never PII.
                typedSearchAttributes: [
                  { key: CreditLineId, value: id },
                  { key: CustomerId, value: application.customerId },
                  { key: ProductCode, value: application.productCode },
                  { key: LoanStatus, value: 'pending' },
                ],
              }),
            });
          } catch (err) {
            // The line already ran to its end (e.g. declined): answer with what it decided.
            if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
            return readLine(id);
          }
        });
        deps.metrics.applications.inc({ product: view.productCode, status: view.status });
        return { status: 201, body: creditLineResponse(view), subject: id };
      },
    }),
    route({
      method: 'get',
      path: '/v1/credit-lines/{id}',
      summary: 'A credit line from its workflow: state, limit, available, grade, APR, reasons, open review',
      roles: ['client', 'ops'],
      params: lineParams,
      responses: { 200: json('the credit line', CreditLineSchema) },
      problems: { ...notOwn, 409: 'the workflow cannot answer in its current state' },
      async handle({ ctx, req, res, params: { id } }) {
        res.json(creditLineResponse(await ctx.readOwnLine(req, id)));
      },
    }),
    route({
      method: 'post',
      path: '/v1/credit-lines/{id}/drawdowns',
      summary: 'Draw down (用信): reserves the limit and starts the loan workflow loan:{loanId}',
      roles: ['client'],
      params: lineParams,
      body: DrawdownSchema,
      example: { amount: { amount: 1000000, currency: 'CNY' }, termMonths: 12, purpose: 'home repair' },
      responses: { 201: json('the new loan, disbursing', DrawdownResultSchema) },
      problems: {
        ...notOwn,
        422: 'refused: over the available limit, a frozen line, a term or method not offered, a bad card',
      },
      action: 'credit_line.drawdown',
      async effect({ ctx, req, key, params: { id }, body }) {
        await ctx.readOwnLine(req, id);
        const actor = actorOf(req).id;
        req.log.setBindings({ workflowId: creditLineWorkflowId(id) });
        // The loan id comes from the key, so a retry after a crash reaches the same loan, never a second one.
        const request: DrawdownRequest = {
          ...(body as Omit<DrawdownRequest, 'loanId' | 'actor'>),
          loanId: loanIdFor(actor, key),
          actor,
        };
        const result = await viaWorkflow(`credit line ${id}`, () =>
          ctx.handleOf(id).executeUpdate(drawdown, { args: [request] }),
        );
        ctx.deps.metrics.drawdowns.inc();
        return { status: 201, body: result, subject: result.loanId };
      },
    }),
    route({
      method: 'post',
      path: '/v1/credit-lines/{id}/info',
      summary: "Answer a reviewer's request for information",
      roles: ['client'],
      params: lineParams,
      body: ApplicantInfoSchema,
      example: { occupation: 'engineer' },
      responses: { 202: json('passed to the review', accepted({ id: z.string() })) },
      problems: {
        ...notOwn,
        409: 'no information was requested',
        422: 'nothing given, or a bad phone number',
      },
      action: 'credit_line.submit_info',
      async effect({ ctx, req, key, params: { id }, body }) {
        await ctx.readOwnLine(req, id);
        // The line refuses an answer nobody asked for (its update validator); a retry after a crash
        // gets the first answer back under the same update id.
        const updateId = idFromKey('inf', actorOf(req).id, key, 'submit-info');
        await viaWorkflow(`credit line ${id}`, () =>
          ctx.handleOf(id).executeUpdate(provideInfo, { args: [body], updateId }),
        );
        return { status: 202, body: { id, accepted: true }, subject: id };
      },
    }),
    route({
      method: 'post',
      path: '/v1/credit-lines/{id}/cards',
      summary: "Verify another payout card with the bank against the line's customer",
      roles: ['client'],
      params: lineParams,
      body: CardVerificationSchema,
      example: { bankCard: '6222020200112233446' },
      responses: { 200: json('the card is verified for drawdowns', CardVerificationResultSchema) },
      problems: {
        ...notOwn,
        422: 'a card failing the Luhn check, or one the bank does not match to this customer',
      },
      action: 'credit_line.verify_card',
      async effect({ ctx, req, key, params: { id }, body: { bankCard } }) {
        await ctx.readOwnLine(req, id);
        const requestId = idFromKey('cv', actorOf(req).id, key, 'card');
        const result = await viaWorkflow(`credit line ${id}`, () =>
          ctx.handleOf(id).executeUpdate(verifyCard, { args: [{ bankCard, requestId }] }),
        );
        if (!result.verified) {
          throw Problem.field(
            422,
            'bankCard',
            `the bank did not match the card ending ${result.last4} to this customer (${result.reasonCode ?? 'no reason given'})`,
          );
        }
        return { status: 200, body: result, subject: id };
      },
    }),
    ...(['freeze', 'unfreeze', 'close'] as const).map((action) =>
      control(
        action,
        action,
        `${action[0]?.toUpperCase()}${action.slice(1)} a line with a reason (audited)`,
        LineControlSchema,
        { reason: 'fraud alert from the bank' },
        'the line after the control',
      ),
    ),
    control(
      'change_limit',
      'limit',
      'Change the limit with a reason (audited)',
      LimitChangeSchema,
      { reason: 'annual review', limit: { amount: 3000000, currency: 'CNY' } },
      'the line with its new limit',
      { ...lineControlled, 422: 'below the drawn balance, over the grade cap, or a closed line' },
    ),
  ],
};

export const creditLineRoutes = (deps: CreditLineRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, CREDIT_LINE_ROUTES, contextOf(deps), deps);
