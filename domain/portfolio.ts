import Decimal from 'decimal.js';
import { DomainError } from './errors';
import { assertMinor, D } from './money';
import { bucketFor, DEFAULT_BUCKETS, parseBuckets, type Bucket } from './delinquency';

/**
 * Portfolio health over snapshots of loan positions (the read model's rows, or the workflows' state
 * at a month end). Balances are outstanding principal. Written-off loans are off the books: they
 * are left out of receivables and bucket balances and reported on their own line; roll rates still
 * follow them, so an M6 loan that was written off shows as rolled.
 */

export interface LoanPosition {
  loanId: string;
  outstandingPrincipal: number;
  /** Either dpd or bucket; when both are given they must agree. */
  dpd?: number;
  bucket?: string;
  /** 'YYYY-MM' */
  disbursedMonth: string;
  disbursedPrincipal?: number;
  writtenOff?: boolean;
}

/** A decimal string, or null when the denominator is zero and the rate does not exist. */
export type Rate = string | null;

export interface PortfolioOptions {
  buckets?: readonly Bucket[];
  /** Decimal places of every rate, rounded half-up; default 6. */
  decimals?: number;
}

export interface BucketLine {
  bucket: string;
  count: number;
  balance: number;
  countShare: Rate;
  balanceShare: Rate;
}

export interface Distribution {
  count: number;
  receivables: number;
  buckets: BucketLine[];
  writtenOff: { count: number; balance: number };
}

export interface BucketRate {
  bucket: string;
  balance: number;
  rate: Rate;
  /** This bucket and every later one ("M1+", "M3+"…). */
  cumulativeBalance: number;
  cumulativeRate: Rate;
}

export interface DelinquencyRates {
  /** The denominator: current receivables (coincidental) or those of the earlier snapshot (lagged). */
  receivables: number;
  rates: BucketRate[];
}

export interface RollRate {
  from: string;
  to: string;
  /** Balance in `from` at the earlier snapshot. */
  fromBalance: number;
  /** Current balance of those same loans, now in `to`. */
  rolledBalance: number;
  rate: Rate;
}

export interface VintageRow {
  month: string;
  count: number;
  /** Null unless every loan of the cohort reports its disbursed principal. */
  disbursedPrincipal: number | null;
  outstanding: number;
  buckets: { bucket: string; count: number; balance: number }[];
  delinquentBalance: number;
  /** Delinquent ÷ the cohort's outstanding. */
  delinquentRate: Rate;
  /** Delinquent ÷ the cohort's disbursed principal: the classic vintage curve point. */
  disbursedRate: Rate;
  writtenOffBalance: number;
}

export function bucketDistribution(
  loans: readonly LoanPosition[],
  options: PortfolioOptions = {},
): Distribution {
  const { buckets, decimals } = parseOptions(options);
  return distribution(positions(loans, buckets), buckets, decimals);
}

/** Bucket balance ÷ current receivables. */
export function coincidentalDelinquency(
  loans: readonly LoanPosition[],
  options: PortfolioOptions = {},
): DelinquencyRates {
  const { buckets, decimals } = parseOptions(options);
  const now = distribution(positions(loans, buckets), buckets, decimals);
  return rates(now, now.receivables, decimals);
}

/**
 * Bucket balance ÷ receivables of an earlier snapshot (N months back, N usually the bucket's age),
 * which removes the flattering effect of a fast-growing book on the coincidental rate.
 */
export function laggedDelinquency(
  loans: readonly LoanPosition[],
  earlier: readonly LoanPosition[],
  options: PortfolioOptions = {},
): DelinquencyRates {
  const { buckets, decimals } = parseOptions(options);
  const past = distribution(positions(earlier, buckets, 'earlier'), buckets, decimals);
  return rates(distribution(positions(loans, buckets), buckets, decimals), past.receivables, decimals);
}

