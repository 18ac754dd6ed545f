import type { Client } from '@temporalio/client';
import { type IRouter, Router } from 'express';
import { z } from 'zod';
import type { WebhookEventRepository } from '../../db/webhook-events';
import type { Money } from '../../domain/money';
import { paymentCallback, loanWorkflowId } from '../../contracts/loan';
import { mount } from '../mount';
import { Problem } from '../problem';
import { json, type RouteGroup, routeFor } from '../route';
import { PaymentWebhookSchema } from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import { SIGNATURE_HEADER, verifySignature } from '../webhook-signature';

export interface WebhookRouteDeps {
  temporal: Client;
  webhookEvents: WebhookEventRepository;
  /** Shared secret of the payment provider's signed callbacks. */
  webhookSecret: string;
}

const route = routeFor<WebhookRouteDeps>();

/** Provider callbacks: authenticated by their HMAC signature over the exact bytes sent, not by an API key. */
export const WEBHOOK_ROUTES: RouteGroup<WebhookRouteDeps> = {
  tag: 'Webhooks',
  authenticate: (deps) => (req, _res, next) => {
    const raw = (req as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const check = verifySignature(
      deps.webhookSecret,
      req.header(SIGNATURE_HEADER),
      raw,
      Math.floor(Date.now() / 1000),
    );
    next(check.ok ? undefined : Problem.field(401, SIGNATURE_HEADER, check.reason));
  },
  routes: [
    route({
      method: 'post',
      path: '/v1/webhooks/payments',
      summary:
        'Payment provider callbacks, signed: Loanflow-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "t.body">, five-minute window',
      roles: 'provider',
      body: PaymentWebhookSchema,
      responses: {
        202: json('applied once per event id', z.object({ eventId: z.string(), accepted: z.literal(true) })),
        200: json('a redelivered event', z.object({ eventId: z.string(), duplicate: z.literal(true) })),
      },
      problems: {
        401: 'a missing, malformed, stale or wrong signature',
        404: 'no such loan, or one closed longer ago than its window for late receipts (30 days)',
        422: 'a refused value',
      },
      async handle({ ctx, res, body: e }) {
        if (!(await ctx.webhookEvents.claim(e))) {
          res.json({ eventId: e.eventId, duplicate: true });
          return;
        }
        try {
          await viaWorkflow(`loan ${e.loanId}`, () =>
            ctx.temporal.workflow.getHandle(loanWorkflowId(e.loanId)).signal(paymentCallback, {
              eventId: e.eventId,
              kind: e.type === 'payment.succeeded' ? 'success' : 'reversal',
              paymentId: e.paymentId,
              amount: e.amount as Money,
            }),
          );
        } catch (err) {
          await ctx.webhookEvents.release(e.eventId);
          throw err;
        }
        res.status(202).json({ eventId: e.eventId, accepted: true });
      },
    }),
  ],
};

export const webhookRoutes = (deps: WebhookRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, WEBHOOK_ROUTES, deps);
