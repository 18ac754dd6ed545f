/**
 * Servicing a scheduled loan: the pure state transitions the loan workflow runs (a payment, a partial
 * prepayment, a payoff, a reversal, an installment falling due, credit applied) and the journal entries
 * each one books. The book is plain JSON so it survives continue-as-new untouched.
 *
 * Interest and fees become receivable when their installment falls due, or earlier when a payment
 * settles them first (an installment paid ahead, a payoff's interest to date). Each installment keeps
 * what has been booked (`accrued`) beside what has been paid, so `position` here always equals
 * `loanPosition` of the ledger's balances: the reconciliation the tests and operators rely on.
 */
import {
  allocatePayment,
  type Allocation,
  type AllocationStep,
  COMPONENTS,
  type Parts,
  parseOrder,
  reverseAllocation,
  TIMINGS,
} from './allocation';
import type { DayCount } from './daycount';
import { type Bucket, bucketFor, daysPastDue, DEFAULT_BUCKETS } from './delinquency';
import { DomainError } from './errors';
import { accrualEntry, type JournalEntry, repaymentEntry, reversalEntry } from './ledger';
import { addDays, instantOfLocal, localDateAt } from './localdate';
import { assertMinor, type Currency, D, roundMinor } from './money';
import { payoffQuote, type PayoffBreakdown, type ServicedInstallment } from './payoff';
import { prepay, type PrepaymentMode } from './prepayment';
import type { Product } from './products';
import { quote, type Quote } from './quote';
import type { Installment, Method } from './schedule';

/** Where a loan is in its life, as its workflow, read model and API name it. */
export type LoanStatus =
  'disbursing' | 'active' | 'delinquent' | 'closed' | 'disbursement_failed' | 'written_off';

export type Charges = Pick<Parts, 'interest' | 'fees' | 'penalty'>;

export interface BookInstallment {
  seq: number;
  dueDate: string;
  principal: number;
  interest: number;
  fees: number;
  penalty: number;
  total: number;
  balanceAfter: number;
  /** The allocator's status: scheduled, partially_paid, paid (pending after a reversal). */
  status: string;
  paid: Parts;
  /** Booked as receivable in the ledger so far. */
  accrued: Charges;
}

export interface LoanBook {
  loanId: string;
  currency: Currency;
  annualRate: string;
  method: Method;
  dayCount: DayCount;
  period: string;
  startDate: string;
  /** Interest before this date is settled: the start, or the last partial prepayment. */
  accrualFrom: string;
  order: AllocationStep[];
  installments: BookInstallment[];
  /** Held for the borrower; negative only when a reversal took back credit already spent. */
  creditBalance: number;
  /** What a write-off took off the books (domain/write-off.ts), and recovered since. */
  writtenOff?: WrittenOff | null;
}

export interface WrittenOff {
  date: string;
  principal: number;
  interest: number;
  fees: number;
  penalty: number;
  recovered: number;
}

export type PaymentKind = 'allocation' | 'prepayment' | 'payoff';

export interface PaymentRecord {
  paymentId: string;
  amount: number;
  date: string;
  kind: PaymentKind;
  /** Of the funds applied: the amount plus any credit held. */
  allocation: Allocation | null;
  parts: Parts;
  /** Credit balance after minus before. */
  creditChange: number;
  /** The repayment entry, mirrored exactly if the payment is reversed. */
  entry: JournalEntry | null;
  prepayment?: {
    mode: PrepaymentMode;
    accruedInterest: number;
    principalReduction: number;
    installmentsAfter: number;
  };
  payoff?: PayoffBreakdown;
}

export interface Booked<R> {
  book: LoanBook;
  entries: JournalEntry[];
  result: R;
}

// ---- pricing and opening -----------------------------------------------------------------------

export interface LoanAsk {
  amount: number;
  currency: Currency;
  termCount: number;
  method: string;
  annualRate: string;
  startDate: string;
}

