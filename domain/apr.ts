/**
 * APR as the internal rate of return of the borrower's actual cash flows: the net amount disbursed at t0
 * (after any deducted fee) against every installment, fees included, on its due date. Time runs in schedule
 * periods: a broken first period counts as its fraction of a period, later due dates one period apart. The
 * nominal APR is the periodic IRR × periods per year (the figure regulators cap); the effective annual
 * rate (1 + i)^periodsPerYear − 1 stands beside it.
 *
 * The IRR is solved in binary floating point — a 360-flow NPV is exact to ~1e-13, far below the 6 published
 * decimals — by Newton's method on the discount factor, kept inside a bracket and falling back to
 * bisection whenever a Newton step leaves it, so it cannot diverge.
 */
import { addPeriods, daysBetween, MONTHLY, parseIsoDate, periodsPerYear, type Period } from './calendar';
import { type DayCount } from './daycount';
import { DomainError } from './errors';
import { assertMinor, D, parseRate, type Dec } from './money';

export interface Apr {
  /** periodic IRR × periods per year, 6 decimals ("0.130300") */
  nominal: string;
  /** (1 + periodic IRR)^periods per year − 1, 6 decimals */
  effective: string;
}

export const DEFAULT_APR_CAP = '0.36';

/**
 * Periodic IRR of: −netDisbursed at 0, payments[j] at firstOffset + j periods.
 * Payments must be non-negative with a positive sum; netDisbursed positive.
 */
export function periodicIrr(netDisbursed: number, payments: readonly number[], firstOffset = 1): number {
  if (!(netDisbursed > 0)) throw new RangeError('net disbursed amount must be positive');
  if (!(firstOffset > 0)) throw new RangeError('first offset must be positive');
  let sum = 0;
  for (const p of payments) {
    if (!(p >= 0)) throw new RangeError('payments must be non-negative');
    sum += p;
  }
  if (!(sum > 0)) throw new RangeError('payments must not all be zero');
  if (sum === netDisbursed) return 0;
  const n = payments.length;
  // Horner on Σ p_j v^j and its derivative: one pass, no pow per flow.
  const g = (v: number): [number, number] => {
    let s = 0;
    let ds = 0;
    for (let j = n - 1; j >= 0; j--) {
      ds = ds * v + s;
      s = s * v + payments[j]!;
    }
    const vf = firstOffset === 1 ? v : Math.pow(v, firstOffset);
    const dvf = firstOffset === 1 ? 1 : firstOffset * Math.pow(v, firstOffset - 1);
    return [vf * s - netDisbursed, dvf * s + vf * ds];
  };
  // Simple-interest guess: the cost spread over the mean time the money is out.
  const guess = 1 + (sum / netDisbursed - 1) / (firstOffset + (n - 1) / 2);
  return 1 / solveDiscountFactor(g, sum >= netDisbursed, guess) - 1;
}

/**
 * Root of g(v) = Σ a_k v^t_k (increasing in the discount factor v = 1/(1+i), so the root is unique):
 * Newton inside a shrinking bracket, bisecting whenever a step would leave it.
 */
function solveDiscountFactor(
  g: (v: number) => [number, number],
  nonNegativeIrr: boolean,
  guessOnePlusI: number,
): number {
  let lo = 0;
  let hi = 1;
  if (!nonNegativeIrr) {
    lo = 1;
    hi = 2;
    while (g(hi)[0] < 0) {
      lo = hi;
      hi *= 2;
      if (hi > 1e300) throw new RangeError('IRR too close to -100% to express');
    }
  }
  const guess = 1 / guessOnePlusI;
  let v = guess > lo && guess < hi ? guess : (lo + hi) / 2;
  for (let iter = 0; iter < 300; iter++) {
    const [fv, dfv] = g(v);
    if (fv === 0) break;
    if (fv < 0) lo = v;
    else hi = v;
    const step = fv / dfv;
    // A step this small is rounding noise: v is as exact as binary floating point gets here.
    if (Math.abs(step) <= 1e-14 * v) {
      v -= step;
      break;
    }
    const next = v - step;
    v = next > lo && next < hi ? next : (lo + hi) / 2;
    if (hi - lo <= 1e-15 * hi) break;
  }
  return v;
}

/** A dated cash flow from the lender's side: negative when paid out to the borrower, positive when repaid. */
export interface DatedCashFlow {
  date: string;
  amount: number;
}

