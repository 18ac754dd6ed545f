import {
  OpenAPIRegistry,
  OpenApiGeneratorV3,
  type ResponseConfig,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { Problem } from './problem';
import {
  AmountSchema,
  ApplicantInfoSchema,
  CardVerificationResultSchema,
  CardVerificationSchema,
  CollectionTaskListQuerySchema,
  CollectionTaskSchema,
  CreditLineApplicationSchema,
  CreditLineSchema,
  DrawdownResultSchema,
  DrawdownSchema,
  ExtensionResultSchema,
  ExtensionSchema,
  IdSchema,
  LimitChangeSchema,
  LineControlSchema,
  LoanListQuerySchema,
  PaymentWebhookSchema,
  PayoffQuerySchema,
  PortfolioMetricsQuerySchema,
  PortfolioMetricsSchema,
  ProblemSchema,
  InstallmentSchema,
  PromiseToPaySchema,
  PromiseViewSchema,
  QuoteRequestSchema,
  QuoteSchema,
  RepaymentSchema,
  ReviewDecisionSchema,
  ReviewListQuerySchema,
  ReviewDossierSchema,
  ReviewSchema,
  SettlementDecisionSchema,
  SettlementOfferRequestSchema,
  SettlementOfferViewSchema,
  TaskOutcomeSchema,
} from './schemas';

/** The roles a key may hold for an operation (`x-roles`); admin may do whatever ops may. */
export type OperationRole = 'client' | 'reviewer' | 'collector' | 'ops';
export const TAGS = [
  'Quotes',
  'Credit lines',
  'Loans',
  'Reviews',
  'Collections',
  'Portfolio',
  'Webhooks',
  'Health',
] as const;
type Tag = (typeof TAGS)[number];
type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422;

interface Operation {
  method: 'get' | 'post';
  path: string;
  tag: Tag;
  summary: string;
  /** Bearer roles, `provider` for the HMAC-signed callback, `public` for no authentication. */
  roles: readonly OperationRole[] | 'provider' | 'public';
  params?: z.ZodObject;
  query?: z.ZodObject;
  idempotent?: true;
  body?: z.ZodType;
  /** What the docs page pre-fills; the spec test holds it to `body` (and posts the quote's to the app). */
  example?: unknown;
  ok: Record<number, ResponseConfig>;
  /** Where each problem can really happen, in this operation's words; the defaults below add the rest. */
  problems?: Partial<Record<ProblemStatus, string>>;
}

const problem = (description: string): ResponseConfig => ({
  description,
  content: { 'application/problem+json': { schema: ProblemSchema } },
});
const json = (description: string, schema: z.ZodType): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
});

const id = (example: string, what: string) => IdSchema.openapi({ example, description: `the ${what}'s id` });
const lineParams = z.object({ id: id('cl_4Jk2Xw9sQeR1bV7nT0aLmZ', 'credit line') });
const loanParams = z.object({ id: id('ln_8Qp3Ys2dLkW5nX1cV9bTgH', 'loan') });
const idempotencyHeader = z.object({
  'Idempotency-Key': z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/)
    .openapi({
      description:
        '1–255 visible ASCII characters; the first response is stored and replayed for the same key (header Idempotent-Replayed: true)',
      example: 'apply-001',
    }),
});