/** The schedule on the product's terms at the line's priced rate, and the reserve it books. */
export function priceLoan(product: Product, ask: LoanAsk): { quote: Quote; riskReserve: number } {
  if (product.method === 'revolving')
    throw new DomainError('productCode', `${product.code} has no installment schedule`);
  if (ask.method !== product.method)
    throw new DomainError('method', `${product.code} repays by ${product.method}`);
  if (ask.currency !== product.currency)
    throw new DomainError('principal.currency', `must be ${product.currency}`);
  if (!product.terms.includes(ask.termCount))
    throw new DomainError('termMonths', `must be one of ${product.terms.join(', ')} for ${product.code}`);
  if (ask.amount < product.minAmount || ask.amount > product.maxAmount) {
    throw new DomainError(
      'principal.amount',
      `must be between ${product.minAmount} and ${product.maxAmount} minor units for ${product.code}`,
    );
  }
  const q = quote({
    amount: ask.amount,
    currency: ask.currency,
    annualRate: ask.annualRate,
    termCount: ask.termCount,
    method: product.method,
    startDate: ask.startDate,
    dayCount: product.dayCount,
    period: product.period,
    fees: product.fees,
    aprCap: product.aprCap,
  });
  return { quote: q, riskReserve: roundMinor(new D(q.amount).times(product.riskReserveRate)) };
}

const PRODUCT_STEPS: Record<string, AllocationStep[]> = {
  penalty: ['overdue.penalty', 'due.penalty'],
  fees: ['overdue.fees', 'due.fees'],
  'overdue-interest': ['overdue.interest'],
  'overdue-principal': ['overdue.principal'],
  'current-interest': ['due.interest'],
  'current-principal': ['due.principal'],
};

/** A product names its waterfall in business words; the allocator works in timing.component steps. */
export function allocationOrderOf(productOrder: readonly string[]): AllocationStep[] {
  return parseOrder(
    productOrder.flatMap((name, i) => {
      const steps = PRODUCT_STEPS[name];
      if (!steps) throw new DomainError(`allocationOrder[${i}]`, `unknown allocation step "${name}"`);
      return steps;
    }),
  );
}

export function openBook(
  p: Omit<LoanBook, 'accrualFrom' | 'installments' | 'creditBalance'> & { schedule: readonly Installment[] },
): LoanBook {
  const { schedule, ...rest } = p;
  return { ...rest, accrualFrom: p.startDate, installments: schedule.map(fresh), creditBalance: 0 };
}

function fresh(i: Installment): BookInstallment {
  return {
    ...i,
    penalty: 0,
    status: 'scheduled',
    paid: { penalty: 0, fees: 0, interest: 0, principal: 0 },
    accrued: { interest: 0, fees: 0, penalty: 0 },
  };
}

// ---- reading the book --------------------------------------------------------------------------

export function openOf(i: BookInstallment): number {
  return COMPONENTS.reduce((sum, c) => sum + i[c] - i.paid[c], 0);
}

/** What the installments due on or before `date` still owe, plus credit a reversal took back. */
export function owedBy(book: LoanBook, date: string): number {
  const due = book.installments.reduce((sum, i) => (i.dueDate <= date ? sum + openOf(i) : sum), 0);
  return due + Math.max(0, -book.creditBalance);
}

/**
 * The loan as the ledger must show it: booked and unpaid, net of credit held. A write-off leaves the
 * installments as the contract stands but takes their balance off the receivables.
 */
export function position(book: LoanBook) {
  const p = { principal: 0, interest: 0, fees: 0, penalty: 0, credit: book.creditBalance, outstanding: 0 };
  for (const i of book.installments) {
    p.principal += i.principal - i.paid.principal;
    p.interest += i.accrued.interest - i.paid.interest;
    p.fees += i.accrued.fees - i.paid.fees;
    p.penalty += i.accrued.penalty - i.paid.penalty;
  }
  const off = book.writtenOff;
  if (off) {
    p.principal -= off.principal;
    p.interest -= off.interest;
    p.fees -= off.fees;
    p.penalty -= off.penalty;
  }
  p.outstanding = p.principal + p.interest + p.fees + p.penalty - p.credit;
  return p;
}

export function isSettled(book: LoanBook): boolean {
  return book.creditBalance >= 0 && book.installments.every((i) => openOf(i) === 0);
}

