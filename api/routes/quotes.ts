import { Router } from 'express';
import type { Currency } from '../../domain/money';
import { quote } from '../../domain/quote';
import { requireRole } from '../auth';
import { type QuoteRequest, QuoteRequestSchema } from '../schemas';
import { validateBody } from '../validate';

/** Trial calculation (试算): the domain's quote, no side effects, so no idempotency key. */
export function quoteRoutes(): Router {
  const router = Router();
  router.post('/v1/quotes', requireRole('client'), validateBody(QuoteRequestSchema), (req, res) => {
    const { amount, ...rest } = req.body as QuoteRequest;
    // DomainError (a rate of "abc", an APR over the cap) becomes a 422 naming the field.
    res.json(quote({ ...rest, amount: amount.amount, currency: amount.currency as Currency }));
  });
  return router;
}
