/**
 * Repayment schedules. Every posted amount is an integer of minor units rounded half-up once from the
 * exact value; whatever rounding leaves over lands on the last installment, so scheduled principal sums
 * to the amount exactly and the last balance is 0.
 *
 * When the first period is broken, its interest is charged by days (see daycount.ts) while principal
 * follows the regular plan: an annuity keeps its level installment from the second due date on, and the
 * first one differs only by the interest of the extra or missing days.
 */
import {
  addPeriods,
  checkFirstDueDate,
  daysBetween,
  dueDates,
  MONTHLY,
  parseIsoDate,
  parsePeriod,
  periodsPerYear,
  type IsoDate,
  type Period,
} from './calendar';
import { brokenPeriodRate, dayCountDays, parseDayCount, Rate, yearBasis, type DayCount } from './daycount';
import { DomainError } from './errors';
import { assertMinor, D, parseRate, roundMinor, type Dec } from './money';

export interface Installment {
  seq: number;
  dueDate: IsoDate;
  principal: number;
  interest: number;
  fees: number;
  total: number;
  balanceAfter: number;
  status: 'scheduled';
}

export interface ScheduleInput {
  /** principal, minor units */
  amount: number;
  annualRate: string;
  termCount: number;
  method: Method;
  startDate: IsoDate;
  dayCount?: DayCount;
  /** ISO-8601 duration, P1M by default */
  period?: string;
  firstDueDate?: IsoDate;
  /** service fee carried by every installment, minor units */
  feePerPeriod?: number;
}

/** Validated terms, the common input of the grid and of the schedule. */
export interface LoanTerms {
  amount: number;
  annual: Dec;
  termCount: number;
  method: Method;
  startDate: IsoDate;
  dayCount: DayCount;
  period: Period;
  firstDueDate?: IsoDate;
}

/** The periods a schedule runs over. Internal working value (holds Rate), not a payload. */
export interface Grid {
  startDate: IsoDate;
  dueDates: IsoDate[];
  /** the rate of a full period */
  rate: Rate;
  /** the rate of the first period: `rate` when full, by days when broken */
  firstRate: Rate;
  /** length of the first period in periods (1 when full), for discounting cash flows */
  firstOffset: number;
  /** periods per year as a number, for annualising a periodic rate */
  periodsPerYear: number;
}

export const MAX_TERM_COUNT = 1200;
/** 10^14 minor units; keeps every total a safe integer at any sane rate. */
export const MAX_AMOUNT = 1e14;
/** 1000% a year; anything above is a typo, not a price. */
export const MAX_ANNUAL_RATE = 10;

/** How principal and interest spread over the installments. */
export const METHODS = ['annuity', 'equal-principal', 'interest-only', 'bullet', 'flat'] as const;
export type Method = (typeof METHODS)[number];

export function parseMethod(value: unknown, field = 'method'): Method {
  if (typeof value === 'string' && (METHODS as readonly string[]).includes(value)) return value as Method;
  throw new DomainError(field, `${field} must be one of ${METHODS.join(', ')}, got ${JSON.stringify(value)}`);
}

export function parseAmount(value: unknown, field = 'amount'): number {
  if (typeof value !== 'number')
    throw new DomainError(field, `${field} must be a number of minor units, got ${JSON.stringify(value)}`);
  assertMinor(value, field);
  if (value <= 0) throw new DomainError(field, `${field} must be positive, got ${value}`);
  if (value > MAX_AMOUNT)
    throw new DomainError(field, `${field} must be at most ${MAX_AMOUNT} minor units, got ${value}`);
  return value;
}

export function parseAnnualRate(value: unknown, field = 'annualRate'): Dec {
  if (typeof value !== 'string' && typeof value !== 'number') {
    throw new DomainError(
      field,
      `${field} must be a decimal string such as "0.049", got ${JSON.stringify(value)}`,
    );
  }
  const rate = parseRate(value, field);
  if (rate.gt(MAX_ANNUAL_RATE))
    throw new DomainError(field, `${field} must be at most ${MAX_ANNUAL_RATE}, got ${rate.toString()}`);
  return rate;
}

