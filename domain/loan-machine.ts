import { DomainError } from './errors';
import { checkExtension, extendBook, extensionStep } from './extension';
import { bringLateChargesUpToDate } from './late-charges';
import type { JournalEntry } from './ledger';
import {
  allocationSummary,
  type Booked,
  delinquencyOn,
  fallDue,
  type LoanBook,
  type LoanStatus,
  openOf,
  owedBy,
  type PaymentRecord,
  position,
  reversePayment,
  type ServicingCalendar,
  useCredit,
} from './loan';
import { bucketFor } from './delinquency';
import { statusOfBook } from './loan-scheduler';
import {
  type AutopayAttempt,
  type ExtensionResult,
  type LoanException,
  noServicing,
  type RepaymentResult,
  type Servicing,
  type SettlementTerms,
  type TakenPayment,
} from './loan-servicing';
import type { Currency, Money } from './money';
import {
  bookPayment,
  callbackStep,
  type IntakeState,
  type KnownPayment,
  refuseOverPayoff,
  repaymentStep,
  type SettlementEffect,
} from './payment-intake';
import type { PrepaymentMode } from './prepayment';
import type { Product } from './products';
import { recoverPayment, writeOffBook } from './write-off';

/**
 * The serviced loan as a state machine: `stepLoan(terms, state, event)` answers the next state, the
 * effects the workflow (workflows/loan.ts) carries out, and the answer a caller waits for. It says
 * which rule answers which event (payment intake, late charges, extension, write-off: each in its own
 * module) and what follows; the clock arrives in events. What refuses a client's request is
 * `refuseRequest`, asked by the update's validator before the request reaches `stepLoan`.
 */

/** What a run of the loan fixes for life: its product, calendar, currency and the card autopay debits. */
export interface LoanTerms {
  loanId: string;
  product: Product;
  cal: ServicingCalendar;
  currency: Currency;
  /** The run began after delinquency servicing existed (workflows/patches.ts `delinquency-collection`). */
  collects: boolean;
  autopayCard: string | null;
}

/** The part of the loan's state this machine reads and writes; the rest rides along unchanged. */
export interface LoanMoney {
  status: LoanStatus;
  book: LoanBook | null;
  disbursement: { date: string; netAmount: number } | null;
  /** Agenda steps at or before this instant (epoch ms) are behind us. */
  watermark: number;
  payments: Record<string, TakenPayment>;
  autopayAttempts: AutopayAttempt[];
  exceptions: LoanException[];
  /** Entries decided and not yet confirmed posted. */
  outbox: JournalEntry[];
  /** An installment went unpaid past its due day at least once: the line's renewal reads it. */
  everLate?: boolean;
  servicing?: Servicing;
  /** A closed loan takes late callbacks until this instant (epoch ms); absent before late receipts existed. */
  lateReceiptsUntil?: number;
}

/** Which of the day's autopay attempts this is: a slot of the due day, or a retry collection asked for. */
export interface DebitTag {
  slot: number;
  retryId?: string;
}

export type LoanEvent =
  | {
      type: 'repayment';
      paymentId: string;
      amount: Money;
      channel: string;
      mode?: PrepaymentMode;
      date: string;
    }
  | {
      type: 'callback';
      eventId: string;
      kind: 'success' | 'reversal';
      paymentId: string;
      amount: Money;
      date: string;
    }
  | { type: 'extension'; extensionId: string; days: number; date: string }
  | { type: 'settlement-approved'; terms: SettlementTerms }
  | { type: 'retry-asked'; retryId: string }
  /** The main loop takes the oldest retry collection asked for. */
  | { type: 'retry-due'; retryId: string; date: string }
  /** An installment's due day begins: its charges become receivable and credit held pays first. */
  | { type: 'installment-due'; seq: number; date: string }
  /** An autopay attempt's time: late charges come to date and what is owed is debited. */
  | { type: 'autopay-due'; seq: number; slotKey: string; tag: DebitTag; date: string }
  | {
      type: 'autopay-result';
      seq: number;
      slotKey: string;
      tag: DebitTag;
      asked: number;
      result: { status: 'succeeded'; amountMinor: number } | { status: 'failed'; reason: string };
      at: string;
      date: string;
    }
  /** The installment's last autopay attempt is behind it. */
  | { type: 'attempts-over'; seq: number }
  /** A grace end, bucket boundary or month end; on the write-off day, the reserve the write-off draws on. */
  | { type: 'threshold'; date: string; writeOff: { reserve: number } | null };