/**
 * Position of `date` on the period grid anchored at `t0`: whole periods (month-end rule as in schedules)
 * plus leftover days as a fraction of an average period (365/12 days a month), so flows on the due dates
 * of a regular schedule sit at whole numbers exactly as in a quote.
 */
function periodsSince(t0: string, date: string, period: Period): number {
  const days = daysBetween(t0, date);
  if (period.unit !== 'month') return days / ((period.unit === 'week' ? 7 : 1) * period.count);
  let whole = Math.max(0, Math.floor((days * 12) / (365 * period.count)) - 1);
  while (addPeriods(t0, period, whole + 1) <= date) whole++;
  return whole + daysBetween(addPeriods(t0, period, whole), date) / ((365 * period.count) / 12);
}

/**
 * APR of dated cash flows (a loan as it stands: disbursement, payments made, charges still due), measured
 * from the earliest flow. The measure to pass where a cap must agree with quoted APRs.
 */
export function aprOfCashFlows(
  flows: readonly DatedCashFlow[],
  period: Period = MONTHLY,
  dayCount: DayCount = 'ACT/365',
): Apr {
  if (flows.length < 2)
    throw new DomainError('cashflows', 'cashflows need a disbursement and at least one repayment');
  let t0 = flows[0]!.date;
  for (const f of flows) {
    parseIsoDate(f.date, 'cashflows.date');
    assertMinor(f.amount, 'cashflows.amount');
    if (f.date < t0) t0 = f.date;
  }
  const times = flows.map((f) => periodsSince(t0, f.date, period));
  const amounts = flows.map((f) => f.amount);
  const out = amounts.reduce((s, a) => (a < 0 ? s - a : s), 0);
  const back = amounts.reduce((s, a) => (a > 0 ? s + a : s), 0);
  if (out === 0 || back === 0)
    throw new DomainError('cashflows', 'cashflows need money both lent and repaid');
  const g = (v: number): [number, number] => {
    let s = 0;
    let ds = 0;
    for (let k = 0; k < times.length; k++) {
      const t = times[k]!;
      const vt = Math.pow(v, t);
      s += amounts[k]! * vt;
      ds += t === 0 ? 0 : amounts[k]! * t * (vt / v);
    }
    return [s, ds];
  };
  const atStart = amounts.reduce((s, a, k) => (times[k] === 0 ? s + a : s), 0);
  if (atStart >= 0)
    throw new DomainError('cashflows', 'the earliest cash flow must be the disbursement (negative)');
  const meanT = times.reduce((s, t, k) => s + (amounts[k]! > 0 ? t * amounts[k]! : 0), 0) / back;
  const guess = 1 + (back / out - 1) / Math.max(meanT, 1e-9);
  const periodic = back === out ? 0 : 1 / solveDiscountFactor(g, back >= out, guess) - 1;
  const [num, den] = periodsPerYear(period, dayCount);
  return annualise(periodic, num / den);
}

/** A rate as the 6-decimal string quotes publish, half-up. */
export function formatRate(value: number | Dec): string {
  const text = new D(value).toFixed(6);
  // Float noise around a zero IRR must not publish "-0.000000".
  return text === '-0.000000' ? '0.000000' : text;
}

export function annualise(periodic: number, periodsPerYear: number): Apr {
  return {
    nominal: formatRate(periodic * periodsPerYear),
    effective: formatRate(Math.expm1(periodsPerYear * Math.log1p(periodic))),
  };
}

export function apr(
  netDisbursed: number,
  payments: readonly number[],
  periodsPerYear: number,
  firstOffset = 1,
): Apr {
  return annualise(periodicIrr(netDisbursed, payments, firstOffset), periodsPerYear);
}

/**
 * Refuses a price whose published APR exceeds the cap. The comparison is on the published 6-decimal figure,
 * so a loan priced exactly at the cap is not refused for a rounding residue in the last decimal place.
 */
export function assertAprWithinCap(a: Apr, cap: string | Dec = DEFAULT_APR_CAP, field = 'apr'): void {
  const limit = typeof cap === 'string' ? parseRate(cap, 'aprCap') : cap;
  if (new D(a.nominal).gt(limit)) {
    const pct = (x: Dec) => `${x.times(100).toDecimalPlaces(4).toString()}%`;
    throw new DomainError(
      field,
      `APR ${a.nominal} (${pct(new D(a.nominal))}) exceeds the cap ${limit.toString()} (${pct(limit)})`,
      'apr_cap',
    );
  }
}
