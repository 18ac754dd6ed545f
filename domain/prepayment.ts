/**
 * Partial prepayment (部分提前还款). The payment first settles the interest accrued since the last due date
 * (as in a payoff), the rest reduces principal, and the remainder is re-amortised on the same due dates:
 *
 * - reduce-installment: same remaining due dates, smaller installments;
 * - reduce-term: installments no larger than before, fewer of them (the fewest an annuity needs at a level
 *   installment ≤ the current one, or the current principal per period for equal-principal and flat).
 *
 * A prepayment between due dates makes the next period broken: its interest runs by days from the
 * prepayment date. Arrears must be cleared first, and the amount must leave principal outstanding (a full
 * settlement is a payoff). Per-installment fees stay as they were on the due dates that remain.
 */
import { addPeriods, parseIsoDate, type IsoDate, type Period } from './calendar';
import { brokenPeriodRate, Rate, type DayCount } from './daycount';
import { DomainError } from './errors';
import { assertMinor } from './money';
import { accruedInterest, openPrincipal, parseInstallments, type ServicedInstallment } from './payoff';
import {
  amortise,
  annuityPayment,
  parseAnnualRate,
  parseGridTerms,
  parseMethod,
  periodRate,
  type Grid,
  type Installment,
  type Method,
} from './schedule';

export type PrepaymentMode = 'reduce-term' | 'reduce-installment';
export const PREPAYMENT_MODES: readonly PrepaymentMode[] = ['reduce-term', 'reduce-installment'];

export interface PrepaymentInput {
  /** the current schedule as serviced; installments due on or before `date` must be paid */
  installments: readonly ServicedInstallment[];
  method: Method;
  annualRate: string;
  dayCount?: DayCount;
  period?: string;
  /** the loan's original start and first due date, which fix its period grid */
  startDate: IsoDate;
  firstDueDate?: IsoDate;
  date: IsoDate;
  /** minor units */
  amount: number;
  mode: PrepaymentMode;
}

export interface Prepayment {
  date: IsoDate;
  amount: number;
  mode: PrepaymentMode;
  accruedInterest: number;
  principalReduction: number;
  balanceAfter: number;
  /** the new remaining schedule, numbered on from the first installment it replaces */
  installments: Installment[];
}

export function prepay(input: PrepaymentInput): Prepayment {
  const installments = parseInstallments(input.installments);
  const method = parseMethod(input.method);
  const annual = parseAnnualRate(input.annualRate);
  const { dayCount, period } = parseGridTerms(input);
  const startDate = parseIsoDate(input.startDate, 'startDate');
  const firstDueDate =
    input.firstDueDate === undefined ? undefined : parseIsoDate(input.firstDueDate, 'firstDueDate');
  const date = parseIsoDate(input.date, 'date');
  if (date < startDate)
    throw new DomainError('date', `date ${date} is before the loan started on ${startDate}`);
  if (!PREPAYMENT_MODES.includes(input.mode)) {
    throw new DomainError(
      'mode',
      `mode must be one of ${PREPAYMENT_MODES.join(', ')}, got ${JSON.stringify(input.mode)}`,
    );
  }
  if ((method === 'interest-only' || method === 'bullet') && input.mode === 'reduce-term') {
    throw new DomainError(
      'mode',
      `${method} repays principal at maturity, so there is no term to reduce; use reduce-installment`,
    );
  }
  assertMinor(input.amount, 'amount');
  if (input.amount <= 0) throw new DomainError('amount', `amount must be positive, got ${input.amount}`);

  const arrear = installments.find((i) => i.dueDate <= date && i.status !== 'paid');
  if (arrear)
    throw new DomainError(
      'installments',
      `installment ${arrear.seq} due ${arrear.dueDate} is unpaid; clear arrears before prepaying`,
    );
  const remaining = installments.filter((i) => i.dueDate > date);
  if (remaining.length === 0) throw new DomainError('date', `no installment falls due after ${date}`);
  const touched = remaining.find(
    (i) => i.status === 'paid' || i.paidPrincipal || i.paidInterest || i.paidFees,
  );
  if (touched)
    throw new DomainError(
      'installments',
      `installment ${touched.seq} is already partly paid; prepay against untouched installments`,
    );

  const accrued = accruedInterest(installments, startDate, annual.toFixed(), dayCount, date);
  const balance = remaining.reduce((s, i) => s + openPrincipal(i), 0);
  const reduction = input.amount - accrued.interest;
  if (reduction <= 0)
    throw new DomainError(
      'amount',
      `amount ${input.amount} does not cover the accrued interest ${accrued.interest}`,
    );
  if (reduction >= balance) {
    throw new DomainError(
      'amount',
      `amount ${input.amount} settles the whole balance (${balance + accrued.interest}); ask for a payoff quote`,
    );
  }
  const newBalance = balance - reduction;

  const annualRate = Rate.fromDecimal(annual);
  const { rate, perYear } = periodRate(annualRate, period, dayCount);
  // The next period stays a full one only when the prepayment falls on its first day; at the very start
  // a loan with a chosen first due date keeps its broken first period.
  const regularFirst = date === accrued.since && !(date === startDate && firstDueDate !== undefined);
  let dates = remaining.map((i) => i.dueDate);
  if (method === 'bullet') dates = gridDates(startDate, firstDueDate, period, date, dates[dates.length - 1]!);
  const firstRate = regularFirst ? rate : brokenPeriodRate(annualRate, date, dates[0]!, dayCount);

  let count = dates.length;
  if (input.mode === 'reduce-term') count = shorterTerm(method, balance, newBalance, rate, dates.length);
  const grid: Grid = {
    startDate: date,
    dueDates: dates.slice(0, count),
    rate,
    firstRate,
    firstOffset: 1,
    periodsPerYear: perYear,
  };
  const fresh = amortise(newBalance, method, grid, 0, remaining[0]!.seq).map((i, k) => {
    const fees = remaining[k]!.fees;
    return { ...i, fees, total: i.total + fees };
  });
  return {
    date,
    amount: input.amount,
    mode: input.mode,
    accruedInterest: accrued.interest,
    principalReduction: reduction,
    balanceAfter: newBalance,
    installments: fresh,
  };
}

/** Grid dates after `date` up to the maturity, for a bullet whose single installment spans many periods. */
function gridDates(
  startDate: IsoDate,
  firstDueDate: IsoDate | undefined,
  period: Period,
  date: IsoDate,
  maturity: IsoDate,
): IsoDate[] {
  const out: IsoDate[] = [];
  for (let k = 1; k <= 1200; k++) {
    const d =
      firstDueDate === undefined ? addPeriods(startDate, period, k) : addPeriods(firstDueDate, period, k - 1);
    if (d >= maturity) break;
    if (d > date) out.push(d);
  }
  out.push(maturity);
  return out;
}

function shorterTerm(
  method: Method,
  balance: number,
  newBalance: number,
  rate: Rate,
  remaining: number,
): number {
  if (method === 'annuity') {
    const current = annuityPayment(balance, rate, remaining);
    // The level installment falls as the term grows: find the shortest term whose installment fits.
    let lo = 1;
    let hi = remaining;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (annuityPayment(newBalance, rate, mid) <= current) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
  const perPeriod = Rate.of(1n, BigInt(remaining)).on(balance);
  return perPeriod === 0 ? remaining : Math.min(remaining, Math.ceil(newBalance / perPeriod));
}
