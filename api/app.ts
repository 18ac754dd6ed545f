import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import type { Pool } from 'pg';
import { pinoHttp, stdSerializers } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { type Logger, serializeError } from '../config/logger';
import { apiKeyRepository } from '../db/api-keys';
import { auditRepository } from '../db/audit';
import { collectionRepository } from '../db/collection';
import { consoleSessionRepository } from '../db/console-sessions';
import { idempotencyRepository } from '../db/idempotency';
import { loanRepository } from '../db/loans';
import { portfolioRepository } from '../db/portfolio';
import { reviewRepository } from '../db/reviews';
import { webhookEventRepository } from '../db/webhook-events';
import { authenticate } from './auth';
import { sessionOrApiKey } from './console-session';
import { createMetrics } from './metrics';
import { methodNotAllowed, openApiDocument } from './openapi';
import { errorHandler, Problem } from './problem';
import { checkResponses } from './response-check';
import { collectionRoutes } from './routes/collections';
import { consoleRoutes } from './routes/console';
import { creditLineRoutes } from './routes/credit-lines';
import { healthRoutes, metricsRoutes } from './routes/health';
import { loanAccess } from './routes/loan-access';
import { loanRoutes } from './routes/loans';
import { portfolioRoutes } from './routes/portfolio';
import { quoteRoutes } from './routes/quotes';
import { reviewRoutes } from './routes/reviews';
import { webhookRoutes } from './routes/webhooks';

export interface AppDeps {
  pool: Pool;
  temporal: Client;
  taskQueue: string;
  logger: Logger;
  customerIdKey: string;
  /** Shared secret of the payment provider's signed callbacks. */
  webhookSecret: string;
  /** The fault harness's compressed calendar for new lines (config/env.ts LOANFLOW_TEST_CLOCK). */
  testClock?: string;
  /**
   * Hold every answer of a table route to the schema it declares (api/response-check.ts); on under
   * jest, which sets NODE_ENV=test, so every API and console test checks what it is answered.
   */
  checkResponses?: boolean;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    pinoHttp({
      logger: deps.logger,
      // Unwrapped: pino-http would run pino's own error serializer first (no failure type, no causes).
      wrapSerializers: false,
      serializers: { err: serializeError, req: stdSerializers.req, res: stdSerializers.res },
      genReqId: (req, res) => {
        const id = (req.headers['x-request-id'] as string | undefined) ?? randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    }),
  );
  if (deps.checkResponses ?? process.env.NODE_ENV === 'test') app.use(checkResponses);
  const metrics = createMetrics(deps.pool);
  app.use(metrics.observe);
  app.use(
    express.json({
      limit: '32kb',
      strict: true,
      // Provider callbacks are verified over the exact bytes that were signed.
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody: Buffer }).rawBody = buf;
      },
    }),
  );
  const apiKeys = apiKeyRepository(deps.pool);
  metricsRoutes({ metrics, apiKeys }, app);

  const doc = openApiDocument();
  app.get('/openapi.json', (_req, res) => {
    res.json(doc);
  });
  app.use('/docs', swaggerUi.serve, swaggerUi.setup(doc));
  app.use(healthRoutes(deps));

  const repos = { idempotency: idempotencyRepository(deps.pool), audit: auditRepository(deps.pool) };
  // Provider callbacks authenticate by their HMAC signature, not by an API key: before /v1's.
  webhookRoutes(
    {
      temporal: deps.temporal,
      webhookEvents: webhookEventRepository(deps.pool),
      webhookSecret: deps.webhookSecret,
    },
    app,
  );
  const consoleSessions = consoleSessionRepository(deps.pool);
  app.use(consoleRoutes({ apiKeys, sessions: consoleSessions }));
  app.use('/v1', sessionOrApiKey(consoleSessions, authenticate(apiKeys)));
  app.use(quoteRoutes());
  app.use(
    creditLineRoutes({
      ...repos,
      metrics,
      temporal: deps.temporal,
      taskQueue: deps.taskQueue,
      customerIdKey: deps.customerIdKey,
      ...(deps.testClock ? { testClock: deps.testClock } : {}),
    }),
  );
  // One access for every /v1/loans/{id} route: its read-your-writes memory is per process.
  const access = loanAccess({ temporal: deps.temporal, pool: deps.pool, loans: loanRepository(deps.pool) });
  app.use(loanRoutes({ ...repos, access }));
  app.use(reviewRoutes({ ...repos, metrics, temporal: deps.temporal, reviews: reviewRepository(deps.pool) }));
  app.use(
    collectionRoutes({
      ...repos,
      access,
      temporal: deps.temporal,
      collection: collectionRepository(deps.pool),
    }),
  );
  app.use(portfolioRoutes({ portfolio: portfolioRepository(deps.pool) }));

  app.use(methodNotAllowed);
  app.use((req, _res, next) => next(Problem.field(404, 'path', `no route for ${req.method} ${req.path}`)));
  app.use(errorHandler);
  return app;
}