/** Share of each bucket's balance that moved to the next bucket between two snapshots, matched by loanId. */
export function rollRates(
  earlier: readonly LoanPosition[],
  current: readonly LoanPosition[],
  options: PortfolioOptions = {},
): RollRate[] {
  const { buckets, decimals } = parseOptions(options);
  const before = positions(earlier, buckets, 'earlier');
  const now = new Map(positions(current, buckets, 'current').map((r) => [r.loanId, r]));
  return buckets.slice(0, -1).map((b, k) => {
    const to = buckets[k + 1]!.name;
    const cohort = before.filter((r) => r.bucket === b.name && !r.writtenOff);
    const fromBalance = sum(cohort.map((r) => r.balance));
    const rolled = sum(
      cohort.map((r) => now.get(r.loanId)).flatMap((r) => (r && r.bucket === to ? [r.balance] : [])),
    );
    return {
      from: b.name,
      to,
      fromBalance,
      rolledBalance: rolled,
      rate: ratio(rolled, fromBalance, decimals),
    };
  });
}

/** Cohorts by disbursement month; `delinquentFrom` is the first bucket counted as delinquent (default the second). */
export function vintage(
  loans: readonly LoanPosition[],
  options: PortfolioOptions & { delinquentFrom?: string } = {},
): VintageRow[] {
  const { buckets, decimals } = parseOptions(options);
  const fromIndex =
    options.delinquentFrom === undefined ? 1 : buckets.findIndex((b) => b.name === options.delinquentFrom);
  if (fromIndex < 0) {
    throw new DomainError(
      'delinquentFrom',
      `delinquentFrom names no bucket: "${String(options.delinquentFrom)}"`,
    );
  }
  const delinquent = new Set(buckets.slice(fromIndex).map((b) => b.name));
  const rows = positions(loans, buckets);
  const months = [...new Set(rows.map((r) => r.month))].sort();
  return months.map((month) => {
    const cohort = rows.filter((r) => r.month === month);
    const live = cohort.filter((r) => !r.writtenOff);
    const outstanding = sum(live.map((r) => r.balance));
    const delinquentBalance = sum(live.filter((r) => delinquent.has(r.bucket)).map((r) => r.balance));
    const disbursed = cohort.every((r) => r.disbursed !== null)
      ? sum(cohort.map((r) => r.disbursed as number))
      : null;
    return {
      month,
      count: cohort.length,
      disbursedPrincipal: disbursed,
      outstanding,
      buckets: buckets.map((b) => {
        const inB = live.filter((r) => r.bucket === b.name);
        return { bucket: b.name, count: inB.length, balance: sum(inB.map((r) => r.balance)) };
      }),
      delinquentBalance,
      delinquentRate: ratio(delinquentBalance, outstanding, decimals),
      disbursedRate: disbursed === null ? null : ratio(delinquentBalance, disbursed, decimals),
      writtenOffBalance: sum(cohort.filter((r) => r.writtenOff).map((r) => r.balance)),
    };
  });
}

function distribution(rows: readonly Position[], buckets: readonly Bucket[], decimals: number): Distribution {
  const live = rows.filter((r) => !r.writtenOff);
  const receivables = sum(live.map((r) => r.balance));
  const off = rows.filter((r) => r.writtenOff);
  return {
    count: live.length,
    receivables,
    buckets: buckets.map((b) => {
      const inB = live.filter((r) => r.bucket === b.name);
      const balance = sum(inB.map((r) => r.balance));
      return {
        bucket: b.name,
        count: inB.length,
        balance,
        countShare: ratio(inB.length, live.length, decimals),
        balanceShare: ratio(balance, receivables, decimals),
      };
    }),
    writtenOff: { count: off.length, balance: sum(off.map((r) => r.balance)) },
  };
}

interface Position {
  loanId: string;
  balance: number;
  bucket: string;
  month: string;
  disbursed: number | null;
  writtenOff: boolean;
}