export type LoanEffect =
  /** Something was booked, received or asked: the main loop saves, posts and tells the loan's parties. */
  | { type: 'changed' }
  /** The payout is still out: the request is decided once the loan is active or has failed. */
  | { type: 'wait-for-payout' }
  /** Debit the card; the bank's answer comes back as `autopay-result`. */
  | { type: 'debit'; seq: number; slotKey: string; tag: DebitTag; amount: number; card: string }
  /** Try the card again for this installment (a retry collection asked for). */
  | { type: 'autopay'; seq: number; slotKey: string; tag: DebitTag }
  | { type: 'log'; level: 'info' | 'warn'; message: string; fields: Record<string, unknown> };

export type LoanAnswer<E> = E extends { type: 'repayment' }
  ? RepaymentResult
  : E extends { type: 'extension' }
    ? ExtensionResult
    : undefined;

export interface LoanStep<S, A = undefined> {
  state: S;
  effects: LoanEffect[];
  /** What the request hears back; absent while it waits for the payout. */
  answer?: A;
}

export function stepLoan<S extends LoanMoney, E extends LoanEvent>(
  terms: LoanTerms,
  state: S,
  event: E,
): LoanStep<S, LoanAnswer<E>> {
  const step = ((): LoanStep<S, unknown> => {
    const e: LoanEvent = event;
    switch (e.type) {
      case 'repayment':
        return repayment(terms, state, e);
      case 'callback':
        return callback(terms, state, e);
      case 'extension':
        return extension(terms, state, e);
      case 'settlement-approved':
        if (e.terms.amount.currency !== terms.currency)
          return noted(state, 'warn', 'settlement in another currency ignored', { offerId: e.terms.offerId });
        return changed(withServicing(state, { settlement: { ...e.terms, received: 0 } }));
      case 'retry-asked': {
        const sv = servicingOf(state);
        const { pending, done } = sv.retries;
        if (done.includes(e.retryId) || pending.includes(e.retryId))
          return { state: { ...state, servicing: sv }, effects: [] };
        return changed(withServicing(state, { retries: { pending: [...pending, e.retryId], done } }));
      }
      case 'retry-due':
        return retryDue(state, e);
      case 'installment-due': {
        const fallen = commit(state, fallDue(inService(state), e.seq, e.date)).state;
        return changed(commit(fallen, useCredit(inService(fallen), e.seq, e.date)).state);
      }
      case 'autopay-due':
        return autopayDue(terms, state, e);
      case 'autopay-result':
        return autopayResult(terms, state, e);
      case 'attempts-over': {
        const installment = inService(state).installments.find((i) => i.seq === e.seq);
        if (!installment || openOf(installment) === 0) return { state, effects: [] };
        return {
          state: { ...state, everLate: true },
          effects: [
            { type: 'changed' },
            log('info', 'installment unpaid after the last autopay attempt', { seq: e.seq }),
          ],
        };
      }
      case 'threshold':
        return threshold(terms, state, e);
    }
  })();
  return step as LoanStep<S, LoanAnswer<E>>;
}

/** The loan's status as its book says (domain/loan-scheduler.ts `statusOfBook`). */
export function statusOf(terms: LoanTerms, state: LoanMoney): LoanStatus {
  return statusOfBook(state.status, state.book, terms.cal, state.watermark);
}

