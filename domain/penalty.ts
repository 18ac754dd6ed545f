import type { DatedCashFlow } from './apr';
import { DomainError } from './errors';
import { assertMinor, D, type Dec, parseRate, roundMinor } from './money';
import { addDays, daysBetween, toLocalDate } from './localdate';

/**
 * Late charges: penalty interest and the cap that keeps it and the late fee (domain/fees.ts `lateFee`) inside the
 * product's APR limit. Each charge is computed in Decimal and rounded half-up once, as posted.
 */

export interface PenaltyAccrual {
  days: number;
  amount: number;
  /** Unrounded figure, kept for audit. */
  exact: string;
}

/**
 * Simple daily interest on an overdue principal for the days from `from` (inclusive) to `to`
 * (exclusive), so consecutive accruals [a, b) and [b, c) add up to [a, c) without a day counted twice.
 */
export function penaltyInterest(
  overduePrincipal: number,
  dailyRate: string,
  from: string,
  to: string,
): PenaltyAccrual {
  assertNonNegative(overduePrincipal, 'overduePrincipal');
  const rate = parseDailyRate(dailyRate);
  const days = period(from, to);
  const exact = new D(overduePrincipal).times(rate).times(days);
  return { days, amount: roundMinor(exact), exact: exact.toString() };
}

export interface OverduePrincipal {
  seq: number;
  dueDate: string;
  /** Principal of this installment still unpaid. */
  principal: number;
}

/**
 * Penalty interest per installment for [from, to): each installment accrues only from the day after
 * its due date, so one accrual run over a period in which a later installment falls due is exact.
 * One posting per installment, because penalty is owed (and allocated) per installment.
 */
export function penaltyByInstallment(
  installments: readonly OverduePrincipal[],
  dailyRate: string,
  from: string,
  to: string,
): (PenaltyAccrual & { seq: number })[] {
  if (!Array.isArray(installments)) throw new DomainError('installments', 'installments must be a list');
  const rate = parseDailyRate(dailyRate);
  period(from, to);
  return installments.map((inst, i) => {
    const f = `installments[${i}]`;
    if (!Number.isSafeInteger(inst?.seq)) throw new DomainError(`${f}.seq`, `${f}.seq must be an integer`);
    toLocalDate(inst.dueDate, `${f}.dueDate`);
    const start = addDays(inst.dueDate, 1);
    assertNonNegative(inst.principal, `${f}.principal`);
    const days = Math.max(0, daysBetween(start > from ? start : from, to));
    const exact = new D(inst.principal).times(rate).times(days);
    return { seq: inst.seq, days, amount: roundMinor(exact), exact: exact.toString() };
  });
}

export type AprOf = (cashflows: readonly DatedCashFlow[]) => string;

export interface PenaltyCapInput {
  /** The whole loan as it stands: disbursement, payments made and everything still scheduled or charged. */
  cashflows: readonly DatedCashFlow[];
  proposed: number;
  /** When the penalty is charged; treating it as paid then is the strictest reading of the cap. */
  date: string;
  aprCap?: string;
  /** Pass domain/apr's measure so the cap matches the APR quoted to the borrower; defaults to `xirr`. */
  aprOf?: AprOf;
}

export interface PenaltyCap {
  proposed: number;
  allowed: number;
  /** The part of the proposed penalty refused by the cap. */
  cappedAmount: number;
  capped: boolean;
  aprCap: string;
  aprWithoutPenalty: string;
  aprWithAllowed: string;
}

/**
 * The largest penalty, up to `proposed`, that keeps the loan's APR at or under the cap (docs/design.md, "Business rules":
 * penalties may not push past it). APR rises with every extra amount the borrower pays, so the answer
 * is searched over whole minor units. The default measure is an annual effective IRR, never lower
 * than the nominal (periodic × periods) APR of the same flows, so by default the cap can only be
 * stricter than a nominal reading, never looser.
 */
export function capPenalty(input: PenaltyCapInput): PenaltyCap {
  assertNonNegative(input.proposed, 'proposed');
  toLocalDate(input.date, 'date');
  const cap = parseRate(input.aprCap ?? '0.36', 'aprCap');
  const aprOf = input.aprOf ?? xirr;
  checkFlows(input.cashflows);
  const aprWith = (p: number): Dec =>
    new D(aprOf(p === 0 ? input.cashflows : [...input.cashflows, { date: input.date, amount: p }]));

  const base = aprWith(0);
  const within = (p: number): boolean => {
    try {
      return aprWith(p).lessThanOrEqualTo(cap);
    } catch (e) {
      // The measure found no rate on its scale once the penalty was added: the rate ran past it.
      if (e instanceof DomainError) return false;
      throw e;
    }
  };
  let allowed = 0;
  if (base.greaterThan(cap)) allowed = 0;
  else if (within(input.proposed)) allowed = input.proposed;
  else {
    // Gallop up from zero so probes stay near the answer (a huge proposal can push the rate off any
    // scale), then bisect between the last probe within the cap and the first one over it.
    let over = input.proposed;
    for (let step = 1; allowed + step < input.proposed; step *= 2) {
      if (!within(allowed + step)) {
        over = allowed + step;
        break;
      }
      allowed += step;
    }
    while (over - allowed > 1) {
      const mid = allowed + Math.floor((over - allowed) / 2);
      if (within(mid)) allowed = mid;
      else over = mid;
    }
  }
  return {
    proposed: input.proposed,
    allowed,
    cappedAmount: input.proposed - allowed,
    capped: allowed < input.proposed,
    aprCap: cap.toString(),
    aprWithoutPenalty: base.toString(),
    aprWithAllowed: aprWith(allowed).toString(),
  };
}