export function nextDue(book: LoanBook): { seq: number; dueDate: string; amount: number } | null {
  const i = book.installments.find((x) => openOf(x) > 0);
  return i ? { seq: i.seq, dueDate: i.dueDate, amount: openOf(i) } : null;
}

export function delinquencyOn(
  book: LoanBook,
  today: string,
  buckets: readonly Bucket[] = DEFAULT_BUCKETS,
): { dpd: number; bucket: string } {
  const oldest = book.installments.find((i) => openOf(i) > 0)?.dueDate ?? null;
  const dpd = daysPastDue(oldest, today);
  return { dpd, bucket: bucketFor(dpd, buckets).name };
}

export interface PayoffView {
  date: string;
  amount: number;
  breakdown: PayoffBreakdown & { credit: number };
}

/** What settles the loan on `date`, net of credit held for the borrower. */
export function payoffOf(book: LoanBook, date: string): PayoffView {
  const q = grossPayoff(book, date);
  return {
    date: q.date,
    amount: Math.max(0, q.amount - book.creditBalance),
    breakdown: { ...q.breakdown, credit: book.creditBalance },
  };
}

function grossPayoff(book: LoanBook, date: string) {
  return payoffQuote({
    installments: book.installments.map(serviced),
    startDate: book.accrualFrom,
    annualRate: book.annualRate,
    dayCount: book.dayCount,
    date,
    penalties: book.installments.reduce((s, i) => s + i.penalty - i.paid.penalty, 0),
  });
}

function serviced(i: BookInstallment): ServicedInstallment {
  return {
    seq: i.seq,
    dueDate: i.dueDate,
    principal: i.principal,
    interest: i.interest,
    fees: i.fees,
    status: openOf(i) === 0 ? 'paid' : i.status,
    paidPrincipal: i.paid.principal,
    paidInterest: i.paid.interest,
    paidFees: i.paid.fees,
  };
}

// ---- transitions -------------------------------------------------------------------------------

export interface PaymentInput {
  paymentId: string;
  amount: number;
  date: string;
  mode?: PrepaymentMode;
}

/**
 * Money received. Enough to settle everything before the last due date is a payoff; with a mode it is a
 * partial prepayment; otherwise it goes down the product's waterfall and any excess is held as credit.
 */
export function applyPayment(book: LoanBook, p: PaymentInput): Booked<PaymentRecord> {
  assertMinor(p.amount, 'amount');
  if (p.amount <= 0) throw new DomainError('amount', `amount must be positive, got ${p.amount}`);
  if (p.date < book.startDate) throw new DomainError('date', `the loan started on ${book.startDate}`);
  const early = book.installments.some((i) => i.dueDate > p.date && openOf(i) > 0);
  if (early && p.amount >= payoffOf(book, p.date).amount) return payOff(book, p);
  if (p.mode) return prepayPart(book, p, p.mode);
  return settle(book, p, book.order, 'allocation');
}

/** An installment falls due: its interest and fees not yet booked become receivable. */
export function fallDue(book: LoanBook, seq: number, date: string): Booked<null> {
  const i = book.installments.find((x) => x.seq === seq);
  if (!i) return { book, entries: [], result: null };
  const charges = {
    interest: i.interest - i.accrued.interest,
    fees: i.fees - i.accrued.fees,
    penalty: i.penalty - i.accrued.penalty,
  };
  if (charges.interest + charges.fees + charges.penalty === 0) return { book, entries: [], result: null };
  const installments = book.installments.map((x) =>
    x.seq === seq ? { ...x, accrued: { interest: x.interest, fees: x.fees, penalty: x.penalty } } : x,
  );
  const entry = accrualEntry({ ...head(book, `accrual:${seq}`, date), ...charges });
  return { book: { ...book, installments }, entries: [entry], result: null };
}

/** Credit held for the borrower pays what is due before anything is debited. */
export function useCredit(book: LoanBook, seq: number, date: string): Booked<PaymentRecord | null> {
  if (book.creditBalance <= 0 || owedBy(book, date) === 0) return { book, entries: [], result: null };
  return settle(book, { paymentId: `credit:${seq}`, amount: 0, date }, book.order, 'allocation');
}