/** Late fee and penalty interest to `date`, capped so the loan's APR stays within the product's cap. */
function chargedToDate<S extends LoanMoney>(terms: LoanTerms, state: S, date: string): S {
  const { book, disbursement } = state;
  if (!terms.collects || !book || !disbursement || state.status === 'written_off') return state;
  const sv = servicingOf(state);
  const cap = {
    disbursed: { date: disbursement.date, amount: disbursement.netAmount },
    payments: Object.values(state.payments)
      .filter((p) => !p.reversed)
      .map((p) => ({ date: p.record.date, amount: p.record.amount })),
  };
  const charged = commit(state, bringLateChargesUpToDate(book, terms.product, sv.charges, date, cap));
  return withServicing(charged.state, { charges: charged.result.state });
}

export function receivedTotal(state: Pick<LoanMoney, 'payments'>): number {
  return Object.values(state.payments).reduce((sum, p) => (p.reversed ? sum : sum + p.record.amount), 0);
}

// ---- money in ---------------------------------------------------------------------------------------

type Of<T extends LoanEvent['type']> = Extract<LoanEvent, { type: T }>;

/**
 * A client's repayment or extension request, refused by the DomainError this throws, changing
 * nothing. The update's validator asks it, and the handler again once a payout the request waited for
 * is decided; `stepLoan` never does, so a rule added here later cannot refuse what a recorded history
 * already took.
 */
export function refuseRequest(
  terms: LoanTerms,
  state: LoanMoney,
  e: Of<'repayment'> | Of<'extension'>,
): void {
  if (e.type === 'extension') return refuseExtension(terms, state, e);
  const step = repaymentStep(intakeOf(terms, state), e, knownOf(state.payments[e.paymentId]));
  if (step !== 'new') return;
  const ask = { paymentId: e.paymentId, amount: e.amount.amount, channel: e.channel, date: e.date };
  if (state.status === 'written_off') return void recover(terms, state, ask);
  const charged = chargedToDate(terms, state, e.date);
  refuseOverPayoff(inService(charged), e.amount.amount, e.date);
  book(terms, charged, e.mode ? { ...ask, mode: e.mode } : ask);
}

function repayment<S extends LoanMoney>(
  terms: LoanTerms,
  state: S,
  e: Of<'repayment'>,
): LoanStep<S, RepaymentResult> {
  const known = state.payments[e.paymentId];
  if (known) return { state, effects: [], answer: known.answer };
  if (state.status === 'disbursing') return { state, effects: [{ type: 'wait-for-payout' }] };
  const ask = { paymentId: e.paymentId, amount: e.amount.amount, channel: e.channel, date: e.date };
  if (state.status === 'written_off') return recover(terms, state, ask);
  return book(terms, chargedToDate(terms, state, e.date), e.mode ? { ...ask, mode: e.mode } : ask);
}

interface Received {
  paymentId: string;
  amount: number;
  channel: string;
  date: string;
  mode?: PrepaymentMode;
}

/** Books money the loan took in: towards an open settlement or by the allocation order. */
function book<S extends LoanMoney>(terms: LoanTerms, state: S, p: Received): LoanStep<S, RepaymentResult> {
  const open = terms.collects ? state.servicing?.settlement : null;
  const { paymentId, amount, date } = p;
  const { booked, settlement } = bookPayment(inService(state), open, {
    paymentId,
    amount,
    date,
    ...(p.mode ? { mode: p.mode } : {}),
  });
  const settled = open ? settle(state, open, settlement) : { state, effects: [] };
  const next = commit(settled.state, booked).state;
  const answer = answerOf(terms, next, booked.result);
  return {
    state: { ...next, payments: { ...next.payments, [paymentId]: taken(booked.result, answer, p.channel) } },
    effects: [{ type: 'changed' }, ...settled.effects],
    answer,
  };
}

