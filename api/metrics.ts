import type { RequestHandler } from 'express';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one API process: request rate and latency by route, and business counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'loanflow_api_' });
  const requestDuration = new Histogram({
    name: 'loanflow_http_request_duration_seconds',
    help: 'HTTP request latency by method, route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const applications = new Counter({
    name: 'loanflow_credit_applications_total',
    help: 'Credit-line applications accepted, by product and the status they were answered with',
    labelNames: ['product', 'status'] as const,
    registers: [registry],
  });
  const drawdowns = new Counter({
    name: 'loanflow_drawdowns_total',
    help: 'Drawdowns accepted (each starts a loan and its disbursement)',
    registers: [registry],
  });
  const reviewDecisions = new Counter({
    name: 'loanflow_review_decisions_total',
    help: 'Reviewer decisions passed to credit-line workflows',
    labelNames: ['decision'] as const,
    registers: [registry],
  });

  const observe: RequestHandler = (req, res, next) => {
    const end = requestDuration.startTimer();
    res.once('finish', () => {
      // The route template, never the raw path: ids would explode the label set.
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : 'unmatched';
      end({ method: req.method, route, status: String(res.statusCode) });
    });
    next();
  };

  return { registry, observe, applications, drawdowns, reviewDecisions };
}

export type Metrics = ReturnType<typeof createMetrics>;