function rates(dist: Distribution, denominator: number, decimals: number): DelinquencyRates {
  let cumulative = sum(dist.buckets.map((b) => b.balance));
  return {
    receivables: denominator,
    rates: dist.buckets.map((b) => {
      const line = {
        bucket: b.bucket,
        balance: b.balance,
        rate: ratio(b.balance, denominator, decimals),
        cumulativeBalance: cumulative,
        cumulativeRate: ratio(cumulative, denominator, decimals),
      };
      cumulative -= b.balance;
      return line;
    }),
  };
}

function positions(loans: readonly LoanPosition[], buckets: readonly Bucket[], field = 'loans'): Position[] {
  checkList(loans, field);
  const ids = new Set<string>();
  return loans.map((loan, i) => {
    const f = `${field}[${i}]`;
    if (!loan || typeof loan.loanId !== 'string' || loan.loanId === '') {
      throw new DomainError(`${f}.loanId`, `${f}.loanId must be a non-empty string`);
    }
    if (ids.has(loan.loanId)) throw new DomainError(`${f}.loanId`, `${f}.loanId repeats "${loan.loanId}"`);
    ids.add(loan.loanId);
    nonNegative(loan.outstandingPrincipal, `${f}.outstandingPrincipal`);
    if (loan.disbursedPrincipal !== undefined) {
      nonNegative(loan.disbursedPrincipal, `${f}.disbursedPrincipal`);
    }
    if (typeof loan.disbursedMonth !== 'string' || !/^\d{4}-(0[1-9]|1[0-2])$/.test(loan.disbursedMonth)) {
      throw new DomainError(
        `${f}.disbursedMonth`,
        `${f}.disbursedMonth must be YYYY-MM, got "${String(loan.disbursedMonth)}"`,
      );
    }
    return {
      loanId: loan.loanId,
      balance: loan.outstandingPrincipal,
      bucket: bucketOfPosition(loan, buckets, f),
      month: loan.disbursedMonth,
      disbursed: loan.disbursedPrincipal ?? null,
      writtenOff: loan.writtenOff === true,
    };
  });
}

function bucketOfPosition(loan: LoanPosition, buckets: readonly Bucket[], f: string): string {
  let fromDpd: string | undefined;
  if (loan.dpd !== undefined) {
    if (!Number.isSafeInteger(loan.dpd) || loan.dpd < 0) {
      throw new DomainError(`${f}.dpd`, `${f}.dpd must be a whole number ≥ 0`);
    }
    fromDpd = bucketFor(loan.dpd, buckets).name;
  }
  if (loan.bucket === undefined) {
    if (fromDpd === undefined) throw new DomainError(`${f}.dpd`, `${f} needs a dpd or a bucket`);
    return fromDpd;
  }
  if (!buckets.some((b) => b.name === loan.bucket)) {
    throw new DomainError(`${f}.bucket`, `${f}.bucket is not a known bucket: "${loan.bucket}"`);
  }
  if (fromDpd !== undefined && fromDpd !== loan.bucket) {
    throw new DomainError(
      `${f}.bucket`,
      `${f}.bucket ${loan.bucket} disagrees with dpd ${String(loan.dpd)} (${fromDpd})`,
    );
  }
  return loan.bucket;
}

function parseOptions(options: PortfolioOptions): { buckets: Bucket[]; decimals: number } {
  const decimals = options.decimals ?? 6;
  if (!Number.isSafeInteger(decimals) || decimals < 0 || decimals > 20) {
    throw new DomainError('decimals', 'decimals must be a whole number from 0 to 20');
  }
  return { buckets: parseBuckets(options.buckets ?? DEFAULT_BUCKETS), decimals };
}

function checkList<T>(list: readonly T[], field: string): readonly T[] {
  if (!Array.isArray(list)) throw new DomainError(field, `${field} must be a list of loan positions`);
  return list;
}

function nonNegative(n: number, field: string): void {
  assertMinor(n, field);
  if (n < 0) throw new DomainError(field, `${field} must not be negative`);
}

function ratio(numerator: number, denominator: number, decimals: number): Rate {
  if (denominator === 0) return null;
  return new D(numerator).dividedBy(denominator).toFixed(decimals, Decimal.ROUND_HALF_UP);
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