/** Money after write-off is recovery income; the contract's figures stay as they were written off. */
function recover<S extends LoanMoney>(terms: LoanTerms, state: S, p: Received): LoanStep<S, RepaymentResult> {
  const { paymentId, amount, date } = p;
  const r = commit(state, recoverPayment(inService(state), { paymentId, amount, date }));
  const none = { penalty: 0, fees: 0, interest: 0, principal: 0 };
  const record: PaymentRecord = {
    paymentId,
    amount,
    date,
    kind: 'allocation',
    allocation: null,
    parts: none,
    creditChange: 0,
    entry: null,
  };
  const answer: RepaymentResult = {
    paymentId,
    kind: 'recovery',
    allocation: allocationSummary(record),
    recovery: r.result,
    outstanding: money(terms, 0),
    creditBalance: money(terms, 0),
    status: 'written_off',
  };
  const payments = { ...r.state.payments, [paymentId]: taken(record, answer, p.channel) };
  return { state: { ...r.state, payments }, effects: [{ type: 'changed' }], answer };
}

/** An approved settlement's terms after a payment (domain/payment-intake.ts `bookPayment`). */
function settle<S extends LoanMoney>(
  state: S,
  open: NonNullable<Servicing['settlement']>,
  effect: SettlementEffect,
): LoanStep<S> {
  switch (effect.effect) {
    case 'none':
      return { state, effects: [] };
    case 'towards':
      return {
        state: withServicing(state, { settlement: { ...open, received: effect.received } }),
        effects: [],
      };
    case 'settled':
      return {
        state: withServicing(state, { settledBy: open.offerId, settlement: null }),
        effects: [log('info', 'loan settled', { offerId: open.offerId, waived: effect.waived })],
      };
    case 'refused':
      return {
        state: withServicing(state, { settlement: { ...open, received: effect.received } }),
        effects: [log('warn', 'settlement payment applied as a repayment', { error: effect.reason })],
      };
  }
}

/** Each event id arrives here once (the workflow drops a repeat); what cannot be applied waits for a person. */
function callback<S extends LoanMoney>(terms: LoanTerms, state: S, e: Of<'callback'>): LoanStep<S> {
  const known = state.payments[e.paymentId];
  const step = callbackStep(intakeOf(terms, state), e, knownOf(known));
  const needsPerson = (reason: string, effects: LoanEffect[] = [], base: S = state): LoanStep<S> => ({
    state: withException(base, e, reason),
    effects: [
      { type: 'changed' },
      ...effects,
      log('warn', 'payment callback needs a person', { eventId: e.eventId, problem: reason }),
    ],
  });
  switch (step.step) {
    case 'refuse':
      return needsPerson(step.reason);
    case 'ignore':
      return changed(state);
    case 'wait': // the workflow waits for the payout's result before it hands the callback over
      return needsPerson('the loan is still disbursing');
    case 'take': {
      const p = { paymentId: e.paymentId, amount: e.amount.amount, channel: 'callback', date: e.date };
      const took = received(terms, state, p);
      if (took.problem) return needsPerson(took.problem, took.effects, took.state);
      return { state: took.state, effects: took.effects };
    }
    case 'reverse':
      try {
        const reversed = commit(
          state,
          reversePayment(inService(state), known!.record, e.eventId, e.date),
        ).state;
        const payments = { ...reversed.payments, [e.paymentId]: { ...known!, reversed: true } };
        return changed({ ...reversed, payments });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        return needsPerson(err.message, [notApplied(e.paymentId, err)]);
      }
  }
}

const withException = <S extends LoanMoney>(
  state: S,
  e: { eventId: string; paymentId: string },
  reason: string,
): S => ({
  ...state,
  exceptions: [...state.exceptions, { eventId: e.eventId, paymentId: e.paymentId, reason }],
});

/**
 * Money a provider already moved: a rule that refuses it must not wedge the loan, so the refusal is
 * kept for a person (late charges brought to date stay booked).
 */
function received<S extends LoanMoney>(
  terms: LoanTerms,
  state: S,
  p: Received,
): { state: S; problem: string | null; effects: LoanEffect[] } {
  const charged = state.status === 'written_off' ? state : chargedToDate(terms, state, p.date);
  try {
    const took = state.status === 'written_off' ? recover(terms, state, p) : book(terms, charged, p);
    return { state: took.state, problem: null, effects: took.effects };
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return { state: charged, problem: err.message, effects: [notApplied(p.paymentId, err)] };
  }
}

