import { type IRouter, type Response, Router } from 'express';
import type { z } from 'zod';
import type { LoanPositionRow, PortfolioRepository, SnapshotRow } from '../../db/portfolio';
import { addDays, daysBetween, localDateAt, toLocalDate } from '../../domain/localdate';
import {
  bucketDistribution,
  coincidentalDelinquency,
  type DelinquencyRates,
  laggedDelinquency,
  type LoanPosition,
  rollRates,
  vintage,
} from '../../domain/portfolio';
import { DEFAULT_BUCKETS } from '../../domain/delinquency';
import { mount } from '../mount';
import { Problem } from '../problem';
import { json, type RouteGroup, routeFor } from '../route';
import {
  CASHFLOW_MAX_DAYS,
  PortfolioCashflowsQuerySchema,
  PortfolioCashflowsSchema,
  PortfolioMetricsQuerySchema,
  PortfolioMetricsSchema,
} from '../schemas';

export interface PortfolioRouteDeps {
  portfolio: PortfolioRepository;
}

/**
 * The snapshot `months` months before `date`: month end to month end (2026-03-31 → 2026-02-28),
 * otherwise the same day of the month, clamped to the shorter month.
 */
export function monthsBefore(date: string, months: number): string {
  const d = toLocalDate(date, 'date');
  const earlier = d.minusMonths(months);
  return d.dayOfMonth() === d.lengthOfMonth()
    ? earlier.withDayOfMonth(earlier.lengthOfMonth()).toString()
    : earlier.toString();
}

/*
 * Snapshot rows are aggregates (product × bucket × vintage × state), not loans; each becomes one
 * LoanPosition for domain/portfolio.ts, which computes every balance and rate. Loan counts are
 * summed from the rows' `loans`, since the domain counts positions.
 *
 * - 'closed' rows stay out of every balance; in vintages they count with no outstanding principal,
 *   so their disbursed principal stays in the cohort's denominator.
 * - 'written_off' rows are positions with writtenOff: the domain keeps them out of receivables and
 *   bucket balances and reports them on their own line (distribution.writtenOff, vintage's
 *   writtenOffBalance).
 */
const key = (r: SnapshotRow) => `${r.productCode}|${r.vintage}|${r.bucket}|${r.state}`;

const position = (r: SnapshotRow, loanId = key(r)): LoanPosition => ({
  loanId,
  outstandingPrincipal: r.state === 'closed' ? 0 : r.outstandingPrincipal,
  bucket: r.bucket,
  disbursedMonth: r.vintage,
  disbursedPrincipal: r.disbursedPrincipal,
  writtenOff: r.state === 'written_off',
});

const onBooks = (rows: readonly SnapshotRow[]) => rows.filter((r) => r.state !== 'closed');

/** A loan's own position: roll rates follow it from one snapshot to the next by its id. */
const loanPosition = (r: LoanPositionRow): LoanPosition => ({
  loanId: r.loanId,
  outstandingPrincipal: r.outstandingPrincipal,
  bucket: r.bucket,
  disbursedMonth: r.vintage,
  writtenOff: r.state === 'written_off',
});

/**
 * For snapshots taken before loan positions were kept. Roll rates without loan ids: the domain matches an earlier position to a current one by loanId.
 * An earlier row in bucket k of a product and vintage gets the id of the same cohort's row in bucket
 * k+1, so the domain's rolled balance is the cohort's current balance in k+1 (the aggregate "flow
 * rate" k → k+1, cohort by cohort). Current rows of a cohort and bucket are merged across states
 * (written-off loans still count as rolled, as in the domain); earlier written-off rows are dropped
 * (the domain leaves them out of the from-balance anyway).
 */
function rollInputs(earlier: readonly SnapshotRow[], current: readonly SnapshotRow[]) {
  const names = DEFAULT_BUCKETS.map((b) => b.name);
  const cohort = (r: SnapshotRow, bucket: string) => `${r.productCode}|${r.vintage}|${bucket}`;
  const before = new Map<string, LoanPosition>();
  for (const r of onBooks(earlier)) {
    if (r.state === 'written_off') continue;
    const i = names.indexOf(r.bucket);
    const id = i >= 0 && i < names.length - 1 ? cohort(r, names[i + 1]!) : `${cohort(r, r.bucket)}|last`;
    const seen = before.get(id);
    before.set(id, {
      ...position(r, id),
      outstandingPrincipal: (seen?.outstandingPrincipal ?? 0) + r.outstandingPrincipal,
    });
  }
  const now = new Map<string, LoanPosition>();
  for (const r of onBooks(current)) {
    const id = cohort(r, r.bucket);
    const seen = now.get(id);
    now.set(id, {
      ...position(r, id),
      writtenOff: false,
      outstandingPrincipal: (seen?.outstandingPrincipal ?? 0) + r.outstandingPrincipal,
    });
  }
  return { before: [...before.values()], now: [...now.values()] };
}

