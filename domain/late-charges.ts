/**
 * Late charges on a delinquent loan: the one late fee per missed installment and penalty interest on
 * its unpaid principal, both held under the product's APR cap (docs/design.md, "Business rules") and booked to the ledger
 * as they are charged, so the book's position and the journal agree after every run.
 */
import type { DatedCashFlow } from './apr';
import { yearBasis } from './daycount';
import { lateChargesFrom } from './delinquency';
import { lateFee } from './fees';
import { accrualEntry } from './ledger';
import { addDays, daysBetween, toLocalDate } from './localdate';
import { type BookInstallment, type Booked, type LoanBook, openOf } from './loan';
import { D } from './money';
import { capPenalty, penaltyByInstallment } from './penalty';
import type { Product } from './products';

export interface LateChargeState {
  /** per installment seq: penalty booked for days before this local date */
  penaltyThrough: Record<string, string>;
  /** seqs that already carry their one late fee */
  lateFeeCharged: number[];
  /** late charges refused by the APR cap so far, minor units, for the view */
  capped: number;
  /**
   * The day of the last posting and how many were made on it. A second posting on one day (after a
   * reversal reopens an installment) gets its own source event id, or the ledger would take it for a
   * replay of the first; the first keeps the plain id that recorded histories carry.
   */
  lastPosting?: { date: string; count: number };
}

export const NO_LATE_CHARGES: LateChargeState = Object.freeze({
  penaltyThrough: Object.freeze({}) as Record<string, string>,
  lateFeeCharged: Object.freeze([]) as unknown as number[],
  capped: 0,
});

export interface CapContext {
  /** net amount paid out on the start date */
  disbursed: { date: string; amount: number };
  /** payments received (not reversed) */
  payments: { date: string; amount: number }[];
}

export interface LateCharges {
  state: LateChargeState;
  /** Late fees booked by this call, after the cap. */
  lateFees: { seq: number; amount: number }[];
  /** Penalty booked by this call, after the cap, with the days it covers. */
  penalty: { seq: number; amount: number; days: number }[];
  /** Refused by the cap in this call. */
  capped: number;
}

/**
 * Charges everything owed as of local date `today` and not charged before. Penalty for an installment
 * is booked as the difference between the penalty for all its late days up to `today` and up to its
 * `penaltyThrough`, each rounded half-up once on its current unpaid principal: while that principal
 * stands, runs on any days add up to exactly one run on the last day, and a second run on one day
 * books nothing.
 */
export function bringLateChargesUpToDate(
  book: LoanBook,
  product: Product,
  state: LateChargeState,
  today: string,
  cap: CapContext,
): Booked<LateCharges> {
  toLocalDate(today, 'today');
  const dailyRate = new D(product.penaltyRate).dividedBy(yearBasis(product.penaltyDayCount)).toString();
  const charged = new Set(state.lateFeeCharged);
  const penaltyThrough = { ...state.penaltyThrough };
  const proposed: { seq: number; fee: number; penalty: number; days: number }[] = [];

  for (const i of book.installments) {
    if (openOf(i) === 0 || lateChargesFrom(i.dueDate, product.graceDays) > today) continue;
    let fee = 0;
    if (!charged.has(i.seq) && product.fees.late) {
      fee = lateFee(product.fees.late, openOf(i));
      // Charged even if the cap refuses it: the refused part is dropped, never charged again later.
      charged.add(i.seq);
    }
    const { amount, days } = penaltySince(i, penaltyThrough[String(i.seq)], dailyRate, book.startDate, today);
    if (days > 0) penaltyThrough[String(i.seq)] = today;
    if (fee > 0 || amount > 0) proposed.push({ seq: i.seq, fee, penalty: amount, days });
  }

  const wanted = proposed.reduce((s, p) => s + p.fee + p.penalty, 0);
  const allowed =
    wanted === 0 ? 0 : allowedUnderCap(capFlows(book, today, cap), wanted, today, product.aprCap);

  // What the cap allows goes to the oldest installment first, its fee before its penalty: the order
  // in which they fell due.
  let left = allowed;
  const take = (n: number) => {
    const t = Math.min(n, left);
    left -= t;
    return t;
  };
  const lateFees: LateCharges['lateFees'] = [];
  const penalty: LateCharges['penalty'] = [];
  const add = new Map<number, { fees: number; penalty: number }>();
  for (const p of proposed) {
    const f = take(p.fee);
    const q = take(p.penalty);
    if (f > 0) lateFees.push({ seq: p.seq, amount: f });
    if (q > 0) penalty.push({ seq: p.seq, amount: q, days: p.days });
    if (f + q > 0) add.set(p.seq, { fees: f, penalty: q });
  }

  const refused = wanted - allowed;
  const sameDay = state.lastPosting?.date === today ? state.lastPosting.count : 0;
  const result: LateCharges = {
    state: {
      penaltyThrough,
      lateFeeCharged: [...charged].sort((a, b) => a - b),
      capped: state.capped + refused,
      ...(allowed > 0
        ? { lastPosting: { date: today, count: sameDay + 1 } }
        : state.lastPosting
          ? { lastPosting: state.lastPosting }
          : {}),
    },
    lateFees,
    penalty,
    capped: refused,
  };
  if (allowed === 0) return { book, entries: [], result };

  const installments = book.installments.map((i) => {
    const c = add.get(i.seq);
    if (!c) return i;
    return {
      ...i,
      fees: i.fees + c.fees,
      penalty: i.penalty + c.penalty,
      total: i.total + c.fees + c.penalty,
      accrued: { ...i.accrued, fees: i.accrued.fees + c.fees, penalty: i.accrued.penalty + c.penalty },
    };
  });
  const entry = accrualEntry({
    loanId: book.loanId,
    eventId: `${book.loanId}:late-charges:${today}${sameDay > 0 ? `:${sameDay}` : ''}`,
    date: today,
    currency: book.currency,
    interest: 0,
    fees: lateFees.reduce((s, f) => s + f.amount, 0),
    penalty: penalty.reduce((s, p) => s + p.amount, 0),
  });
  return { book: { ...book, installments }, entries: [entry], result };
}