/** Undoes a payment (returned, charged back): its allocation comes off, its entry is mirrored. */
export function reversePayment(
  book: LoanBook,
  record: PaymentRecord,
  eventId: string,
  date: string,
): Booked<null> {
  if (record.kind !== 'allocation') {
    throw new DomainError(
      'paymentId',
      `payment ${record.paymentId} was a ${record.kind} that re-shaped the schedule; its reversal needs a person`,
      'not_reversible',
    );
  }
  const reopened = record.allocation
    ? (reverseAllocation(book.installments, record.allocation) as BookInstallment[])
    : book.installments;
  const entries = record.entry
    ? [reversalEntry(record.entry, `${book.loanId}:reversal:${eventId}`, date)]
    : [];
  // What was booked only because it was paid ahead is unbooked with it: an installment not yet due then
  // carries nothing booked beyond what is paid, so a payoff or prepayment may re-shape it freely.
  const unbooked = { interest: 0, fees: 0, penalty: 0 };
  const installments = reopened.map((i) => {
    if (i.dueDate <= date) return i;
    const accrued = { ...i.accrued };
    for (const c of ['interest', 'fees', 'penalty'] as const) {
      unbooked[c] += accrued[c] - i.paid[c];
      accrued[c] = i.paid[c];
    }
    return { ...i, accrued };
  });
  if (unbooked.interest + unbooked.fees + unbooked.penalty > 0) {
    const ahead = accrualEntry({ ...head(book, `accrual:ahead:${eventId}`, date), ...unbooked });
    entries.push(reversalEntry(ahead, `${book.loanId}:accrual-reversal:${eventId}`, date));
  }
  return {
    book: { ...book, installments, creditBalance: book.creditBalance - record.creditChange },
    entries,
    result: null,
  };
}

function settle(
  book: LoanBook,
  p: PaymentInput,
  order: AllocationStep[],
  kind: PaymentKind,
): Booked<PaymentRecord> {
  const funds = p.amount + book.creditBalance;
  let installments = book.installments;
  let allocation: Allocation | null = null;
  let credit = funds;
  if (funds > 0 && installments.some((i) => openOf(i) > 0)) {
    const r = allocatePayment({ installments, paymentDate: p.date, amount: funds, order });
    installments = r.installments;
    allocation = r.allocation;
    credit = r.allocation.creditBalance;
  }
  const parts = allocation?.totals ?? { penalty: 0, fees: 0, interest: 0, principal: 0 };
  return record({ ...book, installments, creditBalance: credit }, book.creditBalance, p, {
    kind,
    allocation,
    parts,
  });
}

/** Books a payment applied to `after`: accrual for what it paid ahead of time, then the repayment itself. */
function record(
  after: LoanBook,
  creditBefore: number,
  p: PaymentInput,
  r: Pick<PaymentRecord, 'kind' | 'allocation' | 'parts' | 'prepayment' | 'payoff'>,
  accruedNow: Charges = { interest: 0, fees: 0, penalty: 0 },
): Booked<PaymentRecord> {
  const ahead = { ...accruedNow };
  const installments = after.installments.map((i) => {
    const short = {
      interest: i.paid.interest - i.accrued.interest,
      fees: i.paid.fees - i.accrued.fees,
      penalty: i.paid.penalty - i.accrued.penalty,
    };
    if (short.interest <= 0 && short.fees <= 0 && short.penalty <= 0) return i;
    const accrued = { ...i.accrued };
    for (const c of ['interest', 'fees', 'penalty'] as const) {
      if (short[c] > 0) {
        ahead[c] += short[c];
        accrued[c] = i.paid[c];
      }
    }
    return { ...i, accrued };
  });
  const entries: JournalEntry[] = [];
  if (ahead.interest + ahead.fees + ahead.penalty > 0) {
    entries.push(accrualEntry({ ...head(after, `accrual:payment:${p.paymentId}`, p.date), ...ahead }));
  }
  const creditChange = after.creditBalance - creditBefore;
  const moved = r.parts.principal + r.parts.interest + r.parts.fees + r.parts.penalty;
  let entry: JournalEntry | null = null;
  if (p.amount > 0 || moved > 0) {
    entry = repaymentEntry({
      ...head(after, `payment:${p.paymentId}`, p.date),
      received: p.amount,
      fromCredit: Math.max(0, -creditChange),
      toCredit: Math.max(0, creditChange),
      ...r.parts,
    });
    entries.push(entry);
  }
  const result: PaymentRecord = {
    paymentId: p.paymentId,
    amount: p.amount,
    date: p.date,
    ...r,
    creditChange,
    entry,
  };
  return { book: { ...after, installments }, entries, result };
}

