import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { LoanActivities } from '../activities/loan';
import type { DebitResult, Payout } from '../adapters/bank';
import { bucketFor, DEFAULT_POLICY, type DelinquencyPolicy } from '../domain/delinquency';
import { nextServicingStep, type ServicingStep } from '../domain/delinquency-agenda';
import { DomainError } from '../domain/errors';
import { checkExtension, extendBook } from '../domain/extension';
import { bringLateChargesUpToDate } from '../domain/late-charges';
import { recoverPayment, settleWithWaiver, writeOffBook } from '../domain/write-off';
import { disbursementEntry, type JournalEntry } from '../domain/ledger';
import {
  type AgendaStep,
  allocationOrderOf,
  allocationSummary,
  applyPayment,
  type Booked,
  checkCalendar,
  delinquencyOn,
  fallDue,
  isLate,
  isSettled,
  type LoanBook,
  nextStep,
  openBook,
  openOf,
  owedBy,
  payoffOf,
  type PaymentRecord,
  position,
  priceLoan,
  reversePayment,
  snapshotOf,
  useCredit,
} from '../domain/loan';
import { addDays, instantOfLocal, localDateAt } from '../domain/localdate';
import { formatMajor, type Money } from '../domain/money';
import { getProduct } from '../domain/products';
import type { CollectionRun } from './collection';
import { asFailure, refused } from './failures';
import { keepStanding as standing, noServicing, type Servicing } from './loan-standing';
import {
  type AutopayAttempt,
  extendLoan,
  type ExtensionResult,
  getLoan,
  type LoanStatus,
  type LoanView,
  type PaymentCallback,
  paymentCallback,
  payoffQuote,
  repay,
  type RepaymentRequest,
  type RepaymentResult,
  retryAutopay,
  settlementApproved,
} from './loan-messages';
import { creditLineWorkflowId, type LimitRelease, type LoanInput, releaseLimit } from './messages';
import { retry, untilDone } from './retry-policies';
import {
  CreditLineId,
  CustomerId,
  Dpd,
  DpdBucket,
  LoanStatus as LoanStatusKey,
  ProductCode,
} from './search-attributes';

export interface LoanSettings {
  /** Continue-as-new once history reaches this many events (or when the server suggests it). */
  historyLimit: number;
  reminderDaysBefore: number;
  /** Local time of the reminder, inside contact hours. */
  reminderTime: string;
  /** Local times of the autopay attempts on the due day. */
  autopayTimes: string[];
  /** Days past due on which the loan is written off. */
  writeOffDpd: number;
  /** A late loan is furnished to the bureau from this DPD on, and its cure or closure after that. */
  bureauReportFromDpd: number;
  /** How long a written-off loan keeps taking recoveries before its workflow completes. */
  recoveryDays: number;
  /** Handed to the collection child (tests shorten or tighten the strategy). */
  collection?: CollectionRun['settings'];
}
const DEFAULT_SETTINGS: LoanSettings = {
  historyLimit: 5_000,
  reminderDaysBefore: 3,
  reminderTime: '10:00',
  autopayTimes: ['09:00', '14:00', '19:00'],
  writeOffDpd: 180,
  bureauReportFromDpd: 31,
  recoveryDays: 3 * 365,
};

/** Everything a run hands to the next one on continue-as-new: plain JSON. */
export interface LoanState {
  status: LoanStatus;
  book: LoanBook | null;
  disbursement: LoanView['disbursement'];
  failure: LoanView['failure'];
  /** Agenda steps at or before this instant (epoch ms) are behind us. */
  watermark: number;
  payments: Record<
    string,
    { record: PaymentRecord; answer: RepaymentResult; channel: string; reversed: boolean }
  >;
  callbackEvents: string[];
  autopayAttempts: AutopayAttempt[];
  reminders: LoanView['reminders'];
  exceptions: LoanView['exceptions'];
  /** Entries decided and not yet confirmed posted; posting is idempotent by source event id. */
  outbox: JournalEntry[];
  version: number;
  /** An installment went unpaid past its due day at least once: the line's renewal reads it. */
  everLate?: boolean;
  servicing?: Servicing;
}

export interface LoanRun {
  settings?: Partial<LoanSettings>;
  carried?: LoanState;
}

