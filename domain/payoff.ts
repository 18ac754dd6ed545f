/**
 * Payoff on a date (提前结清): what settles the loan in full that day.
 *
 *   unpaid principal (due or not)
 * + unpaid interest and fees of installments due on or before the date
 * + interest accrued on the principal not yet due, from the last due date (or the start) to the date,
 *   at the daily rate of the day count, never more than the current installment's scheduled interest
 *   (settling early must not cost more than staying on schedule)
 * + fees and penalties outside the schedule, as the caller passes them in.
 */
import { parseIsoDate, type IsoDate } from './calendar';
import { accrue, parseDayCount, type DayCount } from './daycount';
import { DomainError } from './errors';
import { assertMinor } from './money';
import { parseAnnualRate } from './schedule';

/** An installment as servicing holds it: the scheduled amounts and what has been paid on them. */
export interface ServicedInstallment {
  seq: number;
  dueDate: IsoDate;
  principal: number;
  interest: number;
  fees: number;
  /** 'paid' settles it; any other status leaves what is unpaid open */
  status: string;
  paidPrincipal?: number;
  paidInterest?: number;
  paidFees?: number;
}

export interface PayoffInput {
  installments: readonly ServicedInstallment[];
  /** disbursement date: accrual before the first due date starts here */
  startDate: IsoDate;
  annualRate: string;
  dayCount?: DayCount;
  date: IsoDate;
  /** unpaid charges outside the schedule (late, extension), minor units */
  fees?: number;
  /** penalty interest accrued to the date, minor units */
  penalties?: number;
}

export interface PayoffBreakdown {
  /** all unpaid principal */
  principal: number;
  /** unpaid interest of installments already due */
  dueInterest: number;
  /** interest of the current period up to the date */
  accruedInterest: number;
  /** unpaid fees of installments already due, plus the fees passed in */
  fees: number;
  penalties: number;
}

export interface Payoff {
  date: IsoDate;
  amount: number;
  breakdown: PayoffBreakdown;
}

const open = (paid: number | undefined, due: number) => due - (paid ?? 0);

export function openPrincipal(i: ServicedInstallment): number {
  return i.status === 'paid' ? 0 : open(i.paidPrincipal, i.principal);
}

/** Checks a serviced schedule: in due-date order, amounts in minor units, nothing overpaid. */
export function parseInstallments(value: unknown, field = 'installments'): readonly ServicedInstallment[] {
  if (!Array.isArray(value) || value.length === 0)
    throw new DomainError(field, `${field} must be a non-empty array`);
  let previous = '';
  value.forEach((i: ServicedInstallment, k) => {
    const at = `${field}.${k}`;
    if (typeof i !== 'object' || i === null) throw new DomainError(at, `${at} must be an installment object`);
    parseIsoDate(i.dueDate, `${at}.dueDate`);
    if (i.dueDate < previous) throw new DomainError(`${at}.dueDate`, `${at}.dueDate is out of order`);
    previous = i.dueDate;
    for (const key of ['principal', 'interest', 'fees'] as const) {
      assertMinor(i[key], `${at}.${key}`);
      const paid =
        i[`paid${key[0]!.toUpperCase()}${key.slice(1)}` as 'paidPrincipal' | 'paidInterest' | 'paidFees'] ??
        0;
      assertMinor(paid, `${at}.paid`);
      if (i[key] < 0 || paid < 0 || paid > i[key])
        throw new DomainError(`${at}.${key}`, `${at}.${key} is negative or overpaid`);
    }
  });
  return value as ServicedInstallment[];
}

/**
 * Interest accrued on the principal not yet due, from the last due date on or before `date` (or the
 * start) to `date`, capped at what is left of the next installment's interest.
 */
export function accruedInterest(
  installments: readonly ServicedInstallment[],
  startDate: IsoDate,
  annualRate: string,
  dayCount: DayCount,
  date: IsoDate,
): { since: IsoDate; balance: number; interest: number } {
  let since = startDate;
  let balance = 0;
  let next: ServicedInstallment | undefined;
  for (const i of installments) {
    if (i.dueDate <= date) since = i.dueDate > since ? i.dueDate : since;
    else {
      next ??= i;
      balance += openPrincipal(i);
    }
  }
  if (!next || balance === 0 || since === date) return { since, balance, interest: 0 };
  const cap = next.status === 'paid' ? 0 : open(next.paidInterest, next.interest);
  return { since, balance, interest: Math.min(cap, accrue(balance, annualRate, since, date, dayCount)) };
}

export function payoffQuote(input: PayoffInput): Payoff {
  const installments = parseInstallments(input.installments);
  const startDate = parseIsoDate(input.startDate, 'startDate');
  const date = parseIsoDate(input.date, 'date');
  if (date < startDate)
    throw new DomainError('date', `date ${date} is before the loan started on ${startDate}`);
  const annualRate = parseAnnualRate(input.annualRate).toFixed();
  const dayCount = input.dayCount === undefined ? 'ACT/360' : parseDayCount(input.dayCount);
  const extra = (value: number | undefined, field: string) => {
    if (value === undefined) return 0;
    assertMinor(value, field);
    if (value < 0) throw new DomainError(field, `${field} must not be negative`);
    return value;
  };
  const passedFees = extra(input.fees, 'fees');
  const penalties = extra(input.penalties, 'penalties');

  let principal = 0;
  let dueInterest = 0;
  let dueFees = 0;
  for (const i of installments) {
    principal += openPrincipal(i);
    if (i.dueDate <= date && i.status !== 'paid') {
      dueInterest += open(i.paidInterest, i.interest);
      dueFees += open(i.paidFees, i.fees);
    }
  }
  const accrued = accruedInterest(installments, startDate, annualRate, dayCount, date).interest;
  const fees = dueFees + passedFees;
  return {
    date,
    amount: principal + dueInterest + accrued + fees + penalties,
    breakdown: { principal, dueInterest, accruedInterest: accrued, fees, penalties },
  };
}