function penaltySince(
  i: BookInstallment,
  through: string | undefined,
  dailyRate: string,
  start: string,
  today: string,
): { amount: number; days: number } {
  const from = through && through > addDays(i.dueDate, 1) ? through : addDays(i.dueDate, 1);
  if (from >= today) return { amount: 0, days: 0 };
  const owed = [{ seq: i.seq, dueDate: i.dueDate, principal: i.principal - i.paid.principal }];
  const upTo = (d: string) => penaltyByInstallment(owed, dailyRate, start < d ? start : d, d)[0]!;
  const now = upTo(today);
  const before = upTo(from);
  return { amount: now.amount - before.amount, days: now.days - before.days };
}

/**
 * The loan's flows for the cap: the net disbursement out, payments in, and every installment's still
 * open amount (charges already booked included) as if paid on its due date, or today if that has
 * passed. The proposed charges are added as paid today, the strictest reading.
 */
function capFlows(book: LoanBook, today: string, cap: CapContext): DatedCashFlow[] {
  const flows: DatedCashFlow[] = [{ date: cap.disbursed.date, amount: -cap.disbursed.amount }];
  for (const p of cap.payments) if (p.amount !== 0) flows.push({ date: p.date, amount: p.amount });
  for (const i of book.installments) {
    const open = openOf(i);
    if (open > 0) flows.push({ date: i.dueDate > today ? i.dueDate : today, amount: open });
  }
  return flows;
}

/**
 * capPenalty decides, but each of its steps solves an XIRR in 40-digit decimals (about 13 ms on a
 * 36-installment loan). The loan's flows are one payout followed by receipts, so its APR is within the
 * cap exactly when their value discounted at the cap is not positive; a float evaluation of that value
 * gives the headroom in one pass. Charges clearly inside it skip the search; otherwise the part
 * clearly inside is treated as already charged, so capPenalty searches only the last minor units.
 */
function allowedUnderCap(flows: DatedCashFlow[], wanted: number, today: string, aprCap: string): number {
  const safe = clearlyWithin(flows, today, Number(aprCap));
  if (wanted <= safe) return wanted;
  const rest = capPenalty({
    cashflows: safe > 0 ? [...flows, { date: today, amount: safe }] : flows,
    proposed: wanted - safe,
    date: today,
    aprCap,
  });
  return safe + rest.allowed;
}

/** Charges payable today that certainly keep the APR within the cap; 0 when the flows are unusual. */
function clearlyWithin(flows: DatedCashFlow[], today: string, cap: number): number {
  const [out, ...back] = flows;
  if (!out || !(cap > 0) || back.some((f) => f.amount < 0 || f.date < out.date)) return 0;
  const discount = (date: string) => Math.pow(1 + cap, -daysBetween(out.date, date) / 365);
  let value = 0;
  let scale = 0;
  for (const f of flows) {
    value += f.amount * discount(f.date);
    scale += Math.abs(f.amount);
  }
  // Float error here is around 1e-15 of the flows; the margin leaves the boundary to capPenalty.
  const headroom = (-value - scale * 1e-9) / discount(today);
  return headroom > 1 ? Math.floor(headroom) - 1 : 0;
}
