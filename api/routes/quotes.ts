import { type IRouter, Router } from 'express';
import type { Currency } from '../../domain/money';
import { quote } from '../../domain/quote';
import { mount } from '../mount';
import { json, type RouteGroup, routeFor } from '../route';
import { QuoteRequestSchema, QuoteSchema } from '../schemas';

const route = routeFor<void>();

/** Trial calculation (试算): the domain's quote, no side effects, so no idempotency key. */
export const QUOTE_ROUTES: RouteGroup<void> = {
  tag: 'Quotes',
  routes: [
    route({
      method: 'post',
      path: '/v1/quotes',
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
      responses: { 200: json('the quote', QuoteSchema) },
      problems: {
        422: 'a rule refuses it: a rate that is not a decimal, a bad period, the APR over the cap',
      },
      handle({ res, body: { amount, ...rest } }) {
        // DomainError (a rate of "abc", an APR over the cap) becomes a 422 naming the field.
        res.json(quote({ ...rest, amount: amount.amount, currency: amount.currency as Currency }));
      },
    }),
  ],
};

export const quoteRoutes = (target: IRouter = Router()): IRouter => mount(target, QUOTE_ROUTES, undefined);