const notApplied = (paymentId: string, err: DomainError) =>
  log('warn', 'payment not applied', { paymentId, error: err.message });

// ---- autopay ----------------------------------------------------------------------------------------

function autopayDue<S extends LoanMoney>(terms: LoanTerms, state: S, e: Of<'autopay-due'>): LoanStep<S> {
  const charged = chargedToDate(terms, state, e.date);
  const amount = owedBy(inService(charged), e.date);
  if (amount === 0 || !terms.autopayCard) return { state: charged, effects: [] };
  const { seq, slotKey, tag } = e;
  return { state: charged, effects: [{ type: 'debit', seq, slotKey, tag, amount, card: terms.autopayCard }] };
}

/** The bank's answer to one debit; its payment id names the slot, so a replayed slot books once. */
function autopayResult<S extends LoanMoney>(
  terms: LoanTerms,
  state: S,
  e: Of<'autopay-result'>,
): LoanStep<S> {
  const attempt: AutopayAttempt = {
    seq: e.seq,
    ...e.tag,
    at: e.at,
    amount: e.asked,
    result: e.result.status,
  };
  let next = state;
  const effects: LoanEffect[] = [{ type: 'changed' }];
  if (e.result.status === 'succeeded') {
    const paymentId = `autopay:${e.slotKey}`;
    const amount = e.result.amountMinor;
    Object.assign(attempt, { paymentId, amount });
    const took = received(terms, state, { paymentId, amount, channel: 'autopay', date: e.date });
    effects.push(...took.effects);
    next = took.problem
      ? withException(
          took.state,
          { eventId: `${terms.loanId}:autopay:${e.slotKey}`, paymentId },
          took.problem,
        )
      : took.state;
  } else {
    attempt.reason = e.result.reason;
  }
  return { state: { ...next, autopayAttempts: [...next.autopayAttempts, attempt] }, effects };
}

/** Collection asked for another debit (M1): one attempt per retry id, on the oldest open installment. */
function retryDue<S extends LoanMoney>(state: S, e: Of<'retry-due'>): LoanStep<S> {
  const { pending, done } = servicingOf(state).retries;
  const next = withServicing(state, {
    retries: { pending: pending.filter((id) => id !== e.retryId), done: [...done, e.retryId] },
  });
  const oldest = inService(next).installments.find((i) => openOf(i) > 0);
  const effects: LoanEffect[] = [{ type: 'changed' }];
  if (next.status === 'delinquent' && oldest)
    effects.unshift({
      type: 'autopay',
      seq: oldest.seq,
      slotKey: `retry:${e.retryId}`,
      tag: { slot: -1, retryId: e.retryId },
    });
  return { state: next, effects };
}

// ---- extension and write-off ------------------------------------------------------------------------

function refuseExtension(terms: LoanTerms, state: LoanMoney, e: Of<'extension'>): void {
  const granted = state.servicing?.extensions[e.extensionId] !== undefined;
  if (extensionStep(state.status, granted) !== 'check') return;
  const { book } = state;
  if (!book || (state.status !== 'active' && state.status !== 'delinquent'))
    throw new DomainError(
      'loan',
      `the loan is ${state.status}; only an active or delinquent loan takes this`,
      'loan_not_in_service',
    );
  const { dpd } = delinquencyOn(book, e.date, terms.cal.buckets);
  checkExtension(book, terms.product.extension, e, {
    today: e.date,
    used: Object.keys(state.servicing?.extensions ?? {}).length,
    dpd,
    stage: bucketFor(dpd, terms.cal.buckets).stage,
    paidInstallments: book.installments.filter((i) => openOf(i) === 0).length,
  });
}

