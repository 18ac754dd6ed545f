import type { RequestHandler } from 'express';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one API process: request rate and latency by route, and business counters. */
export function createMetrics(pool?: Pool) {
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

  if (pool) bookMetrics(registry, pool);

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

/** Counted by product from the read model; an entry whose loan has no row there still counts, as 'unknown'. */
const journalEntriesOfKind = (kind: string) =>
  `select coalesce(l.product_code, 'unknown') as label, count(*)::bigint as value
          from journal_entries e left join loans l on l.id = e.loan_id where e.kind = '${kind}' group by 1`;

/**
 * Business totals counted in PostgreSQL at scrape time, so they are exact, the same on every API
 * replica, and survive restarts (a process-local counter would reset and double across replicas).
 * Journal entries are append-only, so counts over them only grow, as Prometheus counters must.
 */
const BOOK_METRICS: { name: string; help: string; type: 'counter' | 'gauge'; label?: string; sql: string }[] =
  [
    {
      name: 'loanflow_applications_total',
      help: 'Credit-line applications received, by product',
      type: 'counter',
      sql: 'select product_code as label, count(*)::bigint as value from credit_lines group by 1',
    },
    {
      name: 'loanflow_approvals_total',
      help: 'Credit-line applications approved (lines that were granted a limit), by product',
      type: 'counter',
      sql: `select product_code as label, count(*)::bigint as value from credit_lines
          where status in ('active', 'frozen', 'closed') and limit_amount is not null group by 1`,
    },
    {
      name: 'loanflow_disbursements_total',
      help: 'Loans disbursed (disbursement entries in the journal), by product',
      type: 'counter',
      sql: journalEntriesOfKind('disbursement'),
    },
    {
      name: 'loanflow_repayments_total',
      help: 'Repayments booked (repayment entries in the journal, reversed ones included), by product',
      type: 'counter',
      sql: journalEntriesOfKind('repayment'),
    },
    {
      name: 'loanflow_write_offs_total',
      help: 'Loans written off (write_off entries in the journal), by product',
      type: 'counter',
      sql: journalEntriesOfKind('write_off'),
    },
    {
      // Delinquency is a state a loan enters and leaves, so it is a gauge: loans past due now.
      name: 'loanflow_delinquent_loans',
      help: 'Loans currently delinquent (read model), by product',
      type: 'gauge',
      sql: `select product_code as label, count(*)::bigint as value from loans where status = 'delinquent' group by 1`,
    },
    {
      name: 'loanflow_reconciliation_breaks',
      help: 'Breaks in the latest whole-book reconciliation report',
      type: 'gauge',
      label: 'scope',
      sql: `select 'all' as label, coalesce((select breaks from reconciliation_reports where scope = 'all'
            order by business_date desc limit 1), 0)::bigint as value`,
    },
  ];

function bookMetrics(registry: Registry, pool: Pool): void {
  for (const m of BOOK_METRICS) {
    const label = m.label ?? 'product';
    const options = { name: m.name, help: m.help, labelNames: [label], registers: [registry] };
    async function collect(this: Counter | Gauge) {
      const res = await pool.query<{ label: string; value: number }>(m.sql);
      this.reset();
      for (const r of res.rows)
        if (this instanceof Counter) this.inc({ [label]: r.label }, r.value);
        else this.set({ [label]: r.label }, r.value);
    }
    if (m.type === 'counter') new Counter({ ...options, collect });
    else new Gauge({ ...options, collect });
  }
}