const checks = proxyActivities<LoanActivities>({
  startToCloseTimeout: '30 seconds',
  retry,
  summary: 'pre-disbursement check',
});
/** A payout whose outcome is unknown is asked again with the same key until the bank answers: giving up could only pay twice or free a limit still in use. */
const bank = proxyActivities<LoanActivities>({
  startToCloseTimeout: '1 minute',
  retry: untilDone,
  summary: 'bank payout',
});
/** Calls made many times in a loan's life, short and idempotent by key: as local activities each costs one history event. */
const provider = proxyLocalActivities<LoanActivities>({ startToCloseTimeout: '30 seconds', retry });
/** The books must catch up eventually; a database outage is waited out, never turned into a failed loan. */
const books = proxyLocalActivities<LoanActivities>({ startToCloseTimeout: '30 seconds', retry: untilDone });

const RESERVED_PAYMENT_IDS = /^(autopay|credit):/;

/**
 * A loan (借据): pre-disbursement checks → disbursement (compensated by releasing the line's limit if the
 * bank refuses) → schedule, ledger, read model → per installment a reminder, autopay attempts on the due
 * day and repayments at any time → closed when nothing is owed, giving the limit back to the line.
 */
export async function loan(input: LoanInput, run: LoanRun = {}): Promise<LoanView> {
  const settings = { ...DEFAULT_SETTINGS, ...run.settings };
  const cal = { timeZone: input.timeZone, ...settings };
  asFailure(() => checkCalendar(cal));
  const product = getProduct(input.productCode);
  const autopayCard = input.payee.kind === 'borrower' ? input.payee.bankCard : null;
  const s: LoanState = run.carried ?? {
    status: 'disbursing',
    book: null,
    disbursement: null,
    failure: null,
    watermark: 0,
    payments: {},
    callbackEvents: [],
    autopayAttempts: [],
    reminders: [],
    exceptions: [],
    outbox: [],
    version: 0,
  };
  let changed = true;
  let indexed = '';
  /**
   * Late charges, collection, extension, settlement and write-off came after loans were already running:
   * a run begun before them keeps its old agenda to the end (test/histories replays such runs).
   */
  const collects = patched('delinquency-collection');
  const policy: DelinquencyPolicy = {
    ...DEFAULT_POLICY,
    graceDays: product.graceDays,
    writeOffDpd: settings.writeOffDpd,
  };
  const sv = (): Servicing => (s.servicing ??= noServicing());

  setHandler(getLoan, view);
  setHandler(payoffQuote, (date) => {
    const book = inService();
    const q = asFailure(() => payoffOf(book, date));
    return { date: q.date, amount: money(q.amount), breakdown: q.breakdown };
  });
  setHandler(
    repay,
    async (req) => {
      const known = s.payments[req.paymentId];
      if (known) return known.answer;
      const answer = takePayment(req.paymentId, req.amount.amount, req.channel, req.mode);
      await posted();
      return answer;
    },
    { validator: (req) => asFailure(() => checkRepayment(req)) },
  );
  setHandler(paymentCallback, (cb) => {
    if (s.callbackEvents.includes(cb.eventId)) return;
    s.callbackEvents.push(cb.eventId);
    const problem = onCallback(cb);
    if (problem) {
      log.warn('payment callback needs a person', { loanId: input.loanId, eventId: cb.eventId, problem });
      s.exceptions.push({ eventId: cb.eventId, paymentId: cb.paymentId, reason: problem });
    }
    changed = true;
  });
  setHandler(
    extendLoan,
    async (req) => {
      const known = s.servicing?.extensions[req.extensionId];
      if (known) return known;
      const moved = commit(extendBook(inService(), product.extension, req, today()));
      const result: ExtensionResult = {
        extensionId: req.extensionId,
        days: req.days,
        fee: money(moved.fee),
        dueDates: moved.dueDates,
        extensionsUsed: Object.keys(sv().extensions).length + 1,
        status: currentStatus(),
      };
      sv().extensions[req.extensionId] = result;
      changed = true;
      await posted();
      return result;
    },
    {
      validator: (req) => {
        if (s.servicing?.extensions[req.extensionId]) return;
        const book = servingOrRefuse();
        asFailure(() => checkExtension(book, product.extension, req, extensionContext(book)));
      },
    },
  );
  setHandler(retryAutopay, ({ retryId }) => {
    const r = sv().retries;
    if (r.done.includes(retryId) || r.pending.includes(retryId)) return;
    r.pending.push(retryId);
    changed = true;
  });
  setHandler(settlementApproved, (terms) => {
    if (terms.amount.currency !== input.principal.currency)
      return void log.warn('settlement in another currency ignored', { offerId: terms.offerId });
    sv().settlement = { ...terms, received: 0 };
    changed = true;
  });

  if (s.status === 'disbursing') await disburse();
  if (s.status === 'active' || s.status === 'delinquent') await serve();
  await condition(allHandlersFinished);
  return view();

  async function disburse(): Promise<void> {
    const compensations: (() => Promise<void>)[] = [];
    let payout: Payout;
    await persist(); // listed as disbursing from the start
    try {
      // Registered before anything can stop the loan: a loan that never pays out holds no limit.
      compensations.push(() => giveBackLimit('disbursement_failed'));
      const screening = await checks.screenBorrower({ ...input.borrower, bankCard: input.payee.bankCard });
      if (screening.listed === 'blacklist')
        throw new Refusal('BLACKLISTED', `the borrower is blacklisted (${screening.matchedOn})`);
      // A fraud re-check joins the blacklist refresh here once a fraud provider exists.
      const priced = price(today());
      payout = await bank.disburse({
        idempotencyKey: `${input.loanId}:disbursement`,
        amountMinor: priced.quote.netDisbursed,
        currency: input.principal.currency,
        toCard: input.payee.bankCard,
        payee: input.payee.kind,
      });
    } catch (err) {
      s.failure = refusalOf(err);
      s.status = 'disbursement_failed';
      await CancellationScope.nonCancellable(async () => {
        for (const undo of compensations.reverse()) await undo();
        await persist();
      });
      return;
    }
    start(payout);
  }

  /** Money is out: the schedule runs from the borrower's local date of the payout. */
  function start(payout: Payout): void {
    const startDate = today();
    const { quote, riskReserve } = price(startDate);
    s.book = openBook({
      loanId: input.loanId,
      currency: quote.currency,
      annualRate: quote.annualRate,
      method: quote.method,
      dayCount: quote.dayCount,
      period: quote.period,
      startDate,
      order: allocationOrderOf(product.allocationOrder),
      schedule: quote.installments,
    });
    s.disbursement = { payoutId: payout.payoutId, netAmount: quote.netDisbursed, date: startDate };
    s.outbox.push(
      disbursementEntry({
        loanId: input.loanId,
        eventId: `${input.loanId}:disbursement`,
        date: startDate,
        currency: quote.currency,
        principal: quote.principal,
        cashOut: quote.netDisbursed,
        originationFee: quote.fees.origination,
        riskReserve,
      }),
    );
    s.status = 'active';
    s.watermark = Date.now();
  }

  /** Sleeps until the next step of the agenda, waking early for repayments and callbacks. */
  async function serve(): Promise<void> {
    const wake = () => changed || historyIsLong();
    for (;;) {
      s.status = currentStatus();
      if (s.status === 'closed') return close();
      await flush();
      if (changed) {
        changed = false;
        if (collects) await keepStanding();
        await persist();
        continue;
      }
      if (historyIsLong()) return continueAsNewNow();
      if (collects && sv().retries.pending.length > 0) {
        await retryDebit(sv().retries.pending[0]!);
        continue;
      }
      if (s.status === 'written_off') {
        if (await awaitRecoveries()) continue;
        return;
      }
      const step = collects
        ? nextServicingStep(inService(), cal, policy, s.watermark)
        : nextStep(inService(), cal, s.watermark);
      // Woken early, every step up to now belonged to an installment paid meanwhile: a reversal that
      // reopens one later does not replay its missed attempts. A late timer still catches up.
      if (!step) {
        await condition(wake);
        s.watermark = Math.max(s.watermark, Date.now());
        continue;
      }
      const summary = `${step.kind} of installment ${step.seq}`;
      if (step.at > Date.now() && (await condition(wake, step.at - Date.now(), { summary }))) {
        s.watermark = Math.max(s.watermark, Date.now());
        continue;
      }
      s.watermark = step.at;
      await perform(step);
    }
  }

  async function perform(step: AgendaStep | ServicingStep): Promise<void> {
    if (step.kind === 'reminder') return remind(step.seq);
    if (step.kind === 'bucket') return bucketCrossed(step.seq, step.bucket);
    if (step.kind === 'delinquency' || step.kind === 'month_end') return thresholdReached(step);
    const date = today();
    if (step.slot === 0) {
      // The installment falls due: its charges become receivable and credit held pays first.
      commit(fallDue(inService(), step.seq, date));
      commit(useCredit(inService(), step.seq, date));
      changed = true;
    }
    await autopay(step.seq, `${step.seq}:${step.slot}`, { slot: step.slot }, date);
    const installment = inService().installments.find((i) => i.seq === step.seq);
    if (step.last && installment && openOf(installment) > 0) missedInstallment(step.seq);
  }

  async function remind(seq: number): Promise<void> {
    const installment = inService().installments.find((i) => i.seq === seq);
    if (!installment || openOf(installment) === 0) return;
    let sent = true;
    try {
      await provider.notifyBorrower({
        idempotencyKey: `${input.loanId}:reminder:${seq}`,
        channel: 'sms',
        to: input.borrower.phone,
        template: 'loan.installment_due',
        params: {
          dueDate: installment.dueDate,
          amount: formatMajor(openOf(installment)),
          currency: input.principal.currency,
        },
      });
    } catch (err) {
      sent = false;
      log.warn('reminder not sent', { loanId: input.loanId, seq, error: (err as Error).message });
    }
    s.reminders.push({ seq, at: new Date(Date.now()).toISOString(), sent });
  }

  /** One debit per slot for everything due by today; its key names the slot, so a retry never debits twice. */
  async function autopay(
    seq: number,
    slotKey: string,
    tag: { slot: number; retryId?: string },
    date: string,
  ): Promise<void> {
    lateChargesToDate();
    const amount = owedBy(inService(), date);
    if (amount === 0 || !autopayCard) return;
    let result: DebitResult | { status: 'failed'; reason: string };
    try {
      result = await provider.debitAutopay({
        idempotencyKey: `${input.loanId}:autopay:${slotKey}`,
        amountMinor: amount,
        currency: input.principal.currency,
        fromCard: autopayCard,
        dueDate: date,
      });
    } catch (err) {
      result = { status: 'failed', reason: providerCodeOf(err) };
    }
    const attempt: AutopayAttempt = {
      seq,
      ...tag,
      at: new Date(Date.now()).toISOString(),
      amount,
      result: result.status,
    };
    if (result.status === 'succeeded') {
      const paymentId = `autopay:${slotKey}`;
      const received = result.amountMinor;
      Object.assign(attempt, { paymentId, amount: received });
      const problem = guarded(paymentId, () => takePayment(paymentId, received, 'autopay'));
      if (problem)
        s.exceptions.push({ eventId: `${input.loanId}:autopay:${slotKey}`, paymentId, reason: problem });
    } else {
      attempt.reason = result.reason;
    }
    s.autopayAttempts.push(attempt);
    changed = true;
  }

  /**
   * Seam for the collection issue: bureau reporting and the collection child workflow start here. Today
   * the loan shows as delinquent (see currentStatus) and keeps taking repayments.
   */
  function missedInstallment(seq: number): void {
    log.info('installment unpaid after the last autopay attempt', { loanId: input.loanId, seq });
    s.everLate = true;
    changed = true;
  }

  /** Seam for the collection issue (late fee and penalty after grace, strategy by bucket); today the new DPD and bucket are published. */
  function bucketCrossed(seq: number, bucket: string): void {
    log.info('loan entered a new delinquency bucket', { loanId: input.loanId, seq, bucket });
    changed = true;
  }

  async function close(): Promise<void> {
    await flush();
    await giveBackLimit('settled');
    if (collects) await keepStanding();
    await persist();
  }

  // ---- delinquency, collection and write-off ------------------------------------------------------

  /** A grace end, bucket boundary, write-off day or month end: charges are brought to date and posted. */
  function thresholdReached(step: Extract<ServicingStep, { kind: 'delinquency' | 'month_end' }>): void {
    lateChargesToDate();
    if (step.kind === 'delinquency' && step.changes.some((c) => c.kind === 'write_off')) writeOff();
    changed = true;
  }

  /** Late fee and penalty interest to today, capped so the loan's APR stays within the product's cap. */
  function lateChargesToDate(): void {
    if (!collects || !s.book || !s.disbursement || s.status === 'written_off') return;
    const charged = commit(bringLateChargesUpToDate(s.book, product, sv().charges, today(), capContext()));
    sv().charges = charged.state;
  }

  function chargedBook(): LoanBook {
    const book = inService();
    if (!collects || !s.disbursement) return book;
    return bringLateChargesUpToDate(book, product, sv().charges, today(), capContext()).book;
  }

  function capContext() {
    const d = s.disbursement!;
    return {
      disbursed: { date: d.date, amount: d.netAmount },
      payments: Object.values(s.payments)
        .filter((p) => !p.reversed)
        .map((p) => ({ date: p.record.date, amount: p.record.amount })),
    };
  }

  /** What is left moves off the books; the risk reserve booked at disbursement absorbs it first. */
  function writeOff(): void {
    const book = inService();
    commit(writeOffBook(book, today(), price(book.startDate).riskReserve));
    s.status = 'written_off';
    sv().writtenOffOn = today();
    log.info('loan written off', { loanId: input.loanId, dpd: policy.writeOffDpd });
  }

  /** Collection asked for another debit (M1): one attempt per retry id, keyed by it. */
  async function retryDebit(retryId: string): Promise<void> {
    const r = sv().retries;
    r.pending = r.pending.filter((id) => id !== retryId);
    r.done.push(retryId);
    const oldest = inService().installments.find((i) => openOf(i) > 0);
    if (s.status === 'delinquent' && oldest)
      await autopay(oldest.seq, `retry:${retryId}`, { slot: -1, retryId }, today());
    changed = true;
  }

  /** A written-off loan still takes recoveries for a while; then its workflow completes. */
  async function awaitRecoveries(): Promise<boolean> {
    const end = instantOfLocal(
      addDays(sv().writtenOffOn ?? today(), settings.recoveryDays),
      '00:00',
      input.timeZone,
    );
    if (Date.now() >= end) return false;
    await condition(() => changed || historyIsLong(), end - Date.now(), { summary: 'recovery window' });
    return true;
  }

  /** After every change: collection, the line and the bureau hear what they need to. */
  async function keepStanding(): Promise<void> {
    const v = view();
    await standing(
      {
        input,
        bureauReportFromDpd: settings.bureauReportFromDpd,
        ...(settings.collection ? { collection: settings.collection } : {}),
        servicing: sv(),
        book: inService(),
        today: today(),
        receivedTotal: receivedTotal(),
      },
      v,
    );
  }

  function extensionContext(book: LoanBook) {
    const { dpd } = delinquencyOn(book, today());
    return {
      today: today(),
      used: Object.keys(s.servicing?.extensions ?? {}).length,
      dpd,
      stage: s.status === 'written_off' ? ('written_off' as const) : bucketFor(dpd).stage,
      paidInstallments: book.installments.filter((i) => openOf(i) === 0).length,
    };
  }

  function receivedTotal(): number {
    return Object.values(s.payments).reduce((sum, p) => (p.reversed ? sum : sum + p.record.amount), 0);
  }

  /**
   * The caller hears back once what its handler booked is on the books. The main loop posts: activities
   * run from one place only, so replay sees their results in the order the first run did.
   */
  async function posted(): Promise<void> {
    const pending = new Set(s.outbox.map((e) => e.sourceEventId));
    await condition(() => !s.outbox.some((e) => pending.has(e.sourceEventId)));
  }

  function takePayment(
    paymentId: string,
    amount: number,
    channel: string,
    mode?: RepaymentRequest['mode'],
  ): RepaymentResult {
    if (s.status === 'written_off') return recover(paymentId, amount, channel);
    lateChargesToDate();
    const booked =
      settlementPayment(paymentId, amount) ??
      applyPayment(inService(), { paymentId, amount, date: today(), ...(mode ? { mode } : {}) });
    commit(booked);
    const answer = answerOf(booked.result);
    s.payments[paymentId] = { record: booked.result, answer, channel, reversed: false };
    changed = true;
    return answer;
  }

  /** Money after write-off is recovery income; the contract's figures stay as they were written off. */
  function recover(paymentId: string, amount: number, channel: string): RepaymentResult {
    const r = commit(recoverPayment(inService(), { paymentId, amount, date: today() }));
    const none = { penalty: 0, fees: 0, interest: 0, principal: 0 };
    const record: PaymentRecord = {
      paymentId,
      amount,
      date: today(),
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
      recovery: r,
      outstanding: money(0),
      creditBalance: money(0),
      status: 'written_off',
    };
    s.payments[paymentId] = { record, answer, channel, reversed: false };
    changed = true;
    return answer;
  }

  /**
   * An approved settlement closes the loan when the agreed amount has arrived by its date: the payment
   * that completes it settles in full and the rest of the interest and penalty is waived.
   */
  function settlementPayment(paymentId: string, amount: number): Booked<PaymentRecord> | null {
    const terms = s.servicing?.settlement;
    if (!collects || !terms || today() > terms.payBy) return null;
    if (terms.received + amount < terms.amount.amount) {
      terms.received += amount;
      return null;
    }
    try {
      const settled = settleWithWaiver(inService(), { paymentId, amount, date: today() });
      sv().settledBy = terms.offerId;
      sv().settlement = null;
      log.info('loan settled', {
        loanId: input.loanId,
        offerId: terms.offerId,
        waived: settled.result.waived,
      });
      return { ...settled, result: settled.result.record };
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      log.warn('settlement payment applied as a repayment', { loanId: input.loanId, error: err.message });
      terms.received += amount;
      return null;
    }
  }

  function servingOrRefuse(statuses: LoanStatus[] = ['active', 'delinquent']): LoanBook {
    if (!s.book || !statuses.includes(s.status))
      throw refused(
        'loan',
        'loan_not_in_service',
        `the loan is ${s.status}; only an ${statuses.join(' or ')} loan takes this`,
      );
    return s.book;
  }

  function checkRepayment(req: RepaymentRequest): void {
    const known = s.payments[req.paymentId];
    if (known) {
      if (known.record.amount !== req.amount.amount) {
        throw new DomainError(
          'paymentId',
          `payment ${req.paymentId} was already made with another amount`,
          'conflict',
        );
      }
      return;
    }
    if (!req.paymentId?.trim() || RESERVED_PAYMENT_IDS.test(req.paymentId))
      throw new DomainError(
        'paymentId',
        'a payment id is required and must not start with autopay: or credit:',
      );
    const book = s.book;
    const open: LoanStatus[] = collects ? ['active', 'delinquent', 'written_off'] : ['active', 'delinquent'];
    if (!book || !open.includes(s.status)) {
      throw new DomainError(
        'loan',
        `the loan is ${s.status}; only an ${open.join(' or ')} loan takes repayments`,
        'loan_not_in_service',
      );
    }
    if (req.amount.currency !== book.currency)
      throw new DomainError('amount.currency', `must be ${book.currency}`);
    if (!Number.isSafeInteger(req.amount.amount) || req.amount.amount <= 0)
      throw new DomainError('amount.amount', 'must be a positive integer of minor units');
    if (s.status === 'written_off') {
      recoverPayment(book, { paymentId: req.paymentId, amount: req.amount.amount, date: today() });
      return;
    }
    const charged = chargedBook();
    const payoff = payoffOf(charged, today());
    if (req.amount.amount > payoff.amount) {
      throw new DomainError(
        'amount.amount',
        `exceeds the ${payoff.amount} minor units that settle the loan today`,
        'over_payoff',
      );
    }
    applyPayment(charged, {
      paymentId: req.paymentId,
      amount: req.amount.amount,
      date: today(),
      ...(req.mode ? { mode: req.mode } : {}),
    });
  }

  /** Answers what went wrong when the callback cannot be applied; each event id arrives here once. */
  function onCallback(cb: PaymentCallback): string | null {
    const recovering = s.status === 'written_off' && collects && cb.kind === 'success';
    if (!s.book || (s.status !== 'active' && s.status !== 'delinquent' && !recovering))
      return `the loan is ${s.status}`;
    if (cb.amount.currency !== s.book.currency)
      return `currency ${cb.amount.currency} is not the loan's ${s.book.currency}`;
    const known = s.payments[cb.paymentId];
    if (cb.kind === 'success') {
      // A success for a payment already applied (by the update, or an earlier callback) changes nothing.
      if (known || !(cb.amount.amount > 0)) return known ? null : 'a success must carry a positive amount';
      return guarded(cb.paymentId, () => takePayment(cb.paymentId, cb.amount.amount, 'callback'));
    }
    if (!known) return `no payment ${cb.paymentId} to reverse`;
    if (known.reversed) return null;
    if (known.record.amount !== cb.amount.amount)
      return `a reversal of ${cb.amount.amount} does not match the payment of ${known.record.amount}`;
    return guarded(cb.paymentId, () => {
      commit(reversePayment(inService(), known.record, cb.eventId, today()));
      known.reversed = true;
    });
  }

  /** A rule that refuses a payment the provider already made must not wedge the workflow: it is recorded for a person. */
  function guarded(paymentId: string, fn: () => unknown): string | null {
    try {
      fn();
      return null;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      log.warn('payment not applied', { loanId: input.loanId, paymentId, error: err.message });
      return err.message;
    }
  }

  function answerOf(r: PaymentRecord): RepaymentResult {
    return {
      paymentId: r.paymentId,
      kind: r.kind,
      allocation: allocationSummary(r),
      ...(r.prepayment ? { prepayment: r.prepayment } : {}),
      outstanding: money(position(inService()).outstanding),
      creditBalance: money(inService().creditBalance),
      status: currentStatus(),
    };
  }

  function commit<R>(booked: Booked<R>): R {
    s.book = booked.book;
    s.outbox.push(...booked.entries);
    return booked.result;
  }

  async function flush(): Promise<void> {
    if (s.outbox.length === 0) return;
    const posted = new Set(await books.postJournal([...s.outbox]));
    s.outbox = s.outbox.filter((e) => !posted.has(e.sourceEventId));
  }

  async function persist(): Promise<void> {
    s.version += 1;
    const v = view();
    index(v);
    setCurrentDetails(
      [
        `**${v.status}** · ${v.bucket} · DPD ${v.dpd}`,
        `outstanding ${(v.outstanding.amount / 100).toFixed(2)} ${v.outstanding.currency} · credit ${(v.creditBalance.amount / 100).toFixed(2)}`,
        v.nextDue
          ? `next due #${v.nextDue.seq} on ${v.nextDue.dueDate}: ${(v.nextDue.amount / 100).toFixed(2)}`
          : 'nothing due',
        v.exceptions.length ? `${v.exceptions.length} callback(s) for an operator` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
    await books.saveLoan(v);
  }

  /** Operators filter loans by these in the Temporal UI; upserted only when they change, to keep history short. */
  function index(v: LoanView): void {
    const key = `${v.status}|${v.bucket}|${v.dpd}`;
    if (key === indexed) return;
    indexed = key;
    upsertSearchAttributes([
      { key: LoanStatusKey, value: v.status },
      { key: DpdBucket, value: v.bucket },
      { key: Dpd, value: v.dpd },
      { key: ProductCode, value: input.productCode },
      { key: CustomerId, value: input.customerId },
      { key: CreditLineId, value: input.creditLineId },
    ]);
  }

  async function giveBackLimit(reason: LimitRelease['reason']): Promise<void> {
    try {
      await getExternalWorkflowHandle(creditLineWorkflowId(input.creditLineId)).signal(releaseLimit, {
        loanId: input.loanId,
        amount: input.principal,
        reason,
        clean: !s.everLate,
      });
    } catch (err) {
      // A line that no longer runs holds no limit to give back; the loan must not fail over it.
      log.warn('credit line not signalled', {
        loanId: input.loanId,
        creditLineId: input.creditLineId,
        reason,
        error: (err as Error).message,
      });
    }
  }

  function currentStatus(): LoanStatus {
    const book = s.book;
    if (!book || (s.status !== 'active' && s.status !== 'delinquent')) return s.status;
    if (isSettled(book)) return 'closed';
    return book.installments.some((i) => isLate(i, cal, s.watermark)) ? 'delinquent' : 'active';
  }

  function view(): LoanView {
    const snap = snapshotOf(s.book, cal, s.watermark, today());
    return {
      id: input.loanId,
      creditLineId: input.creditLineId,
      customerId: input.customerId,
      productCode: input.productCode,
      method: input.method,
      annualRate: input.annualRate,
      termMonths: input.termMonths,
      status: currentStatus(),
      principal: input.principal,
      ...snap,
      stage: s.status === 'written_off' ? 'written_off' : bucketFor(snap.dpd).stage,
      outstanding: money(snap.outstanding),
      creditBalance: money(snap.creditBalance),
      autopayAttempts: s.autopayAttempts,
      reminders: s.reminders,
      payments: Object.values(s.payments).map(({ record: r, reversed }) => ({
        paymentId: r.paymentId,
        amount: r.amount,
        date: r.date,
        kind: r.kind,
        reversed,
      })),
      disbursement: s.disbursement,
      failure: s.failure,
      exceptions: s.exceptions,
      ...(s.servicing ? servicingView(s.servicing) : {}),
      ledgerPending: s.outbox.length,
      version: s.version,
    };
  }

  function servicingView(
    x: Servicing,
  ): Pick<LoanView, 'lateCharges' | 'extensions' | 'settlement' | 'closedAs' | 'writtenOff'> {
    const written = s.book?.writtenOff;
    return {
      lateCharges: {
        lateFees: x.charges.lateFeeCharged.length,
        penaltyThrough: x.charges.penaltyThrough,
        capped: x.charges.capped,
      },
      extensions: Object.values(x.extensions),
      settlement: x.settlement,
      closedAs: currentStatus() === 'closed' ? (x.settledBy ? 'settled' : 'paid') : null,
      writtenOff: written
        ? {
            date: written.date,
            amount: written.principal + written.interest + written.fees + written.penalty,
            recovered: written.recovered,
          }
        : null,
    };
  }

  function inService(): LoanBook {
    if (!s.book)
      throw ApplicationFailure.nonRetryable(`the loan is ${s.status}; it has no schedule`, 'DomainError', {
        field: 'loan',
        code: 'loan_not_in_service',
      });
    return s.book;
  }

  function price(startDate: string) {
    try {
      return priceLoan(product, {
        amount: input.principal.amount,
        currency: input.principal.currency,
        termCount: input.termMonths,
        method: input.method,
        annualRate: input.annualRate,
        startDate,
      });
    } catch (err) {
      if (err instanceof DomainError) throw new Refusal('TERMS_INVALID', `${err.field}: ${err.message}`);
      throw err;
    }
  }

  function today(): string {
    return localDateAt(Date.now(), input.timeZone);
  }

  function money(amount: number): Money {
    return { amount, currency: input.principal.currency };
  }

  function historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= settings.historyLimit;
  }

  async function continueAsNewNow(): Promise<never> {
    // Repayment handlers wait for their postings, so keep posting until none is left waiting.
    while (!allHandlersFinished()) {
      await flush();
      await condition(() => allHandlersFinished() || s.outbox.length > 0);
    }
    return continueAsNew<typeof loan>(input, {
      ...(run.settings ? { settings: run.settings } : {}),
      carried: s,
    });
  }
}

/** A reason the loan cannot go ahead before any money moved. */
class Refusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Only a definite "no" may be compensated. A refusal the bank gave (non-retryable) paid nothing; a key
 * that already paid a different payout means money may be out, which needs a person, not a release.
 */
function refusalOf(err: unknown): { code: string; message: string } {
  if (err instanceof Refusal) return { code: err.code, message: err.message };
  if (
    err instanceof ActivityFailure &&
    err.cause instanceof ApplicationFailure &&
    err.cause.type === 'ProviderNonRetryableError'
  ) {
    const code = providerCodeOf(err);
    if (code !== 'IDEMPOTENCY_CONFLICT') return { code, message: err.cause.message };
    throw ApplicationFailure.nonRetryable(
      `the disbursement key already paid a different payout: ${err.cause.message}`,
      'DisbursementConflict',
    );
  }
  throw err;
}

function providerCodeOf(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure) {
    const detail = cause.details?.[0] as { code?: unknown } | undefined;
    return typeof detail?.code === 'string' ? detail.code : (cause.type ?? 'PROVIDER_ERROR');
  }
  return 'PROVIDER_ERROR';
}