/** Books the extension and keeps its answer, so the same extension id hears it again. */
function extension<S extends LoanMoney>(
  terms: LoanTerms,
  state: S,
  e: Of<'extension'>,
): LoanStep<S, ExtensionResult> {
  const granted = state.servicing?.extensions[e.extensionId];
  if (granted) return { state, effects: [], answer: granted };
  if (state.status === 'disbursing') return { state, effects: [{ type: 'wait-for-payout' }] };
  const moved = commit(state, extendBook(inService(state), terms.product.extension, e, e.date));
  const extensions = servicingOf(moved.state).extensions;
  const answer: ExtensionResult = {
    extensionId: e.extensionId,
    days: e.days,
    fee: money(terms, moved.result.fee),
    dueDates: moved.result.dueDates,
    extensionsUsed: Object.keys(extensions).length + 1,
    status: statusOf(terms, moved.state),
  };
  return {
    state: withServicing(moved.state, { extensions: { ...extensions, [e.extensionId]: answer } }),
    effects: [{ type: 'changed' }],
    answer,
  };
}

/** Charges come to date; on the write-off day what is left moves off the books, the reserve absorbing it first. */
function threshold<S extends LoanMoney>(terms: LoanTerms, state: S, e: Of<'threshold'>): LoanStep<S> {
  const charged = chargedToDate(terms, state, e.date);
  if (!e.writeOff) return changed(charged);
  const written = commit(charged, writeOffBook(inService(charged), e.date, e.writeOff.reserve)).state;
  return {
    state: withServicing({ ...written, status: 'written_off' }, { writtenOffOn: e.date }),
    effects: [{ type: 'changed' }, log('info', 'loan written off', { date: e.date })],
  };
}

// ---- helpers ----------------------------------------------------------------------------------------

function inService(state: LoanMoney): LoanBook {
  if (!state.book)
    throw new DomainError('loan', `the loan is ${state.status}; it has no schedule`, 'loan_not_in_service');
  return state.book;
}

/** A booking's new book replaces the old one and its entries wait in the outbox for the main loop. */
function commit<S extends LoanMoney, R>(state: S, booked: Booked<R>): { state: S; result: R } {
  return {
    state: { ...state, book: booked.book, outbox: [...state.outbox, ...booked.entries] },
    result: booked.result,
  };
}

/** Runs begun before delinquency servicing carry none; it is added the first time it is needed. */
function servicingOf(state: LoanMoney): Servicing {
  return state.servicing ?? noServicing();
}

function withServicing<S extends LoanMoney>(state: S, change: Partial<Servicing>): S {
  return { ...state, servicing: { ...servicingOf(state), ...change } };
}

function intakeOf(terms: LoanTerms, state: LoanMoney): IntakeState {
  return {
    status: state.status,
    currency: state.book?.currency ?? null,
    collects: terms.collects,
    lateReceiptsOpen: state.lateReceiptsUntil !== undefined,
  };
}

const knownOf = (known: TakenPayment | undefined): KnownPayment | undefined =>
  known && { amount: known.record.amount, reversed: known.reversed };

const taken = (record: PaymentRecord, answer: RepaymentResult, channel: string): TakenPayment => ({
  record,
  answer,
  channel,
  reversed: false,
});

function answerOf(terms: LoanTerms, state: LoanMoney, r: PaymentRecord): RepaymentResult {
  const book = inService(state);
  return {
    paymentId: r.paymentId,
    kind: r.kind,
    allocation: allocationSummary(r),
    ...(r.prepayment ? { prepayment: r.prepayment } : {}),
    outstanding: money(terms, position(book).outstanding),
    creditBalance: money(terms, book.creditBalance),
    status: statusOf(terms, state),
  };
}

const money = (terms: LoanTerms, amount: number): Money => ({ amount, currency: terms.currency });

const changed = <S>(state: S): LoanStep<S> => ({ state, effects: [{ type: 'changed' }] });

const noted = <S>(
  state: S,
  level: 'info' | 'warn',
  message: string,
  fields: Record<string, unknown>,
): LoanStep<S> => ({
  state,
  effects: [log(level, message, fields)],
});

const log = (level: 'info' | 'warn', message: string, fields: Record<string, unknown>): LoanEffect => ({
  type: 'log',
  level,
  message,
  fields,
});