/**
 * Annual effective internal rate of return of dated flows, time in days/365 from the first flow
 * (the XIRR convention): the rate r at which Σ amount × (1+r)^(−days/365) = 0. Solved for
 * s = −ln(1+r)/365, the log of the daily discount factor: the sum becomes Σ amount × e^(s × days),
 * one exp per step and whole-number powers per flow, and it is convex in s, so Newton converges
 * without the overshoots it makes in r. Newton is safeguarded by bisection inside a bracket that
 * always holds the root; rates are searched between −99.9999% and 1,000,000%.
 */
export function xirr(cashflows: readonly DatedCashFlow[]): string {
  checkFlows(cashflows);
  const start = cashflows.reduce((m, c) => (c.date < m ? c.date : m), cashflows[0]!.date);
  const flows = cashflows
    .map((c) => ({ days: daysBetween(start, c.date), a: new D(c.amount) }))
    .sort((x, y) => x.days - y.days);
  const value = (s: Dec): { f: Dec; df: Dec } => {
    const v = s.exp();
    const powers = new Map<number, Dec>();
    let f = new D(0);
    let df = new D(0);
    let disc = new D(1);
    let prev = 0;
    for (const { days, a } of flows) {
      const step = days - prev;
      if (step > 0) {
        let p = powers.get(step);
        if (!p) powers.set(step, (p = v.pow(step)));
        disc = disc.times(p);
      }
      prev = days;
      f = f.plus(a.times(disc));
      df = df.plus(a.times(days).times(disc));
    }
    return { f, df };
  };
  const [sMin, sMax] = logDiscountBounds();
  let lo = sMin;
  let hi = sMax;
  const loPositive = value(lo).f.isPositive();
  if (value(hi).f.isPositive() === loPositive) {
    throw new DomainError('cashflows', 'cashflows have no rate of return between -99.9999% and 1000000%');
  }
  let s = new D(0);
  for (let i = 0; i < 300; i++) {
    const { f, df } = value(s);
    if (f.isZero()) break;
    if (f.isPositive() === loPositive) lo = s;
    else hi = s;
    let next = df.isZero() ? lo.plus(hi).dividedBy(2) : s.minus(f.dividedBy(df));
    if (next.lessThanOrEqualTo(lo) || next.greaterThanOrEqualTo(hi)) next = lo.plus(hi).dividedBy(2);
    const done = next.minus(s).abs().lessThan('1e-37');
    s = next;
    if (done) break;
  }
  return s.times(-365).exp().minus(1).toSignificantDigits(30).toString();
}

let bounds: [Dec, Dec] | undefined;
function logDiscountBounds(): [Dec, Dec] {
  // s = −ln(1+r)/365 at r = 1,000,000% and at r = −99.9999%.
  bounds ??= [new D(10001).ln().dividedBy(-365), new D('0.000001').ln().dividedBy(-365)];
  return bounds;
}

function checkFlows(cashflows: readonly DatedCashFlow[]): void {
  if (!Array.isArray(cashflows) || cashflows.length < 2) {
    throw new DomainError('cashflows', 'cashflows must list at least a disbursement and a payment');
  }
  cashflows.forEach((c, i) => {
    toLocalDate(c?.date, `cashflows[${i}].date`);
    assertMinor(c.amount, `cashflows[${i}].amount`);
  });
  if (!cashflows.some((c) => c.amount < 0) || !cashflows.some((c) => c.amount > 0)) {
    throw new DomainError('cashflows', 'cashflows need money out (negative) and money back (positive)');
  }
}

function period(from: string, to: string): number {
  const days = toLocalDate(to, 'to').toEpochDay() - toLocalDate(from, 'from').toEpochDay();
  if (days < 0) throw new DomainError('to', `to (${to}) is before from (${from})`);
  return days;
}

function parseDailyRate(text: string): Dec {
  const rate = parseRate(text, 'dailyRate');
  if (rate.greaterThanOrEqualTo(1)) {
    throw new DomainError('dailyRate', `dailyRate is a daily fraction such as "0.0005", got "${text}"`);
  }
  return rate;
}

function assertNonNegative(n: number, field: string): void {
  assertMinor(n, field);
  if (n < 0) throw new DomainError(field, `${field} must not be negative, got ${n}`);
}
