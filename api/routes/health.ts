import type { Client } from '@temporalio/client';
import { type IRouter, Router } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import type { ApiKeyRepository } from '../../db/api-keys';
import { authenticate } from '../auth';
import type { Metrics } from '../metrics';
import { mount } from '../mount';
import { json, type RouteGroup, routeFor } from '../route';

export interface HealthRouteDeps {
  pool: Pool;
  temporal: Client;
}

const health = routeFor<HealthRouteDeps>();
const checks = z
  .record(z.string(), z.string())
  .openapi({ description: "each dependency: 'ok' or its error" });

export const HEALTH_ROUTES: RouteGroup<HealthRouteDeps> = {
  tag: 'Health',
  routes: [
    health({
      method: 'get',
      path: '/healthz',
      summary: 'Liveness',
      roles: 'public',
      responses: { 200: json('alive', z.object({ status: z.literal('ok') })) },
      handle({ res }) {
        res.json({ status: 'ok' });
      },
    }),
    health({
      method: 'get',
      path: '/readyz',
      summary: 'Readiness: PostgreSQL and Temporal reachable',
      roles: 'public',
      responses: {
        200: json('ready', z.object({ status: z.literal('ready'), checks })),
        503: json(
          'a dependency is down; `checks` says which',
          z.object({ status: z.literal('not_ready'), checks }),
        ),
      },
      async handle({ ctx, res }) {
        const [db, temporal] = await Promise.all([
          ctx.pool.query('select 1').then(
            () => 'ok',
            (e: Error) => e.message,
          ),
          ctx.temporal.workflowService.getSystemInfo({}).then(
            () => 'ok',
            (e: Error) => e.message,
          ),
        ]);
        const ready = db === 'ok' && temporal === 'ok';
        res
          .status(ready ? 200 : 503)
          .json({ status: ready ? 'ready' : 'not_ready', checks: { postgres: db, temporal } });
      },
    }),
  ],
};

export const healthRoutes = (deps: HealthRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, HEALTH_ROUTES, deps);

export interface MetricsRouteDeps {
  metrics: Metrics;
  apiKeys: Pick<ApiKeyRepository, 'findActive'>;
}

const scrape = routeFor<MetricsRouteDeps>();

/**
 * Operators only: the business series are book figures. Prometheus sends an ops key as its bearer
 * token (scrape config `authorization: { credentials_file: … }`); outside `/v1`, so the key is checked here.
 */
export const METRICS_ROUTES: RouteGroup<MetricsRouteDeps> = {
  tag: 'Health',
  authenticate: (deps) => authenticate(deps.apiKeys),
  routes: [
    scrape({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics: request latency by route template, applications, drawdowns, decisions',
      roles: ['ops'],
      responses: {
        200: { description: 'text exposition format', content: { 'text/plain': { schema: z.string() } } },
      },
      async handle({ ctx: { metrics }, res }) {
        res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
      },
    }),
  ],
};

export const metricsRoutes = (deps: MetricsRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, METRICS_ROUTES, deps);