/** Settles in full: the current period's interest stops at the date, later interest and fees fall away. */
function payOff(book: LoanBook, p: PaymentInput): Booked<PaymentRecord> {
  const q = grossPayoff(book, p.date);
  let first = true;
  const installments = book.installments.map((i) => {
    if (i.dueDate <= p.date) return i;
    const interest = i.paid.interest + (first ? q.breakdown.accruedInterest : 0);
    first = false;
    const fees = i.paid.fees;
    return { ...i, interest, fees, total: i.principal + interest + fees };
  });
  const everything = [
    ...book.order,
    ...TIMINGS.flatMap((t) => COMPONENTS.map((c) => `${t}.${c}` as AllocationStep)),
  ];
  const order = everything.filter((s, k) => everything.indexOf(s) === k);
  const settled = settle({ ...book, installments }, p, order, 'payoff');
  settled.result.payoff = q.breakdown;
  return settled;
}

function prepayPart(book: LoanBook, p: PaymentInput, mode: PrepaymentMode): Booked<PaymentRecord> {
  if (book.creditBalance < 0) {
    throw new DomainError(
      'amount',
      'a reversed payment left an amount owed; repay it before prepaying',
      'arrears',
    );
  }
  const r = prepay({
    installments: book.installments.map(serviced),
    method: book.method,
    annualRate: book.annualRate,
    dayCount: book.dayCount,
    period: book.period,
    startDate: book.accrualFrom,
    date: p.date,
    amount: p.amount,
    mode,
  });
  const kept = book.installments.filter((i) => i.dueDate <= p.date);
  const after: LoanBook = {
    ...book,
    accrualFrom: p.date,
    installments: [...kept, ...carryBooked(book.installments, p.date, r.installments.map(fresh))],
  };
  const parts = { penalty: 0, fees: 0, interest: r.accruedInterest, principal: r.principalReduction };
  const prepayment = {
    mode,
    accruedInterest: r.accruedInterest,
    principalReduction: r.principalReduction,
    installmentsAfter: r.installments.length,
  };
  // The interest to date belongs to no installment: it is booked and paid in the same event.
  return record(
    after,
    book.creditBalance,
    p,
    { kind: 'prepayment', allocation: null, parts, prepayment },
    { interest: r.accruedInterest, fees: 0, penalty: 0 },
  );
}

/**
 * Charges already booked as receivable on installments a prepayment replaces (an extension's fee sits
 * on the first unpaid one before its due day) stay owed: they move to the first new installment, so
 * the book keeps what the journal holds.
 */
function carryBooked(old: BookInstallment[], date: string, next: BookInstallment[]): BookInstallment[] {
  const replaced = old.filter((i) => i.dueDate > date);
  const owed = (c: keyof Charges) =>
    replaced.reduce((sum, i) => sum + Math.max(0, i.accrued[c] - i.paid[c]), 0);
  const carried = { interest: owed('interest'), fees: owed('fees'), penalty: owed('penalty') };
  const extra = carried.interest + carried.fees + carried.penalty;
  const [first, ...rest] = next;
  if (extra === 0 || !first) return next;
  return [
    {
      ...first,
      interest: first.interest + carried.interest,
      fees: first.fees + carried.fees,
      penalty: first.penalty + carried.penalty,
      total: first.total + extra,
      accrued: {
        interest: first.accrued.interest + carried.interest,
        fees: first.accrued.fees + carried.fees,
        penalty: first.accrued.penalty + carried.penalty,
      },
    },
    ...rest,
  ];
}

/** The entry head every posting of this loan shares; `event` is unique within the loan. */
export function head(book: LoanBook, event: string, date: string) {
  return { loanId: book.loanId, eventId: `${book.loanId}:${event}`, date, currency: book.currency };
}

