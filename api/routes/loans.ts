import type { ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { type IRouter, Router } from 'express';
import { z } from 'zod';
import { addDays, localDateAt } from '../../domain/localdate';
import type { Money } from '../../domain/money';
import { standingToday } from '../../domain/standing-today';
import { getPayment, type LoanView, payoffQuote, repay, type RepaymentRequest } from '../../contracts/loan';
import { actorOf } from '../auth';
import { idFromKey, type IdempotencyDeps } from '../idempotency';
import { mount } from '../mount';
import { Problem } from '../problem';
import { json, page, pathId, type RouteGroup, routeFor } from '../route';
import { pageRead } from '../validate';
import {
  LoanListQuerySchema,
  LoanSchema,
  LoanSummarySchema,
  PayoffQuerySchema,
  PayoffQuoteSchema,
  RepaymentResultSchema,
  RepaymentSchema,
  ScheduleSchema,
} from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import type { LoanAccess } from './loan-access';

export interface LoanRouteDeps extends IdempotencyDeps {
  access: LoanAccess;
}

const paymentIdFor = (actor: string, key: string): string => idFromKey('pay', actor, key, 'payment');

/** Loans started before they kept the borrower's zone ran on the business calendar. */
const BUSINESS_TIME_ZONE = 'Asia/Shanghai';
/** How far past the later of today and the last due date a payoff may be quoted. */
export const PAYOFF_HORIZON_DAYS = 366;

/**
 * The date a payoff is quoted for, today in the borrower's zone by default, checked against the loan
 * before the workflow is asked: a loan without money out has no payoff (409), and a date before the
 * disbursement (or the last prepayment, from which interest accrues again) or past the horizon is
 * refused naming `date` (422).
 */
export function payoffDate(view: LoanView, asked: string | undefined, nowMs: number): string {
  if (!view.disbursement || view.installments.length === 0)
    throw Problem.field(409, 'loan', `the loan is ${view.status}; it has no payoff before it is disbursed`);
  const today = localDateAt(nowMs, view.timeZone ?? BUSINESS_TIME_ZONE);
  const date = asked ?? today;
  const from = view.payments
    .filter((p) => p.kind === 'prepayment')
    .reduce((d, p) => (p.date > d ? p.date : d), view.disbursement.date);
  if (date < from)
    throw Problem.field(
      422,
      'date',
      `is before ${from}: a payoff is quoted from the disbursement, or the last prepayment, on`,
    );
  const lastDue = view.installments.at(-1)!.dueDate;
  const until = addDays(lastDue > today ? lastDue : today, PAYOFF_HORIZON_DAYS);
  if (date > until)
    throw Problem.field(422, 'date', `is after ${until}, the last date a payoff is quoted for`);
  return date;
}

/** The view with DPD, bucket and stage counted to today (see standingToday): a bucket boundary the loan has not yet woken for (a worker outage) shows at once. */
export function asOfToday(view: LoanView, nowMs: number): LoanView {
  const standing = standingToday(view, nowMs);
  return standing ? { ...view, ...standing } : view;
}

/** The wire view: the loan without bookkeeping internals (the schedule has its own route). */
export function loanResponse(view: LoanView) {
  const {
    customerId: _c,
    installments: _i,
    reminders: _r,
    receivable: _rc,
    ledgerPending: _l,
    version: _v,
    buckets: _b,
    ...wire
  } = view;
  return wire;
}

/** The routes' context: the one loan access of this app (shared with the collection routes). */
const contextOf = (deps: LoanRouteDeps) => deps.access;

type Ctx = ReturnType<typeof contextOf>;
const route = routeFor<Ctx>();

const loanParams = z.object({ id: pathId('ln_8Qp3Ys2dLkW5nX1cV9bTgH', 'loan') });
const notOwn = 'no such loan (or not one of this client)';
const read = { 404: notOwn, 409: 'the workflow cannot answer in its current state' } as const;

/** A read of one loan (a client's own only), answered with `answer`'s shape of its view. */
const loanRead = (
  path: string,
  summary: string,
  response: ResponseConfig,
  answer: (view: LoanView) => unknown,
) =>
  route({
    method: 'get',
    path,
    summary,
    roles: ['client', 'ops'],
    params: loanParams,
    responses: { 200: response },
    problems: read,
    async handle({ ctx, req, res, params: { id } }) {
      res.json(answer(await ctx.readLoan(req, id)));
    },
  });

/** The schedule's wire form: each installment without its bookkeeping internals. */
const scheduleOf = (view: LoanView) => ({
  currency: view.principal.currency,
  installments: view.installments.map(
    ({ seq, dueDate, principal, interest, fees, total, paid, balanceAfter, status }) => ({
      seq,
      dueDate,
      principal,
      interest,
      fees,
      total,
      paid,
      balanceAfter,
      status,
    }),
  ),
});

/** Loans (role client for its own, ops for all), their schedules, repayments and payoff quotes. */
export const LOAN_ROUTES: RouteGroup<Ctx> = {
  tag: 'Loans',
  routes: [
    route({
      method: 'get',
      path: '/v1/loans',
      summary: 'Loans from the read model, newest first; a client lists those of one of its lines',
      roles: ['client', 'ops'],
      query: LoanListQuerySchema,
      responses: { 200: json('a page of loans', page(LoanSummarySchema)) },
      problems: {
        400: 'a bad or unknown filter, a cursor this API did not issue, or a client key without creditLineId',
        404: 'a client named a credit line that is not its own',
      },
      async handle({ ctx, req, res, query: { cursor, creditLineId, ...filters } }) {
        if (actorOf(req).role === 'client') {
          if (!creditLineId)
            throw Problem.field(400, 'creditLineId', 'a client lists the loans of one of its lines');
          if (!(await ctx.ownsLine(req, creditLineId)))
            throw Problem.notFound('creditLineId', `credit line ${creditLineId}`);
        }
        const found = await pageRead(
          ctx.loans.list({
            ...filters,
            ...(creditLineId ? { creditLineId } : {}),
            ...(cursor ? { after: cursor } : {}),
          }),
          'after',
        );
        res.json({ items: found.items, nextCursor: found.next });
      },
    }),
    loanRead(
      '/v1/loans/{id}',
      'One loan from its workflow, DPD counted to today',
      json('the loan', LoanSchema),
      (view) => loanResponse(asOfToday(view, Date.now())),
    ),
    loanRead(
      '/v1/loans/{id}/schedule',
      'The installment schedule with what is paid on each',
      json('the schedule', ScheduleSchema),
      scheduleOf,
    ),
    route({
      method: 'get',
      path: '/v1/loans/{id}/payoff-quote',
      summary: 'What settles the loan in full on a date, with its breakdown',
      roles: ['client', 'ops'],
      params: loanParams,
      query: PayoffQuerySchema,
      responses: { 200: json('the payoff quote', PayoffQuoteSchema) },
      problems: {
        400: 'a bad date, or an unknown query parameter',
        404: notOwn,
        409: 'the loan is not disbursed yet, or the workflow cannot answer in its current state',
        422: 'a date before the disbursement or past the last date a payoff is quoted for',
      },
      async handle({ ctx, req, res, params: { id }, query: { date: asked } }) {
        const date = payoffDate(await ctx.readLoan(req, id), asked, Date.now());
        res.json(await viaWorkflow(`loan ${id}`, () => ctx.handleOf(id).query(payoffQuote, date)));
      },
    }),
    route({
      method: 'post',
      path: '/v1/loans/{id}/repayments',
      summary: 'Pay now: allocation and the new balance; with mode, a partial prepayment',
      roles: ['client'],
      params: loanParams,
      body: RepaymentSchema,
      example: { amount: { amount: 50000, currency: 'CNY' }, channel: 'app' },
      responses: { 201: json('allocation, outstanding, credit balance, status', RepaymentResultSchema) },
      problems: {
        404: notOwn,
        409: 'the loan is not in service (disbursing, closed, written off)',
        422: 'refused: another currency, over the payoff',
      },
      action: 'loan.repayment',
      async effect({ ctx, req, key, params: { id }, body }) {
        // The loan holds a payment sent while its payout is out until the bank answers (workflows/
        // loan.ts): a loan listed as disbursing is refused here rather than keep the request waiting.
        const listed = await ctx.readLoan(req, id);
        if (listed.status === 'disbursing')
          throw Problem.field(
            409,
            'loan',
            'the loan is disbursing; it takes repayments once active',
            'loan_not_in_service',
          );
        // The payment id comes from the key: a retried request is the same payment, never a second one.
        const request: RepaymentRequest = {
          ...body,
          amount: body.amount as Money,
          paymentId: paymentIdFor(actorOf(req).id, key),
        };
        const handle = ctx.handleOf(id);
        const result = await viaWorkflow(`loan ${id}`, () =>
          handle
            .executeUpdate(repay, { args: [request] })
            // A retry of a payment that closed the loan (its first answer lost with a crashed process)
            // finds the workflow completed: the closed run still says what that payment got.
            .catch(
              async (err: unknown) =>
                (await handle.query(getPayment, request.paymentId)) ?? Promise.reject(err),
            ),
        );
        ctx.tookPayment(id, result.paymentId);
        return { status: 201, body: result, subject: id };
      },
    }),
  ],
};

export const loanRoutes = (deps: LoanRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, LOAN_ROUTES, contextOf(deps), deps);
