import { createHmac } from 'node:crypto';
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/client';
import { type Request, Router } from 'express';
import type { Money } from '../../domain/money';
import type { LineControl } from '../../domain/credit-line';
import {
  type ApplicantInfo,
  awaitDecision,
  controlLine,
  creditLineWorkflowId,
  drawdown,
  type DrawdownRequest,
  getCreditLine,
  submitInfo,
  verifyCard,
  type CreditLineApplication,
  type CreditLineView,
} from '../../workflows/messages';
import { CreditLineId, CustomerId, LoanStatus, ProductCode } from '../../workflows/search-attributes';
import { actorOf, requireRole } from '../auth';
import type { Metrics } from '../metrics';
import { idFromKey, type IdempotencyDeps, idempotent } from '../idempotency';
import { Problem } from '../problem';
import {
  ApplicantInfoSchema,
  CardVerificationSchema,
  type CreditLineApplicationBody,
  CreditLineApplicationSchema,
  DrawdownSchema,
  LimitChangeSchema,
  LineControlSchema,
} from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import { pathId, validateBody } from '../validate';

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

export function creditLineRoutes(deps: CreditLineRouteDeps): Router {
  const router = Router();
  router.param('id', pathId);
  const customerIdOf = (idNumber: string) =>
    `cus_${createHmac('sha256', deps.customerIdKey).update(idNumber).digest('base64url').slice(0, 22)}`;

  const handleOf = (id: string) => deps.temporal.workflow.getHandle(creditLineWorkflowId(id));
  const readLine = (id: string) => viaWorkflow(`credit line ${id}`, () => handleOf(id).query(getCreditLine));

  /** A client sees only the lines it applied for; to anyone else they do not exist. */
  async function readOwnLine(req: Request, id: string): Promise<CreditLineView> {
    const view = await readLine(id);
    const actor = actorOf(req);
    if (actor.role === 'client' && view.submittedBy !== actor.id)
      throw Problem.notFound('id', `credit line ${id}`);
    return view;
  }

  router.post(
    '/v1/credit-lines',
    requireRole('client'),
    validateBody(CreditLineApplicationSchema),
    idempotent(deps, 'credit_line.apply', async (req, key) => {
      const body = req.body as CreditLineApplicationBody;
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
      let view: CreditLineView;
      try {
        view = await deps.temporal.workflow.executeUpdateWithStart(awaitDecision, {
          startWorkflowOperation: new WithStartWorkflowOperation('creditLine', {
            workflowId: creditLineWorkflowId(id),
            taskQueue: deps.taskQueue,
            args: [{ application }],
            workflowIdConflictPolicy: 'USE_EXISTING',
            staticSummary: `Credit line ${id} · ${application.productCode} · requested ${(application.requestedLimit.amount / 100).toFixed(2)} ${application.requestedLimit.currency}`,
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
        view = await readLine(id);
      }
      deps.metrics.applications.inc({ product: view.productCode, status: view.status });
      return { status: 201, body: creditLineResponse(view), subject: id };
    }),
  );

  router.get('/v1/credit-lines/:id', requireRole('client', 'ops'), async (req, res) => {
    res.json(creditLineResponse(await readOwnLine(req, String(req.params.id))));
  });

  router.post(
    '/v1/credit-lines/:id/info',
    requireRole('client'),
    validateBody(ApplicantInfoSchema),
    idempotent(deps, 'credit_line.submit_info', async (req) => {
      const id = String(req.params.id);
      const view = await readOwnLine(req, id);
      if (view.review?.status !== 'info_requested')
        throw Problem.field(409, 'review', 'no information was requested for this line');
      await viaWorkflow(`credit line ${id}`, () =>
        handleOf(id).signal(submitInfo, req.body as ApplicantInfo),
      );
      return { status: 202, body: { id, accepted: true }, subject: id };
    }),
  );

  router.post(
    '/v1/credit-lines/:id/drawdowns',
    requireRole('client'),
    validateBody(DrawdownSchema),
    idempotent(deps, 'credit_line.drawdown', async (req, key) => {
      const id = String(req.params.id);
      await readOwnLine(req, id);
      const actor = actorOf(req).id;
      req.log.setBindings({ workflowId: creditLineWorkflowId(id) });
      // The loan id comes from the key, so a retry after a crash reaches the same loan, never a second one.
      const request: DrawdownRequest = {
        ...(req.body as Omit<DrawdownRequest, 'loanId' | 'actor'>),
        loanId: loanIdFor(actor, key),
        actor,
      };
      const result = await viaWorkflow(`credit line ${id}`, () =>
        handleOf(id).executeUpdate(drawdown, { args: [request] }),
      );
      deps.metrics.drawdowns.inc();
      return { status: 201, body: result, subject: result.loanId };
    }),
  );

  router.post(
    '/v1/credit-lines/:id/cards',
    requireRole('client'),
    validateBody(CardVerificationSchema),
    idempotent(deps, 'credit_line.verify_card', async (req, key) => {
      const id = String(req.params.id);
      await readOwnLine(req, id);
      const { bankCard } = req.body as { bankCard: string };
      const requestId = idFromKey('cv', actorOf(req).id, key, 'card');
      const result = await viaWorkflow(`credit line ${id}`, () =>
        handleOf(id).executeUpdate(verifyCard, { args: [{ bankCard, requestId }] }),
      );
      if (!result.verified) {
        throw Problem.field(
          422,
          'bankCard',
          `the bank did not match the card ending ${result.last4} to this customer (${result.reasonCode ?? 'no reason given'})`,
        );
      }
      return { status: 200, body: result, subject: id };
    }),
  );

  const control = (
    action: LineControl['action'],
    path: string,
    schema: typeof LineControlSchema | typeof LimitChangeSchema,
  ) =>
    router.post(
      `/v1/credit-lines/:id/${path}`,
      requireRole('ops'),
      validateBody(schema),
      idempotent(deps, `credit_line.${action}`, async (req, key) => {
        const id = String(req.params.id);
        const actor = actorOf(req).id;
        const request = { ...(req.body as object), action, actor } as LineControl & { actor: string };
        // The update id comes from the key: a retry after a crash is answered, not applied twice.
        const updateId = idFromKey('ctl', actor, key, action);
        const view = await viaWorkflow(`credit line ${id}`, () =>
          handleOf(id).executeUpdate(controlLine, { args: [request], updateId }),
        );
        return { status: 200, body: creditLineResponse(view), subject: id };
      }),
    );
  control('freeze', 'freeze', LineControlSchema);
  control('unfreeze', 'unfreeze', LineControlSchema);
  control('close', 'close', LineControlSchema);
  control('change_limit', 'limit', LimitChangeSchema);

  return router;
}