// ---- the servicing calendar --------------------------------------------------------------------

export interface ServicingCalendar {
  timeZone: string;
  /** The loan's delinquency buckets; the seed's when absent. */
  buckets?: readonly Bucket[];
  reminderDaysBefore: number;
  /** Local HH:MM inside contact hours. */
  reminderTime: string;
  /** Local HH:MM of the autopay attempts on the due day, in order. */
  autopayTimes: readonly string[];
  /** Reminders are handed to the gateway ahead (domain/reminders.ts): the agenda has no step for them. */
  gatewayReminders?: boolean;
}

/** Borrowers are contacted only between these local times. */
export const CONTACT_HOURS = { from: '08:00', to: '20:00' } as const;

/**
 * When the borrower's contact hours end on the local day of `at`. A message handed to the gateway
 * carries it as its deadline: one held up by provider retries or a worker outage is dropped at the
 * gateway rather than delivered at night.
 */
export function contactDeadline(at: number, timeZone: string, hours: { to: string } = CONTACT_HOURS): string {
  return new Date(instantOfLocal(localDateAt(at, timeZone), hours.to, timeZone)).toISOString();
}

/**
 * `at` itself inside the borrower's contact hours, else when they next open. A reminder due while the
 * workers were down (its timer fires late, maybe at night) waits for this instead of going out then.
 */
export function nextContactOpening(
  at: number,
  timeZone: string,
  hours: { from: string; to: string } = CONTACT_HOURS,
): number {
  const date = localDateAt(at, timeZone);
  const opens = instantOfLocal(date, hours.from, timeZone);
  if (at < opens) return opens;
  if (at < instantOfLocal(date, hours.to, timeZone)) return at;
  return instantOfLocal(addDays(date, 1), hours.from, timeZone);
}
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;

export function checkCalendar(cal: ServicingCalendar): void {
  if (
    !Number.isSafeInteger(cal.reminderDaysBefore) ||
    cal.reminderDaysBefore < 1 ||
    cal.reminderDaysBefore > 27
  ) {
    throw new DomainError('reminderDaysBefore', 'must be a whole number of days from 1 to 27');
  }
  if (
    !HH_MM.test(cal.reminderTime) ||
    cal.reminderTime < CONTACT_HOURS.from ||
    cal.reminderTime >= CONTACT_HOURS.to
  ) {
    throw new DomainError(
      'reminderTime',
      `must be HH:MM within contact hours ${CONTACT_HOURS.from}–${CONTACT_HOURS.to}`,
    );
  }
  const times = cal.autopayTimes;
  if (times.length === 0 || times.some((t, k) => !HH_MM.test(t) || (k > 0 && t <= times[k - 1]!))) {
    throw new DomainError('autopayTimes', 'must be HH:MM times in increasing order');
  }
}

export type AgendaStep =
  | { seq: number; kind: 'reminder'; at: number }
  | { seq: number; kind: 'autopay'; slot: number; last: boolean; at: number }
  | { seq: number; kind: 'bucket'; bucket: string; at: number };

/** An installment's reminder: `reminderDaysBefore` its due date at `reminderTime`, borrower's zone. */
export const reminderAt = (dueDate: string, cal: ServicingCalendar): number =>
  instantOfLocal(addDays(dueDate, -cal.reminderDaysBefore), cal.reminderTime, cal.timeZone);

export function agendaOf(i: Pick<BookInstallment, 'seq' | 'dueDate'>, cal: ServicingCalendar): AgendaStep[] {
  const reminder: AgendaStep = { seq: i.seq, kind: 'reminder', at: reminderAt(i.dueDate, cal) };
  const slots = cal.autopayTimes.map((t, slot): AgendaStep => ({
    seq: i.seq,
    kind: 'autopay',
    slot,
    last: slot === cal.autopayTimes.length - 1,
    at: instantOfLocal(i.dueDate, t, cal.timeZone),
  }));
  return cal.gatewayReminders ? slots : [reminder, ...slots];
}

/**
 * The earliest step after `after`: a reminder or autopay attempt of an installment that still owes
 * something (paid ones need none), or the next DPD bucket boundary of a late loan.
 */
