import { OpenAPIRegistry, OpenApiGeneratorV31, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  ApplicantInfoSchema,
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
  CreditLineApplicationSchema,
  CreditLineSchema,
  DrawdownResultSchema,
  DrawdownSchema,
  LimitChangeSchema,
  LineControlSchema,
  LoanListQuerySchema,
  PaymentWebhookSchema,
  PayoffQuerySchema,
  PortfolioMetricsQuerySchema,
  PortfolioMetricsSchema,
  ProblemSchema,
  RepaymentSchema,
  QuoteRequestSchema,
  QuoteSchema,
  ReviewDecisionSchema,
  ReviewListQuerySchema,
  ReviewSchema,
} from './schemas';

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const json = (description: string, schema: z.ZodType) => ({
  description,
  content: { 'application/json': { schema } },
});
const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .openapi({ description: 'replays the first response for the same key' }),
});
const secured = { security: [{ bearer: [] }] };
const body = (schema: z.ZodType) => ({ content: { 'application/json': { schema } } });

const routes: RouteConfig[] = [
  {
    method: 'post',
    path: '/v1/quotes',
    summary: 'Trial calculation: schedule, totals and APR; no side effects (role client)',
    ...secured,
    request: { body: body(QuoteRequestSchema) },
    responses: {
      200: json('the quote', QuoteSchema),
      400: problem('malformed request'),
      422: problem('a rule refuses it: bad rate, term 0, APR over the cap (with the figure)'),
    },
  },
  {
    method: 'post',
    path: '/v1/credit-lines',
    summary: 'Apply for a credit line (role client)',
    ...secured,
    request: {
      headers: idempotencyHeader,
      body: { content: { 'application/json': { schema: CreditLineApplicationSchema } } },
    },
    responses: {
      201: json('the line with its decision, or pending_review', CreditLineSchema),
      400: problem('malformed request: missing field, wrong type, broken JSON'),
      401: problem('no or unknown API key'),
      403: problem('role not allowed'),
      413: problem('body too large'),
      422: problem(
        'well-formed but invalid: check digit, Luhn, unknown product, key reused with another body',
      ),
    },
  },
  {
    method: 'get',
    path: '/v1/credit-lines/{id}',
    summary: 'Read a credit line from its workflow (role client, ops)',
    ...secured,
    request: { params: z.object({ id: z.string() }) },
    responses: { 200: json('the credit line', CreditLineSchema), 404: problem('no such credit line') },
  },
  {
    method: 'post',
    path: '/v1/credit-lines/{id}/drawdowns',
    summary: 'Draw down (用信): reserves limit and starts the loan workflow loan:{loanId} (role client)',
    ...secured,
    request: { params: z.object({ id: z.string() }), headers: idempotencyHeader, body: body(DrawdownSchema) },
    responses: {
      201: json('the new loan, disbursing', DrawdownResultSchema),
      422: problem('refused: over the available limit, frozen line, term or method not offered, no purpose'),
    },
  },
  {
    method: 'post',
    path: '/v1/credit-lines/{id}/info',
    summary: "Answer a reviewer's request for information (role client)",
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(ApplicantInfoSchema),
    },
    responses: {
      202: { description: 'passed to the review' },
      409: problem('no information was requested'),
      422: problem('invalid'),
    },
  },
  ...(['freeze', 'unfreeze', 'close'] as const).map((action): RouteConfig => ({
    method: 'post',
    path: `/v1/credit-lines/{id}/${action}`,
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a line (role ops; audited)`,
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(LineControlSchema),
    },
    responses: {
      200: json('the line after the control', CreditLineSchema),
      422: problem('the rules refuse it; `field` says which'),
    },
  })),
  {
    method: 'post',
    path: '/v1/credit-lines/{id}/limit',
    summary: 'Change the limit (role ops; audited)',
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(LimitChangeSchema),
    },
    responses: {
      200: json('the line with its new limit', CreditLineSchema),
      422: problem('below the drawn balance, or a closed line'),
    },
  },
  {
    method: 'get',
    path: '/v1/reviews',
    summary: 'The review queue, oldest due first (role reviewer)',
    ...secured,
    request: { query: ReviewListQuerySchema },
    responses: {
      200: json(
        'a page of reviews',
        z.object({ items: z.array(ReviewSchema), nextCursor: z.string().nullable() }),
      ),
    },
  },
  {
    method: 'post',
    path: '/v1/reviews/{id}/decision',
    summary: 'Approve, decline or request information (role reviewer); signals the credit-line workflow',
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(ReviewDecisionSchema),
    },
    responses: {
      202: { description: 'the decision was passed to the workflow' },
      403: problem('not a reviewer, or party to the application'),
      409: problem('already decided by this reviewer, closed, or waiting for information'),
    },
  },
  {
    method: 'get',
    path: '/v1/loans',
    summary: 'Loans from the read model, newest first; a client lists one of its lines (role client, ops)',
    ...secured,
    request: { query: LoanListQuerySchema },
    responses: { 200: { description: '{items, nextCursor}' } },
  },
  {
    method: 'get',
    path: '/v1/loans/{id}',
    summary: 'One loan, from its workflow (role client, ops)',
    ...secured,
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: {
        description:
          'status, outstanding, credit balance, DPD, bucket, next due, autopay attempts, payments (recoveries marked), refunds of credit after payoff, exceptions for an operator',
      },
      404: problem('no such loan'),
    },
  },
  {
    method: 'get',
    path: '/v1/loans/{id}/schedule',
    summary: 'The installment schedule with what is paid on each (role client, ops)',
    ...secured,
    request: { params: z.object({ id: z.string() }) },
    responses: {
      200: {
        description:
          '{currency, installments: [{seq, dueDate, principal, interest, fees, total, paid, balanceAfter, status}]}',
      },
    },
  },
  {
    method: 'get',
    path: '/v1/loans/{id}/payoff-quote',
    summary: 'Amount that settles the loan in full on a date (role client, ops)',
    ...secured,
    request: { params: z.object({ id: z.string() }), query: PayoffQuerySchema },
    responses: { 200: { description: '{amount, date, breakdown}' } },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/repayments',
    summary: 'Pay now: allocation and the new balance; with mode, a partial prepayment (role client)',
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(RepaymentSchema),
    },
    responses: {
      201: { description: 'allocation, outstanding, credit balance, status' },
      422: problem('refused: loan not in service, over the payoff'),
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/extensions',
    summary: "Defer the unpaid due dates under the product's extension policy (role client, own loans)",
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(ExtensionSchema),
    },
    responses: {
      201: json('the new due dates, the fee and the extensions used', ExtensionResultSchema),
      404: problem('no such loan'),
      422: problem('the policy refuses it; `field` names the input, `errors[0].code` the rule'),
    },
  },
  {
    method: 'get',
    path: '/v1/collection-tasks',
    summary:
      'Call tasks, window closing first; callable=true: open and inside contact hours now (role collector, ops)',
    ...secured,
    request: { query: CollectionTaskListQuerySchema },
    responses: {
      200: json(
        'a page of tasks',
        z.object({ items: z.array(CollectionTaskSchema), nextCursor: z.string().nullable() }),
      ),
      400: problem('bad filter or a cursor this API did not issue'),
    },
  },
  {
    method: 'post',
    path: '/v1/collection-tasks/{id}/outcome',
    summary: 'Report a call: recorded once, then signalled to collection:{loanId} (role collector)',
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(TaskOutcomeSchema),
    },
    responses: {
      200: json('the task, done', CollectionTaskSchema),
      404: problem('no such task'),
      409: problem('the task is not open (done, cancelled, expired) or the loan is not in collection'),
      422: problem(
        'promise missing for promise_to_pay (or given without it), promise date past, PII in the note',
      ),
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/promises-to-pay',
    summary: 'Record a promise to pay; it pauses escalation until kept or broken (role collector)',
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(PromiseToPaySchema),
    },
    responses: {
      201: json('the promise', PromiseViewSchema),
      409: problem('the loan is not in collection'),
      422: problem(
        'refused: a promise is open, the date is past or too far, the amount or currency is wrong',
      ),
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/settlement-offers',
    summary:
      'Propose a settlement that waives interest and penalty if paid by a date; reviewers approve (role collector)',
    ...secured,
    request: {
      params: z.object({ id: z.string() }),
      headers: idempotencyHeader,
      body: body(SettlementOfferRequestSchema),
    },
    responses: {
      201: json('the offer, pending approval', SettlementOfferViewSchema),
      409: problem('the loan is not in collection'),
      422: problem('refused by the settlement policy; `field` names the input, `errors[0].code` the rule'),
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/settlement-offers/{offerId}/decision',
    summary: 'Approve or decline a settlement offer (role reviewer); approval tells the loan its terms',
    ...secured,
    request: {
      params: z.object({ id: z.string(), offerId: z.string() }),
      headers: idempotencyHeader,
      body: body(SettlementDecisionSchema),
    },
    responses: {
      200: json('the offer after the decision', SettlementOfferViewSchema),
      409: problem('the loan is not in collection'),
      422: problem('refused: unknown offer, the proposer deciding, a second vote, a closed offer'),
    },
  },
  {
    method: 'get',
    path: '/v1/portfolio/metrics',
    summary:
      'Portfolio health from the daily snapshot: buckets, coincidental and lagged delinquency, roll rates, vintages (role ops)',
    ...secured,
    request: { query: PortfolioMetricsQuerySchema },
    responses: {
      200: json(
        'the metrics; lagged rates and roll rates are null without the earlier snapshot',
        PortfolioMetricsSchema,
      ),
      400: problem('bad date, lagMonths, currency or an unknown query field'),
      403: problem('not ops'),
      404: problem('no snapshot for the date (or product); `field` is date'),
      422: problem('the snapshot holds several currencies and none was named'),
    },
  },
  {
    method: 'post',
    path: '/v1/webhooks/payments',
    summary:
      'Payment provider callbacks, signed: Loanflow-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">, five-minute window',
    request: { body: body(PaymentWebhookSchema) },
    responses: {
      202: { description: 'applied once per event id' },
      200: { description: 'a redelivered event' },
      401: problem('bad or stale signature'),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'text exposition format' } },
  },
  { method: 'get', path: '/healthz', summary: 'Liveness', responses: { 200: { description: 'alive' } } },
  {
    method: 'get',
    path: '/readyz',
    summary: 'Readiness: PostgreSQL and Temporal reachable',
    responses: { 200: { description: 'ready' }, 503: { description: 'a dependency is down' } },
  },
];

/** The OpenAPI 3.1 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key',
  });
  for (const route of routes) registry.registerPath(route);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'loanflow API',
      version: '1.0.0',
      description:
        'Money is an integer count of minor units with its currency beside it. Errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
  });
}