// Response bodies the routes build outside the wire schemas; loose on purpose (fields may be added).
const page = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const LoanSummarySchema = z
  .object({
    id: z.string(),
    creditLineId: z.string(),
    productCode: z.string(),
    status: z.string(),
    currency: z.string(),
    principal: z.number().int(),
    outstanding: z.number().int(),
    creditBalance: z.number().int(),
    nextDueDate: z.string().nullable(),
    nextDueAmount: z.number().int().nullable(),
    dpd: z.number().int(),
    bucket: z.string(),
    stage: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('LoanSummary');
const LoanSchema = z
  .object({
    id: z.string(),
    creditLineId: z.string(),
    productCode: z.string(),
    status: z.string(),
    principal: AmountSchema,
    outstanding: AmountSchema,
    creditBalance: AmountSchema,
    dpd: z.number().int(),
    bucket: z.string(),
    stage: z.string(),
  })
  .openapi('Loan', {
    description:
      'also: next due, autopay attempts, payments (recoveries marked), refunds of credit after payoff, exceptions for an operator',
  });
const ScheduleSchema = z
  .object({
    currency: z.string(),
    installments: z.array(InstallmentSchema.extend({ paid: z.number().int() })),
  })
  .openapi('Schedule');
const PayoffQuoteSchema = z
  .object({ amount: AmountSchema, date: z.string(), breakdown: z.record(z.string(), z.number()) })
  .openapi('PayoffQuote');
const RepaymentResultSchema = z
  .object({
    paymentId: z.string(),
    kind: z.string(),
    allocation: z.object({}),
    outstanding: AmountSchema,
    creditBalance: AmountSchema,
    status: z.string(),
  })
  .openapi('RepaymentResult');
const accepted = (fields: Record<string, z.ZodType>) => z.object({ ...fields, accepted: z.literal(true) });

const lineControlled: Operation['problems'] = {
  404: 'no such credit line',
  422: 'the rules refuse it: a closed line, the same state again; `field` says which',
};

const operations: Operation[] = [
  {
    method: 'post',
    path: '/v1/quotes',
    tag: 'Quotes',
    summary: 'Trial calculation (试算): schedule, totals and APR; no side effects',
    roles: ['client'],
    body: QuoteRequestSchema,
    example: {
      amount: { amount: 1200000, currency: 'CNY' },
      annualRate: '0.12',
      termCount: 12,
      method: 'annuity',
      startDate: '2026-01-15',
    },
    ok: { 200: json('the quote', QuoteSchema) },
    problems: { 422: 'a rule refuses it: a rate that is not a decimal, a bad period, the APR over the cap' },
  },
  {
    method: 'post',
    path: '/v1/credit-lines',
    tag: 'Credit lines',
    summary: 'Apply for a credit line: the decision, or pending_review when people must decide',
    roles: ['client'],
    idempotent: true,
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
    ok: { 201: json('the line with its decision, or pending_review', CreditLineSchema) },
    problems: { 422: 'well-formed but invalid: ID check digit, Luhn, unknown product' },
  },
  {
    method: 'get',
    path: '/v1/credit-lines/{id}',
    tag: 'Credit lines',
    summary: 'A credit line from its workflow: state, limit, available, grade, APR, reasons, open review',
    roles: ['client', 'ops'],
    params: lineParams,
    ok: { 200: json('the credit line', CreditLineSchema) },
    problems: {
      404: 'no such credit line (or not one of this client)',
      409: 'the workflow cannot answer in its current state',
    },
  },
  {
    method: 'post',
    path: '/v1/credit-lines/{id}/drawdowns',
    tag: 'Credit lines',
    summary: 'Draw down (用信): reserves the limit and starts the loan workflow loan:{loanId}',
    roles: ['client'],
    params: lineParams,
    idempotent: true,
    body: DrawdownSchema,
    example: { amount: { amount: 1000000, currency: 'CNY' }, termMonths: 12, purpose: 'home repair' },
    ok: { 201: json('the new loan, disbursing', DrawdownResultSchema) },
    problems: {
      404: 'no such credit line (or not one of this client)',
      422: 'refused: over the available limit, a frozen line, a term or method not offered, a bad card',
    },
  },
  {
    method: 'post',
    path: '/v1/credit-lines/{id}/info',
    tag: 'Credit lines',
    summary: "Answer a reviewer's request for information",
    roles: ['client'],
    params: lineParams,
    idempotent: true,
    body: ApplicantInfoSchema,
    example: { occupation: 'engineer' },
    ok: { 202: json('passed to the review', accepted({ id: z.string() })) },
    problems: {
      404: 'no such credit line (or not one of this client)',
      409: 'no information was requested',
      422: 'nothing given, or a bad phone number',
    },
  },
  {
    method: 'post',
    path: '/v1/credit-lines/{id}/cards',
    tag: 'Credit lines',
    summary: "Verify another payout card with the bank against the line's customer",
    roles: ['client'],
    params: lineParams,
    idempotent: true,
    body: CardVerificationSchema,
    example: { bankCard: '6222020200112233446' },
    ok: { 200: json('the card is verified for drawdowns', CardVerificationResultSchema) },
    problems: {
      404: 'no such credit line (or not one of this client)',
      422: 'a card failing the Luhn check, or one the bank does not match to this customer',
    },
  },
  ...(['freeze', 'unfreeze', 'close'] as const).map((action): Operation => ({
    method: 'post',
    path: `/v1/credit-lines/{id}/${action}`,
    tag: 'Credit lines',
    summary: `${action[0]?.toUpperCase()}${action.slice(1)} a line with a reason (audited)`,
    roles: ['ops'],
    params: lineParams,
    idempotent: true,
    body: LineControlSchema,
    example: { reason: 'fraud alert from the bank' },
    ok: { 200: json('the line after the control', CreditLineSchema) },
    problems: lineControlled,
  })),
  {
    method: 'post',
    path: '/v1/credit-lines/{id}/limit',
    tag: 'Credit lines',
    summary: 'Change the limit with a reason (audited)',
    roles: ['ops'],
    params: lineParams,
    idempotent: true,
    body: LimitChangeSchema,
    example: { reason: 'annual review', limit: { amount: 3000000, currency: 'CNY' } },
    ok: { 200: json('the line with its new limit', CreditLineSchema) },
    problems: { ...lineControlled, 422: 'below the drawn balance, over the grade cap, or a closed line' },
  },
  {
    method: 'get',
    path: '/v1/reviews',
    tag: 'Reviews',
    summary: 'The review queue, oldest due first',
    roles: ['reviewer'],
    query: ReviewListQuerySchema,
    ok: { 200: json('a page of reviews', page(ReviewSchema)) },
    problems: { 400: 'a bad or unknown query parameter, or a cursor this API did not issue' },
  },
  {
    method: 'get',
    path: '/v1/reviews/{id}',
    tag: 'Reviews',
    summary:
      "One review with its dossier: score and contributions, reasons, bureau, lists, identity, the applicant's answers, decisions so far",
    roles: ['reviewer'],
    params: z.object({ id: id('rv_cl_4Jk2Xw9sQeR1bV7nT0aLmZ', 'review') }),
    ok: { 200: json('the review and its dossier; the applicant masked', ReviewDossierSchema) },
    problems: { 404: 'no such review' },
  },
  {
    method: 'post',
    path: '/v1/reviews/{id}/decision',
    tag: 'Reviews',
    summary: 'Approve, decline or request information; signals the credit-line workflow',
    roles: ['reviewer'],
    params: z.object({ id: id('rv_cl_4Jk2Xw9sQeR1bV7nT0aLmZ', 'review') }),
    idempotent: true,
    body: ReviewDecisionSchema,
    example: { decision: 'approve' },
    ok: {
      202: json(
        'the decision was passed to the workflow',
        accepted({ reviewId: z.string(), creditLineId: z.string(), decision: z.string() }),
      ),
    },
    problems: {
      403: 'not a reviewer, or party to the application',
      404: 'no such review',
      409: 'already decided by this reviewer, closed, or waiting for information',
      422: 'a decline or request_info without a reason',
    },
  },
  {
    method: 'get',
    path: '/v1/loans',
    tag: 'Loans',
    summary: 'Loans from the read model, newest first; a client lists those of one of its lines',
    roles: ['client', 'ops'],
    query: LoanListQuerySchema,
    ok: { 200: json('a page of loans', page(LoanSummarySchema)) },
    problems: {
      400: 'a bad or unknown filter, a cursor this API did not issue, or a client key without creditLineId',
      404: 'a client named a credit line that is not its own',
    },
  },
  {
    method: 'get',
    path: '/v1/loans/{id}',
    tag: 'Loans',
    summary: 'One loan from its workflow, DPD counted to today',
    roles: ['client', 'ops'],
    params: loanParams,
    ok: { 200: json('the loan', LoanSchema) },
    problems: {
      404: 'no such loan (or not one of this client)',
      409: 'the workflow cannot answer in its current state',
    },
  },
  {
    method: 'get',
    path: '/v1/loans/{id}/schedule',
    tag: 'Loans',
    summary: 'The installment schedule with what is paid on each',
    roles: ['client', 'ops'],
    params: loanParams,
    ok: { 200: json('the schedule', ScheduleSchema) },
    problems: {
      404: 'no such loan (or not one of this client)',
      409: 'the workflow cannot answer in its current state',
    },
  },
  {
    method: 'get',
    path: '/v1/loans/{id}/payoff-quote',
    tag: 'Loans',
    summary: 'What settles the loan in full on a date, with its breakdown',
    roles: ['client', 'ops'],
    params: loanParams,
    query: PayoffQuerySchema,
    ok: { 200: json('the payoff quote', PayoffQuoteSchema) },
    problems: {
      400: 'a bad date, or an unknown query parameter',
      404: 'no such loan (or not one of this client)',
      409: 'the loan is not disbursed yet, or the workflow cannot answer in its current state',
      422: 'a date before the disbursement or past the last date a payoff is quoted for',
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/repayments',
    tag: 'Loans',
    summary: 'Pay now: allocation and the new balance; with mode, a partial prepayment',
    roles: ['client'],
    params: loanParams,
    idempotent: true,
    body: RepaymentSchema,
    example: { amount: { amount: 50000, currency: 'CNY' }, channel: 'app' },
    ok: { 201: json('allocation, outstanding, credit balance, status', RepaymentResultSchema) },
    problems: {
      404: 'no such loan (or not one of this client)',
      409: 'the loan is not in service (disbursing, closed, written off)',
      422: 'refused: another currency, over the payoff',
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/extensions',
    tag: 'Collections',
    summary: "Defer the unpaid due dates under the product's extension policy (展期)",
    roles: ['client'],
    params: loanParams,
    idempotent: true,
    body: ExtensionSchema,
    example: { days: 15 },
    ok: { 201: json('the new due dates, the fee and the extensions used', ExtensionResultSchema) },
    problems: {
      404: 'no such loan (or not one of this client)',
      409: 'the loan is not in service (disbursing, closed, written off)',
      422: 'the policy refuses it; `field` names the input, `errors[0].code` the rule',
    },
  },
  {
    method: 'get',
    path: '/v1/collection-tasks',
    tag: 'Collections',
    summary: 'Call tasks, window closing first; callable=true: open and inside contact hours now',
    roles: ['collector', 'ops'],
    query: CollectionTaskListQuerySchema,
    ok: { 200: json('a page of tasks', page(CollectionTaskSchema)) },
    problems: { 400: 'a bad or unknown filter, or a cursor this API did not issue' },
  },
  {
    method: 'post',
    path: '/v1/collection-tasks/{id}/outcome',
    tag: 'Collections',
    summary: 'Report a call: recorded once, then signalled to collection:{loanId}',
    roles: ['collector'],
    params: z.object({ id: id('ct_ln_8Qp3Ys2dLkW5nX1cV9bTgH_31', 'collection task') }),
    idempotent: true,
    body: TaskOutcomeSchema,
    example: { outcome: 'no_answer' },
    ok: { 200: json('the task, done', CollectionTaskSchema) },
    problems: {
      404: 'no such task',
      409: 'the task is not open (done, cancelled, expired) or the loan is not in collection',
      422: 'promise missing for promise_to_pay (or given without it), a past promise date, PII in the note',
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/promises-to-pay',
    tag: 'Collections',
    summary: 'Record a promise to pay; it pauses escalation until kept or broken',
    roles: ['collector'],
    params: loanParams,
    idempotent: true,
    body: PromiseToPaySchema,
    example: { date: '2026-12-05', amount: { amount: 50000, currency: 'CNY' } },
    ok: { 201: json('the promise', PromiseViewSchema) },
    problems: {
      404: 'the collection does not know the promise it is asked about',
      409: 'the loan is not in collection',
      422: 'refused: a promise is open, the date is past or too far, the amount or currency is wrong',
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/settlement-offers',
    tag: 'Collections',
    summary: 'Propose a settlement that waives interest and penalty if paid by a date; reviewers approve',
    roles: ['collector'],
    params: loanParams,
    idempotent: true,
    body: SettlementOfferRequestSchema,
    example: { amount: { amount: 800000, currency: 'CNY' }, payBy: '2026-12-20', reason: 'hardship' },
    ok: { 201: json('the offer, pending approval', SettlementOfferViewSchema) },
    problems: {
      404: 'the collection does not know the offer it is asked about',
      409: 'the loan is not in collection',
      422: 'refused by the settlement policy; `field` names the input, `errors[0].code` the rule',
    },
  },
  {
    method: 'post',
    path: '/v1/loans/{id}/settlement-offers/{offerId}/decision',
    tag: 'Collections',
    summary: 'Approve or decline a settlement offer; approval tells the loan its terms',
    roles: ['reviewer'],
    params: loanParams.extend({ offerId: id('so_2Hn6Wq0eRtY4uI8oP1aSdF', 'settlement offer') }),
    idempotent: true,
    body: SettlementDecisionSchema,
    example: { decision: 'approve', reason: 'within policy' },
    ok: { 200: json('the offer after the decision', SettlementOfferViewSchema) },
    problems: {
      404: 'no such offer on this loan',
      409: 'the loan is not in collection',
      422: 'refused: the proposer deciding, a second vote, a closed offer',
    },
  },
  {
    method: 'get',
    path: '/v1/portfolio/metrics',
    tag: 'Portfolio',
    summary:
      'Portfolio health from the daily snapshot: buckets, coincidental and lagged delinquency, roll rates, vintages',
    roles: ['ops'],
    query: PortfolioMetricsQuerySchema,
    ok: {
      200: json(
        'the metrics; lagged rates and roll rates are null without the earlier snapshot',
        PortfolioMetricsSchema,
      ),
    },
    problems: {
      400: 'a bad date, lagMonths, currency or an unknown query parameter',
      404: 'no snapshot for the date (or product, or currency); `field` names which',
      422: 'the snapshot holds several currencies and none was named',
    },
  },
  {
    method: 'post',
    path: '/v1/webhooks/payments',
    tag: 'Webhooks',
    summary:
      'Payment provider callbacks, signed: Loanflow-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">, five-minute window',
    roles: 'provider',
    body: PaymentWebhookSchema,
    ok: {
      202: json('applied once per event id', z.object({ eventId: z.string(), accepted: z.literal(true) })),
      200: json('a redelivered event', z.object({ eventId: z.string(), duplicate: z.literal(true) })),
    },
    problems: {
      401: 'a missing, malformed, stale or wrong signature',
      404: 'no such loan',
      422: 'a refused value',
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'Health',
    summary: 'Prometheus metrics: request latency by route template, applications, drawdowns, decisions',
    roles: ['ops'],
    ok: { 200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } } },
  },
  {
    method: 'get',
    path: '/healthz',
    tag: 'Health',
    summary: 'Liveness',
    roles: 'public',
    ok: { 200: json('alive', z.object({ status: z.literal('ok') })) },
  },
  {
    method: 'get',
    path: '/readyz',
    tag: 'Health',
    summary: 'Readiness: PostgreSQL and Temporal reachable',
    roles: 'public',
    ok: {
      200: json('ready', z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) })),
      503: json(
        'a dependency is down; `checks` says which',
        z.object({ status: z.literal('not_ready'), checks: z.record(z.string(), z.string()) }),
      ),
    },
  },
];

/** Every documented operation, with the zod schema that validates its body and its pre-filled example. */
export const OPERATIONS: readonly Readonly<Operation>[] = operations;

const templates = operations.map((op) => ({
  method: op.method.toUpperCase(),
  path: new RegExp(`^${op.path.replace(/\{\w+\}/g, '[^/]+')}$`),
}));

/**
 * A documented path asked with a method it does not take is a 405 naming the methods it does
 * (RFC 9110), not a 404: mount after the routes, before the 404 handler.
 */
export const methodNotAllowed: RequestHandler = (req, res, next) => {
  const allowed = [...new Set(templates.filter((t) => t.path.test(req.path)).map((t) => t.method))];
  if (allowed.length === 0 || allowed.includes(req.method)) return next();
  if (allowed.includes('GET')) allowed.push('HEAD');
  res.set('Allow', allowed.join(', '));
  next(
    Problem.field(405, 'method', `${req.method} is not taken here; this path takes ${allowed.join(', ')}`),
  );
};

/** The problems an operation can answer, from what it takes: its own words first, defaults for the rest. */
function problemsOf(op: Operation): Partial<Record<ProblemStatus, string>> {
  const own = op.problems ?? {};
  const out: Partial<Record<ProblemStatus, string>> = {};
  const malformed = [
    op.params && 'a path id this API did not issue',
    op.body && 'broken JSON, a missing, unknown or mistyped field',
    op.query && 'a bad or unknown query parameter',
    op.idempotent && 'a missing or malformed Idempotency-Key',
  ].filter(Boolean);
  if (malformed.length) out[400] = `malformed: ${malformed.join('; ')}`;
  if (Array.isArray(op.roles)) {
    out[401] = 'no or unknown API key';
    out[403] = `the key's role may not call this (needs ${op.roles.join(' or ')})`;
  }
  if (op.body) {
    out[413] = 'body over 32 kB';
    out[415] = 'an unsupported charset or content encoding';
  }
  for (const [status, text] of Object.entries(own)) out[Number(status) as ProblemStatus] = text;
  if (op.idempotent) {
    const also = (status: ProblemStatus, text: string) =>
      (out[status] = out[status] ? `${out[status]}; or ${text}` : text);
    also(409, 'a request with this Idempotency-Key is still in progress');
    also(422, 'the Idempotency-Key was used with another request');
  }
  return out;
}

function routeOf(op: Operation): RouteConfig {
  const roles = Array.isArray(op.roles) ? op.roles : [];
  const who = Array.isArray(op.roles)
    ? `Role ${roles.join(' or ')}${roles.includes('ops') ? ' (admin too)' : ''}.`
    : op.roles === 'provider'
      ? 'Authenticated by the provider signature, not an API key.'
      : 'No authentication.';
  const body = op.body && {
    required: true,
    content: {
      'application/json': { schema: op.body, ...(op.example === undefined ? {} : { example: op.example }) },
    },
  };
  const responses: RouteConfig['responses'] = { ...op.ok };
  for (const [status, text] of Object.entries(problemsOf(op))) responses[status] = problem(text);
  return {
    method: op.method,
    path: op.path,
    operationId: `${op.method}${op.path.replace(/\{(\w+)\}/g, 'By-$1').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? '').toUpperCase())}`,
    tags: [op.tag],
    summary: op.summary,
    description: who,
    'x-roles': op.roles,
    ...(Array.isArray(op.roles) ? { security: [{ bearer: [] }] } : {}),
    ...(op.roles === 'provider' ? { security: [{ providerSignature: [] }] } : {}),
    ...(op.roles === 'public' ? { security: [] } : {}),
    request: {
      ...(op.params ? { params: op.params } : {}),
      ...(op.query ? { query: op.query } : {}),
      ...(op.idempotent ? { headers: idempotencyHeader } : {}),
      ...(body ? { body } : {}),
    },
    responses,
  };
}

/**
 * Two generator outputs that tools misread, rewritten:
 * - OpenAPI 3.0 ignores a sibling of `$ref`, so `allOf: [$ref, {nullable}]` forbids null; `anyOf: [$ref]`
 *   with `nullable` beside it reads as "the schema, or null".
 * - A regex with flags (`/…/u`) is printed with its flags after the last slash, which no string
 *   matches; the flags only say how JavaScript reads the escapes, which a pattern reads the same.
 */
function forTools(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forTools);
  if (!node || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  const all = o.allOf;
  if (
    Array.isArray(all) &&
    all.length === 2 &&
    (all[1] as Record<string, unknown>)?.nullable === true &&
    Object.keys(all[1] as object).length === 1
  ) {
    const { allOf: _a, ...rest } = o;
    return forTools({ ...rest, anyOf: [all[0]], nullable: true });
  }
  return Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k,
      k === 'pattern' && typeof v === 'string' ? v.replace(/(?<=\$)\/[dgimsuvy]+$/, '') : forTools(v),
    ]),
  );
}

/** The OpenAPI 3.0 document, generated from the same zod schemas that validate requests. */
export function openApiDocument(): object {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'API key; each operation names the roles it accepts in `x-roles`',
  });
  registry.registerComponent('securitySchemes', 'providerSignature', {
    type: 'apiKey',
    in: 'header',
    name: 'Loanflow-Signature',
    description: 't=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>"> with the shared secret',
  });
  for (const op of operations) registry.registerPath(routeOf(op));
  const doc = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'loanflow API',
      version: '1.0.0',
      description:
        'Money is an integer count of minor units with its currency beside it. Errors are application/problem+json: 400 malformed, 422 well-formed but refused by a rule, with `field` naming the input.',
    },
    servers: [{ url: '/' }],
    tags: TAGS.map((name) => ({ name })),
  });
  return forTools(doc) as object;
}