export function nextStep(book: LoanBook, cal: ServicingCalendar, after: number): AgendaStep | null {
  let best: AgendaStep | null = bucketStep(book, cal, after);
  for (const i of book.installments) {
    if (openOf(i) === 0) continue;
    // Installments run in due-date order and a reminder never precedes the previous due day's attempts.
    if (best && addDays(i.dueDate, -cal.reminderDaysBefore) > localDateAt(best.at, cal.timeZone)) break;
    for (const step of agendaOf(i, cal)) if (step.at > after && (!best || step.at < best.at)) best = step;
  }
  return best;
}

/** Delinquency moves at bucket thresholds, not by daily polling: one wake per boundary crossed. */
function bucketStep(book: LoanBook, cal: ServicingCalendar, after: number): AgendaStep | null {
  const oldest = book.installments.find((i) => openOf(i) > 0);
  if (!oldest || !isLate(oldest, cal, after)) return null;
  const dpd = daysPastDue(oldest.dueDate, localDateAt(after, cal.timeZone));
  const next = (cal.buckets ?? DEFAULT_BUCKETS).find((b) => b.minDpd > dpd);
  if (!next) return null;
  return {
    seq: oldest.seq,
    kind: 'bucket',
    bucket: next.name,
    at: instantOfLocal(addDays(oldest.dueDate, next.minDpd), '00:00', cal.timeZone),
  };
}

/** Unpaid after its last autopay attempt (steps up to `watermark` have run): the seam for delinquency. */
export function isLate(i: BookInstallment, cal: ServicingCalendar, watermark: number): boolean {
  if (openOf(i) === 0 || i.dueDate > localDateAt(watermark, cal.timeZone)) return false;
  const last = cal.autopayTimes[cal.autopayTimes.length - 1]!;
  return instantOfLocal(i.dueDate, last, cal.timeZone) <= watermark;
}

export type InstallmentStatus = 'scheduled' | 'partially_paid' | 'paid' | 'overdue';

export function installmentStatus(i: BookInstallment, late: boolean): InstallmentStatus {
  if (openOf(i) === 0) return 'paid';
  if (late) return 'overdue';
  return COMPONENTS.some((c) => i.paid[c] > 0) ? 'partially_paid' : 'scheduled';
}

// ---- projections for the view ------------------------------------------------------------------

export interface InstallmentView {
  seq: number;
  dueDate: string;
  principal: number;
  interest: number;
  fees: number;
  total: number;
  /** Everything paid on it so far, minor units. */
  paid: number;
  balanceAfter: number;
  status: InstallmentStatus;
}

/** The book as a borrower, an operator and the read model see it (DPD as of `today`). */
export function snapshotOf(book: LoanBook | null, cal: ServicingCalendar, watermark: number, today: string) {
  const p = book
    ? position(book)
    : { principal: 0, interest: 0, fees: 0, penalty: 0, credit: 0, outstanding: 0 };
  return {
    outstanding: p.outstanding,
    creditBalance: p.credit,
    receivable: { principal: p.principal, interest: p.interest, fees: p.fees, penalty: p.penalty },
    ...(book ? delinquencyOn(book, today, cal.buckets) : { dpd: 0, bucket: bucketFor(0, cal.buckets).name }),
    nextDue: book ? nextDue(book) : null,
    installments: (book?.installments ?? []).map((i): InstallmentView => ({
      seq: i.seq,
      dueDate: i.dueDate,
      principal: i.principal,
      interest: i.interest,
      fees: i.fees,
      total: i.total,
      paid: COMPONENTS.reduce((sum, c) => sum + i.paid[c], 0),
      balanceAfter: i.balanceAfter,
      status: installmentStatus(i, isLate(i, cal, watermark)),
    })),
  };
}

/** Where a payment went, in the terms the borrower is answered in. */
export function allocationSummary(r: PaymentRecord) {
  return {
    ...r.parts,
    toCredit: Math.max(0, r.creditChange),
    fromCredit: Math.max(0, -r.creditChange),
    installments: (r.allocation?.installments ?? []).map((l) => ({
      seq: l.seq,
      principal: l.principal,
      interest: l.interest,
      fees: l.fees,
      penalty: l.penalty,
    })),
  };
}