export function parseTermCount(value: unknown, field = 'termCount'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > MAX_TERM_COUNT) {
    throw new DomainError(
      field,
      `${field} must be a whole number of periods 1..${MAX_TERM_COUNT}, got ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** A loan's day count and period, ACT/360 and monthly when not given. */
export function parseGridTerms(input: { dayCount?: unknown; period?: unknown }): {
  dayCount: DayCount;
  period: Period;
} {
  return {
    dayCount: input.dayCount === undefined ? 'ACT/360' : parseDayCount(input.dayCount),
    period: input.period === undefined ? MONTHLY : parsePeriod(input.period, 'period'),
  };
}

/** The rate of one regular period of the grid, and how many such periods make a year. */
export function periodRate(
  annual: Rate,
  period: Period,
  dayCount: DayCount,
): { rate: Rate; perYear: number } {
  const [ppyNum, ppyDen] = periodsPerYear(period, dayCount);
  return { rate: annual.times(ppyDen, ppyNum), perYear: ppyNum / ppyDen };
}

export function parseLoanTerms(input: Omit<ScheduleInput, 'feePerPeriod'>): LoanTerms {
  if (typeof input !== 'object' || input === null) throw new DomainError('input', 'input must be an object');
  const startDate = parseIsoDate(input.startDate, 'startDate');
  const { dayCount, period } = parseGridTerms(input);
  const terms: LoanTerms = {
    amount: parseAmount(input.amount),
    annual: parseAnnualRate(input.annualRate),
    termCount: parseTermCount(input.termCount),
    method: parseMethod(input.method),
    startDate,
    dayCount,
    period,
  };
  if (input.firstDueDate !== undefined) {
    terms.firstDueDate = parseIsoDate(input.firstDueDate, 'firstDueDate');
    checkFirstDueDate(startDate, period, terms.firstDueDate);
  }
  return terms;
}

export function planGrid(terms: LoanTerms): Grid {
  const { startDate, period, termCount, firstDueDate, dayCount } = terms;
  const annual = Rate.fromDecimal(terms.annual);
  const { rate, perYear } = periodRate(annual, period, dayCount);
  const dates = dueDates(startDate, period, termCount, firstDueDate);
  const full = firstDueDate === undefined || firstDueDate === addPeriods(startDate, period, 1);
  if (full)
    return {
      startDate,
      dueDates: dates,
      rate,
      firstRate: rate,
      firstOffset: 1,
      periodsPerYear: perYear,
    };
  // Time for discounting runs on actual days: 30/360 would count 30 → 31 January as no time at all.
  const days = daysBetween(startDate, firstDueDate);
  const [ppyNum, ppyDen] = periodsPerYear(period, dayCount);
  return {
    startDate,
    dueDates: dates,
    rate,
    firstRate: brokenPeriodRate(annual, startDate, firstDueDate, dayCount),
    firstOffset: (days * ppyNum) / (yearBasis(dayCount) * ppyDen),
    periodsPerYear: perYear,
  };
}

/** Level installment of an annuity, rounded half-up once. */
export function annuityPayment(principal: number, rate: Rate, count: number): number {
  if (rate.isZero()) return Rate.of(1n, BigInt(count)).on(principal);
  // Float first; Decimal only when the float lands within its error bound of a half, so the result is
  // always the one the 40-digit Decimal formula gives, at a fraction of its cost.
  const r = rate.toNumber();
  const x = (principal * r) / -Math.expm1(-count * Math.log1p(r));
  const whole = Math.floor(x);
  if (Number.isFinite(x) && x < 2 ** 50 && Math.abs(x - whole - 0.5) > x * 1e-11 + 1e-9) {
    return x - whole > 0.5 ? whole + 1 : whole;
  }
  const rd = rate.toDecimal();
  const f = rd.plus(1).pow(count);
  return roundMinor(new D(principal).times(rd).times(f).dividedBy(f.minus(1)));
}

function installment(
  seq: number,
  dueDate: IsoDate,
  principal: number,
  interest: number,
  fees: number,
  balanceAfter: number,
): Installment {
  return {
    seq,
    dueDate,
    principal,
    interest,
    fees,
    total: principal + interest + fees,
    balanceAfter,
    status: 'scheduled',
  };
}

/** The installments of `principal` over the grid. `firstSeq` numbers a re-amortised remainder. */
export function amortise(
  principal: number,
  method: Method,
  grid: Grid,
  feePerPeriod = 0,
  firstSeq = 1,
): Installment[] {
  const { dueDates: dates, rate, firstRate } = grid;
  const n = dates.length;
  if (method === 'bullet') {
    const interest = firstRate.plus(rate.times(n - 1, 1)).on(principal);
    return [installment(firstSeq, dates[n - 1]!, principal, interest, feePerPeriod * n, 0)];
  }
  const out = new Array<Installment>(n);
  const level =
    method === 'annuity'
      ? annuityPayment(principal, rate, n)
      : method === 'interest-only'
        ? 0
        : Rate.of(1n, BigInt(n)).on(principal);
  const flatInterest = method === 'flat' ? rate.on(principal) : 0;
  let balance = principal;
  for (let k = 0; k < n; k++) {
    const first = k === 0;
    let interest: number;
    let part: number;
    if (method === 'flat') {
      interest = first ? firstRate.on(principal) : flatInterest;
      part = level;
    } else {
      const regular = rate.on(balance);
      interest = first && firstRate !== rate ? firstRate.on(balance) : regular;
      part = method === 'annuity' ? level - regular : level;
    }
    // Clamping only bites for amounts of a few minor units spread over many periods.
    const paid = k === n - 1 ? balance : Math.max(0, Math.min(balance, part));
    balance -= paid;
    out[k] = installment(firstSeq + k, dates[k]!, paid, interest, feePerPeriod, balance);
  }
  return out;
}

/** Sum of installment totals, refusing a schedule whose money no longer fits exact integers. */
export function sumTotals(installments: readonly Installment[]): number {
  let total = 0;
  for (const i of installments) total += i.total;
  if (!Number.isSafeInteger(total)) {
    throw new DomainError('amount', 'amount at this rate and term is too large to schedule exactly');
  }
  return total;
}

/** Validates the input and returns its schedule. */
export function buildSchedule(input: ScheduleInput): Installment[] {
  const terms = parseLoanTerms(input);
  const fee = input.feePerPeriod ?? 0;
  assertMinor(fee, 'feePerPeriod');
  if (fee < 0) throw new DomainError('feePerPeriod', `feePerPeriod must not be negative, got ${fee}`);
  const installments = amortise(terms.amount, terms.method, planGrid(terms), fee);
  sumTotals(installments);
  return installments;
}

/** A change in a revolving line's drawn balance: + drawdown, − repayment, effective from its date. */
export interface BalanceChange {
  date: IsoDate;
  amount: number;
}

export interface RevolvingInput {
  annualRate: string;
  dayCount?: DayCount;
  /** first day of interest */
  from: IsoDate;
  /** interest runs up to, not including, this date */
  to: IsoDate;
  openingBalance: number;
  changes?: BalanceChange[];
}

/**
 * Interest on a revolving line's drawn balance for [from, to): Σ balance × days × annual / basis over the
 * stretches between changes, rounded half-up once. The day a drawdown lands is charged; the day of a
 * repayment is not.
 */
export function revolvingInterest(input: RevolvingInput): number {
  const annual = Rate.fromDecimal(parseAnnualRate(input.annualRate));
  const { dayCount } = parseGridTerms(input);
  const from = parseIsoDate(input.from, 'from');
  const to = parseIsoDate(input.to, 'to');
  if (to < from) throw new DomainError('to', `to ${to} is before from ${from}`);
  assertMinor(input.openingBalance, 'openingBalance');
  if (input.openingBalance < 0)
    throw new DomainError('openingBalance', 'openingBalance must not be negative');
  let balance = input.openingBalance;
  let since = from;
  let balanceDays = 0n;
  (input.changes ?? []).forEach((change, i) => {
    const field = `changes.${i}`;
    const date = parseIsoDate(change.date, `${field}.date`);
    if (date < since || date >= to)
      throw new DomainError(`${field}.date`, `${field}.date must be in order within [${from}, ${to})`);
    assertMinor(change.amount, `${field}.amount`);
    balanceDays += BigInt(balance) * BigInt(dayCountDays(since, date, dayCount));
    balance += change.amount;
    if (balance < 0)
      throw new DomainError(`${field}.amount`, `${field}.amount takes the drawn balance below zero`);
    since = date;
  });
  balanceDays += BigInt(balance) * BigInt(dayCountDays(since, to, dayCount));
  return annual.times(balanceDays, yearBasis(dayCount)).on(1);
}