/**
 * Calendar months from a vintage ('YYYY-MM', its disbursement month) to a snapshot date: 0 in the month
 * the vintage was disbursed, so every vintage's curve starts at the same point of its life.
 */
export function monthsOnBook(vintage: string, date: string): number {
  const [vy, vm] = vintage.split('-').map(Number) as [number, number];
  const d = toLocalDate(date, 'date');
  return (d.year() - vy) * 12 + (d.monthValue() - vm);
}

const route = routeFor<PortfolioRouteDeps>();

/** Portfolio health for operators: buckets, delinquency, roll rates, vintages; and the book's cash flows. */
export const PORTFOLIO_ROUTES: RouteGroup<PortfolioRouteDeps> = {
  tag: 'Portfolio',
  routes: [
    route({
      method: 'get',
      path: '/v1/portfolio/metrics',
      summary:
        'Portfolio health from the daily snapshot: buckets, coincidental and lagged delinquency, roll rates, vintages',
      roles: ['ops'],
      query: PortfolioMetricsQuerySchema,
      responses: {
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
      handle: ({ ctx, res, query }) => metrics(ctx, res, query),
    }),
    route({
      method: 'get',
      path: '/v1/portfolio/cashflows',
      summary: 'Disbursed and collected per business day, from the ledger, for at most 366 days',
      roles: ['ops'],
      query: PortfolioCashflowsQuerySchema,
      responses: {
        200: json('every day of the range, per currency that moved in it', PortfolioCashflowsSchema),
      },
      problems: {
        400: 'a bad date or product code, or an unknown query parameter',
        422: '`from` after `to`, or more than 366 days between them; `field` names `from`',
      },
      handle: ({ ctx, res, query }) => cashflows(ctx, res, query),
    }),
  ],
};

/** The business calendar's zone (the products' own): what "today" means when no date is given. */
const BUSINESS_TIME_ZONE = 'Asia/Shanghai';
const DEFAULT_CASHFLOW_DAYS = 30;

/** Every day of the range for each currency the journal moved in, the quiet days as zeros. */
async function cashflows(
  deps: PortfolioRouteDeps,
  res: Response,
  query: z.output<typeof PortfolioCashflowsQuerySchema>,
): Promise<void> {
  const to = query.to ?? localDateAt(Date.now(), BUSINESS_TIME_ZONE);
  const from = query.from ?? addDays(to, -(DEFAULT_CASHFLOW_DAYS - 1));
  const span = daysBetween(from, to) + 1;
  if (span < 1) throw Problem.field(422, 'from', `must not be after to (${to})`);
  if (span > CASHFLOW_MAX_DAYS)
    throw Problem.field(
      422,
      'from',
      `must be at most ${CASHFLOW_MAX_DAYS} days before to (${to}), both included; asked for ${span}`,
    );
  const rows = await deps.portfolio.cashflows(from, to, query.productCode);
  const days = Array.from({ length: span }, (_, k) => addDays(from, k));
  const currencies = [...new Set(rows.map((r) => r.currency))];
  res.json({
    from,
    to,
    productCode: query.productCode ?? null,
    series: currencies.map((currency) => {
      const money = (amount: number) => ({ amount, currency });
      const byDate = new Map(rows.filter((r) => r.currency === currency).map((r) => [r.date, r]));
      const sum = (k: 'disbursed' | 'collected') => [...byDate.values()].reduce((n, r) => n + r[k], 0);
      return {
        currency,
        disbursed: money(sum('disbursed')),
        collected: money(sum('collected')),
        days: days.map((date) => {
          const r = byDate.get(date);
          return {
            date,
            disbursed: money(r?.disbursed ?? 0),
            paidOut: money(r?.paidOut ?? 0),
            loans: r?.loans ?? 0,
            collected: money(r?.collected ?? 0),
            payments: r?.payments ?? 0,
          };
        }),
      };
    }),
  });
}

export const portfolioRoutes = (deps: PortfolioRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, PORTFOLIO_ROUTES, deps);

/** The metrics of one snapshot date against the one `lagMonths` before it. */
async function metrics(
  deps: PortfolioRouteDeps,
  res: Response,
  query: z.output<typeof PortfolioMetricsQuerySchema>,
): Promise<void> {
  const { productCode, lagMonths } = query;
  const scope = productCode ? ` of product ${productCode}` : '';

  const date = query.date ?? (await deps.portfolio.latestDate(productCode));
  if (!date) {
    throw new Problem(404, 'Not found', `no portfolio snapshot${scope} yet`, [
      { field: productCode ? 'productCode' : 'date', message: `no portfolio snapshot${scope} yet` },
    ]);
  }
  const all = await deps.portfolio.rows(date, productCode);
  if (all.length === 0) {
    const message = `no portfolio snapshot${scope} for ${date}`;
    throw new Problem(404, 'Not found', `date: ${message}`, [{ field: 'date', message }]);
  }

  const currencies = [...new Set(all.map((r) => r.currency))].sort();
  const currency = query.currency ?? (currencies.length === 1 ? currencies[0]! : undefined);
  if (!currency) {
    throw Problem.field(422, 'currency', `the snapshot holds ${currencies.join(', ')}: name one`);
  }
  const rows = all.filter((r) => r.currency === currency);
  if (rows.length === 0) {
    const message = `no portfolio snapshot${scope} in ${currency} for ${date}`;
    throw new Problem(404, 'Not found', `currency: ${message}`, [{ field: 'currency', message }]);
  }

  const lagDate = monthsBefore(date, lagMonths);
  const earlierRows = (await deps.portfolio.rows(lagDate, productCode)).filter(
    (r) => r.currency === currency,
  );
  const hasEarlier = earlierRows.length > 0;

  const money = (amount: number) => ({ amount, currency });
  const loansWhere = (pick: (r: SnapshotRow) => boolean) =>
    rows.filter(pick).reduce((n, r) => n + r.loans, 0);
  const sumWhere = (pick: (r: SnapshotRow) => boolean, field: 'outstanding' | 'outstandingPrincipal') =>
    rows.filter(pick).reduce((n, r) => n + r[field], 0);

  const current = onBooks(rows).map((r) => position(r));
  const earlier = onBooks(earlierRows).map((r) => position(r));
  const distribution = bucketDistribution(current);
  const coincidental = coincidentalDelinquency(current);
  const lagged = hasEarlier ? laggedDelinquency(current, earlier) : null;
  const inCurrency = <R extends { currency: string }>(list: R[]) =>
    list.filter((r) => r.currency === currency);
  const loansNow = hasEarlier ? inCurrency(await deps.portfolio.loanPositions(date, productCode)) : [];
  const loansThen = hasEarlier ? inCurrency(await deps.portfolio.loanPositions(lagDate, productCode)) : [];
  // Loan by loan when both snapshots kept positions; an empty book on either date has none to keep.
  const byLoan = loansNow.length > 0 && loansThen.length > 0;
  const roll = !hasEarlier
    ? null
    : byLoan
      ? rollRates(loansThen.map(loanPosition), loansNow.map(loanPosition))
      : (() => {
          const { before, now } = rollInputs(earlierRows, rows);
          return rollRates(before, now);
        })();

  const rates = (d: DelinquencyRates | null, of: string | null) => {
    const source = d ?? coincidental;
    const m1 = source.rates[1];
    return {
      date: d ? of : null,
      receivables: d ? money(d.receivables) : null,
      buckets: source.rates.map((b) => ({
        bucket: b.bucket,
        balance: money(b.balance),
        rate: d ? b.rate : null,
        cumulativeBalance: money(b.cumulativeBalance),
        cumulativeRate: d ? b.cumulativeRate : null,
      })),
      delinquent: {
        balance: money(m1?.cumulativeBalance ?? 0),
        rate: d ? (m1?.cumulativeRate ?? null) : null,
      },
    };
  };

  const live = (r: SnapshotRow) => r.state === 'open';
  const off = (r: SnapshotRow) => r.state === 'written_off';
  res.json({
    date,
    lagDate: hasEarlier ? lagDate : null,
    productCode: productCode ?? null,
    currency,
    loans: loansWhere(live),
    receivables: money(distribution.receivables),
    buckets: distribution.buckets.map((b) => ({
      bucket: b.bucket,
      loans: loansWhere((r) => live(r) && r.bucket === b.bucket),
      outstanding: money(sumWhere((r) => live(r) && r.bucket === b.bucket, 'outstanding')),
      outstandingPrincipal: money(b.balance),
      share: b.balanceShare,
    })),
    writtenOff: {
      loans: loansWhere(off),
      outstanding: money(sumWhere(off, 'outstanding')),
      outstandingPrincipal: money(distribution.writtenOff.balance),
    },
    delinquency: { coincidental: rates(coincidental, date), lagged: rates(lagged, lagDate) },
    rollRateBasis: roll ? (byLoan ? 'loans' : 'cohorts') : null,
    rollRates: (roll ?? rollRates([], [])).map((r) => ({
      from: r.from,
      to: r.to,
      fromBalance: roll ? money(r.fromBalance) : null,
      rolledBalance: roll ? money(r.rolledBalance) : null,
      rate: roll ? r.rate : null,
    })),
    vintages: vintage(rows.map((r) => position(r))).map((v) => ({
      vintage: v.month,
      monthsOnBook: monthsOnBook(v.month, date),
      loans: loansWhere((r) => r.vintage === v.month),
      disbursed: v.disbursedPrincipal === null ? null : money(v.disbursedPrincipal),
      outstanding: money(v.outstanding),
      delinquent: money(v.delinquentBalance),
      delinquentRate: v.delinquentRate,
      disbursedRate: v.disbursedRate,
      writtenOff: money(v.writtenOffBalance),
    })),
  });
}
