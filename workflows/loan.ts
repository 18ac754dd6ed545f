import {
  allHandlersFinished,
  CancellationScope,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  sleep,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { LoanActivities } from '../activities/loan';
import type { DebitResult, Payout } from '../contracts/providers/bank';
import { DEFAULT_BUCKETS, DEFAULT_POLICY, type DelinquencyPolicy } from '../domain/delinquency';
import { nextServicingStep, type ServicingStep } from '../domain/delinquency-agenda';
import { writeOffBook } from '../domain/write-off';
import { disbursementEntry } from '../domain/ledger';
import { bookRefund, refundableCredit } from '../domain/refund';
import {
  type AgendaStep,
  allocationOrderOf,
  checkCalendar,
  contactDeadline,
  nextContactOpening,
  fallDue,
  openBook,
  openOf,
  owedBy,
  useCredit,
} from '../domain/loan';
import { addDays, instantOfLocal, localDateAt } from '../domain/localdate';
import { formatMajor } from '../domain/money';
import { getProduct } from '../domain/products';
import { continueAsNewOnceHandled, historyIsLong, nextRun, type Run } from './continue-as-new';
import { asFailure } from './failures';
import { bucketCrossed, loanBucketsBeforeSeed, stepBeforeCollection } from './legacy';
import {
  commit,
  currentStatus,
  DEFAULT_SETTINGS,
  inService,
  type LoanContext,
  type LoanSettings,
  type LoanState,
  newLoanState,
  servicing,
  today,
} from './loan-context';
import { checkExtensionRequest, extend } from './loan-extension';
import {
  type AutopayAttempt,
  extendLoan,
  getLoan,
  getPayment,
  type LoanView,
  paymentCallback,
  payoffQuote,
  repay,
  retryAutopay,
  settlementApproved,
  type LoanInput,
} from '../contracts/loan';
import {
  checkRepayment,
  quotePayoff,
  guarded,
  lateChargesToDate,
  onCallback,
  receivedTotal,
  takePayment,
} from './loan-payments';
import { price, providerCodeOf, Refusal, refusalBeforePayout, refusalOf } from './loan-refusals';
import { keepStanding as standing } from './loan-standing';
import { detailsOf, loanView, searchAttributesOf } from './loan-view';
import { creditLineWorkflowId, type LimitRelease, releaseLimit } from '../contracts/credit-line';
import { PATCH } from './patches';
import { retry, untilDone } from './retry-policies';
import { providerActivities } from './task-queues';

export type { LoanSettings, LoanState } from './loan-context';

export type LoanRun = Run<LoanSettings, LoanState>;

const checks = proxyActivities<LoanActivities>({
  startToCloseTimeout: '30 seconds',
  retry,
  summary: 'pre-disbursement check',
});
/**
 * Payouts go through the bank's own task queue (workflows/task-queues.ts), under the rate the bank
 * accepts from all workers together. One whose outcome is unknown is asked again with the same key
 * until the bank answers: giving up could only pay twice or free a limit still in use. The activity
 * heartbeats while the bank holds the call (activities/heartbeat.ts), so a dead worker's payout is
 * retried in seconds. Built per run: the queue is named after the run's own.
 */
const payouts = (summary: string) =>
  providerActivities<LoanActivities>('bank', {
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '10 seconds',
    retry: untilDone,
    summary,
  });
/** Calls made many times in a loan's life, short and idempotent by key, whose repeat with other inputs moves no money: as local activities each costs one history event. */
const provider = proxyLocalActivities<LoanActivities>({ startToCloseTimeout: '30 seconds', retry });
/** The books must catch up eventually; a database outage is waited out, never turned into a failed loan. */
const books = proxyLocalActivities<LoanActivities>({ startToCloseTimeout: '30 seconds', retry: untilDone });

/**
 * A loan (借据): pre-disbursement checks → disbursement (compensated by releasing the line's limit if the
 * bank refuses) → schedule, ledger, read model → per installment a reminder, autopay attempts on the due
 * day and repayments at any time → closed when nothing is owed, giving the limit back to the line.
 */
export async function loan(input: LoanInput, run: LoanRun = {}): Promise<LoanView> {
  const settings = { ...DEFAULT_SETTINGS, ...run.settings };
  const product = getProduct(input.productCode);
  const bank = payouts('bank payout');
  const refunds = payouts('credit refund');
  /**
   * A debit is asked under its slot's key until the bank answers, like a payout, and as a server
   * activity: its amount is in the history before the bank is called. A local activity calls the bank
   * before anything is recorded, so after a crash the next task (later, with more charges due) asked
   * again under the same key for another amount, and the first debit went unbooked.
   */
  const debits = providerActivities<LoanActivities>('bank', {
    startToCloseTimeout: '30 seconds',
    retry: untilDone,
    summary: 'autopay debit',
  });
  const s: LoanState = run.carried ?? newLoanState();
  /** A loan keeps the buckets it began with for life, so a run carried on without any is an old one. */
  s.buckets ??=
    run.carried || !patched(PATCH.seedBuckets)
      ? loanBucketsBeforeSeed()
      : [...(product.buckets ?? DEFAULT_BUCKETS)];
  const cal = { timeZone: input.timeZone, ...settings, buckets: s.buckets };
  asFailure(() => checkCalendar(cal));
  const autopayCard = input.repaymentCard ?? (input.payee.kind === 'borrower' ? input.payee.bankCard : null);
  let indexed = '';
  let together: boolean | undefined;
  /**
   * Late charges, collection, extension, settlement and write-off came after loans were already running:
   * a run begun before them keeps the first agenda (workflows/legacy.ts) until it continues as new.
   */
  const collects = patched(PATCH.delinquencyCollection);
  const policy: DelinquencyPolicy = {
    ...DEFAULT_POLICY,
    graceDays: product.graceDays,
    writeOffDpd: settings.writeOffDpd,
    buckets: s.buckets,
  };
  const ctx: LoanContext = { input, product, cal, collects, s, changed: true };
  const view = (): LoanView => loanView(ctx);

  setHandler(getLoan, view);
  setHandler(getPayment, (paymentId) => s.payments[paymentId]?.answer ?? null);
  setHandler(payoffQuote, (date) => quotePayoff(ctx, date));
  // Temporal hands a signal or update to the loan before an activity result that arrives in the
  // same workflow task, so money sent as the payout lands would meet a loan still disbursing: it waits
  // for the payout's result and is then judged as usual (test/workflows/worker-shutdown.test.ts).
  const payoutDecided = () => condition(() => s.status !== 'disbursing');
  setHandler(
    repay,
    async (req) => {
      if (s.status === 'disbursing') {
        await payoutDecided();
        asFailure(() => checkRepayment(ctx, req));
      }
      const known = s.payments[req.paymentId];
      if (known) return known.answer;
      const answer = takePayment(ctx, req.paymentId, req.amount.amount, req.channel, req.mode);
      await posted();
      return answer;
    },
    { validator: (req) => asFailure(() => checkRepayment(ctx, req)) },
  );
  setHandler(paymentCallback, async (cb) => {
    if (s.callbackEvents.includes(cb.eventId)) return;
    s.callbackEvents.push(cb.eventId);
    if (s.status === 'disbursing') await payoutDecided();
    const problem = onCallback(ctx, cb);
    if (problem) {
      log.warn('payment callback needs a person', { loanId: input.loanId, eventId: cb.eventId, problem });
      s.exceptions.push({ eventId: cb.eventId, paymentId: cb.paymentId, reason: problem });
    }
    ctx.changed = true;
  });
  setHandler(
    extendLoan,
    async (req) => {
      const known = s.servicing?.extensions[req.extensionId];
      if (known) return known;
      const result = extend(ctx, req);
      await posted();
      return result;
    },
    { validator: (req) => checkExtensionRequest(ctx, req) },
  );
  setHandler(retryAutopay, ({ retryId }) => {
    const r = servicing(ctx).retries;
    if (r.done.includes(retryId) || r.pending.includes(retryId)) return;
    r.pending.push(retryId);
    ctx.changed = true;
  });
  setHandler(settlementApproved, (terms) => {
    if (terms.amount.currency !== input.principal.currency)
      return void log.warn('settlement in another currency ignored', { offerId: terms.offerId });
    servicing(ctx).settlement = { ...terms, received: 0 };
    ctx.changed = true;
  });

  if (s.status === 'disbursing') await disburse();
  if (s.status === 'active' || s.status === 'delinquent') await serve();
  else if (s.status === 'closed' && s.lateReceiptsUntil !== undefined) await takeLateReceipts();
  await condition(allHandlersFinished);
  return view();

  async function disburse(): Promise<void> {
    const compensations: (() => Promise<void>)[] = [];
    let payout: Payout;
    let payoutAsked = false;
    await persist(); // listed as disbursing from the start
    try {
      // Registered before anything can stop the loan: a loan that never pays out holds no limit.
      compensations.push(() => giveBackLimit('disbursement_failed'));
      const screening = await checks.screenBorrower({ ...input.borrower, bankCard: input.payee.bankCard });
      if (screening.listed === 'blacklist')
        throw new Refusal('BLACKLISTED', `the borrower is blacklisted (${screening.matchedOn})`);
      // A fraud re-check joins the blacklist refresh here once a fraud provider exists.
      const priced = price(product, input, today(ctx));
      payoutAsked = true;
      payout = await bank.disburse({
        idempotencyKey: `${input.loanId}:disbursement`,
        amountMinor: priced.quote.netDisbursed,
        currency: input.principal.currency,
        toCard: input.payee.bankCard,
        payee: input.payee.kind,
      });
    } catch (err) {
      s.failure = payoutAsked ? refusalOf(err) : refusalBeforePayout(err);
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
    const startDate = today(ctx);
    const { quote, riskReserve } = price(product, input, startDate);
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
    s.riskReserve = riskReserve;
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
    const wake = () => ctx.changed || historyIsLong(settings.historyLimit);
    for (;;) {
      s.status = currentStatus(ctx);
      if (s.status === 'closed') return close();
      // A change is saved with its entries in one local activity (persist); only a run begun before
      // that posts them on their own first.
      if (!ctx.changed || !recordsTogether()) await flush();
      if (ctx.changed) {
        ctx.changed = false;
        await keepStanding();
        await persist();
        continue;
      }
      if (historyIsLong(settings.historyLimit)) return continueAsNewNow();
      if (collects && servicing(ctx).retries.pending.length > 0) {
        await retryDebit(servicing(ctx).retries.pending[0]!);
        continue;
      }
      if (s.status === 'written_off') {
        if (await awaitRecoveries()) continue;
        return;
      }
      const step = collects
        ? nextServicingStep(inService(ctx), cal, policy, s.watermark)
        : stepBeforeCollection(inService(ctx), ctx);
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
    if (step.kind === 'bucket') return bucketCrossed(ctx, step);
    if (step.kind === 'delinquency' || step.kind === 'month_end') return thresholdReached(step);
    const date = today(ctx);
    if (step.slot === 0) {
      // The installment falls due: its charges become receivable and credit held pays first.
      commit(ctx, fallDue(inService(ctx), step.seq, date));
      commit(ctx, useCredit(inService(ctx), step.seq, date));
      ctx.changed = true;
    }
    await autopay(step.seq, `${step.seq}:${step.slot}`, { slot: step.slot }, date);
    const installment = inService(ctx).installments.find((i) => i.seq === step.seq);
    if (step.last && installment && openOf(installment) > 0) missedInstallment(step.seq);
  }

  async function remind(seq: number): Promise<void> {
    const due = inService(ctx).installments.find((i) => i.seq === seq)?.dueDate;
    for (let again = false; ; again = true) {
      // Again after a refusal as too late: not before the hours of another day, whatever the gateway's clock said.
      const from = again ? Date.parse(contactDeadline(Date.now(), input.timeZone)) : Date.now();
      const opens = nextContactOpening(from, input.timeZone);
      if (opens > Date.now() && (again || patched(PATCH.remindInsideContactHours))) {
        // One that could arrive only on its due day or later reminds no one (a loan catching up on
        // months, or an outage of days): the due day's own messages take over.
        if (!due || localDateAt(opens, input.timeZone) >= due) {
          if (again) s.reminders.push({ seq, at: new Date(Date.now()).toISOString(), sent: false });
          return;
        }
        await sleep(opens - Date.now(), { summary: `reminder of installment ${seq}: contact hours` });
      }
      const installment = inService(ctx).installments.find((i) => i.seq === seq);
      if (!installment || openOf(installment) === 0) return;
      try {
        await provider.notifyBorrower({
          idempotencyKey: `${input.loanId}:reminder:${seq}`,
          channel: 'sms',
          to: input.borrower.phone,
          template: 'loan.installment_due',
          notAfter: contactDeadline(Date.now(), input.timeZone),
          params: {
            dueDate: installment.dueDate,
            amount: formatMajor(openOf(installment)),
            currency: input.principal.currency,
          },
        });
        s.reminders.push({ seq, at: new Date(Date.now()).toISOString(), sent: true });
        return;
      } catch (err) {
        log.warn('reminder not sent', { loanId: input.loanId, seq, error: (err as Error).message });
        // The gateway answered only after the day's contact hours (its retries ran past them): the
        // next morning still reminds, if that is before the due day.
        const late = providerCodeOf(err) === 'DELIVERY_WINDOW_PASSED';
        if (late && patched(PATCH.remindInNextContactHours)) continue;
        s.reminders.push({ seq, at: new Date(Date.now()).toISOString(), sent: false });
        return;
      }
    }
  }

  /** One debit per slot for everything due by today; its key names the slot, so a retry never debits twice. */
  async function autopay(
    seq: number,
    slotKey: string,
    tag: { slot: number; retryId?: string },
    date: string,
  ): Promise<void> {
    lateChargesToDate(ctx);
    const amount = owedBy(inService(ctx), date);
    if (amount === 0 || !autopayCard) return;
    let result: DebitResult | { status: 'failed'; reason: string };
    try {
      const bankDebit = patched(PATCH.debitAsActivity) ? debits : provider;
      result = await bankDebit.debitAutopay({
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
      const problem = guarded(ctx, paymentId, () => takePayment(ctx, paymentId, received, 'autopay'));
      if (problem)
        s.exceptions.push({ eventId: `${input.loanId}:autopay:${slotKey}`, paymentId, reason: problem });
    } else {
      attempt.reason = result.reason;
    }
    s.autopayAttempts.push(attempt);
    ctx.changed = true;
  }

  /** The loan turns delinquent (see currentStatus); the main loop then tells collection, the line and the bureau. */
  function missedInstallment(seq: number): void {
    log.info('installment unpaid after the last autopay attempt', { loanId: input.loanId, seq });
    s.everLate = true;
    ctx.changed = true;
  }

  async function close(): Promise<void> {
    // What changed so far is saved below; a callback arriving from here on wakes the late receipts.
    ctx.changed = false;
    // Decided before the first await, so a callback arriving while the loan closes is already taken.
    if (s.lateReceiptsUntil === undefined && patched(PATCH.lateReceiptsAfterClosure))
      s.lateReceiptsUntil = instantOfLocal(
        addDays(today(ctx), settings.lateReceiptDays),
        '00:00',
        input.timeZone,
      );
    await refundCredit();
    await flush();
    await giveBackLimit('settled');
    await keepStanding();
    await persist();
    if (s.lateReceiptsUntil !== undefined) await takeLateReceipts();
  }

  /**
   * Money a provider reports after the loan closed (a transfer that crossed the payoff, a bank that
   * settles days late) is still the borrower's. For `lateReceiptDays` the closed loan books it as
   * credit and pays it back to the card like the credit left at payoff; after that a callback finds
   * no loan and the provider's record is reconciled by hand.
   */
  async function takeLateReceipts(): Promise<void> {
    const until = s.lateReceiptsUntil!;
    const wake = () => ctx.changed || historyIsLong(settings.historyLimit);
    for (;;) {
      if (Date.now() >= until) return;
      if (!ctx.changed && !(await condition(wake, until - Date.now(), { summary: 'late receipts' }))) return;
      if (!ctx.changed) return continueAsNewNow();
      ctx.changed = false;
      await refundCredit();
      await flush();
      await persist();
    }
  }

  /**
   * Credit left once everything is paid is the borrower's: it goes back to the card autopay collects
   * from. A card-issuer loan started before repayment cards were kept has none, and a refused refund
   * keeps the credit: both wait for an operator as exceptions, the credit on the books until then.
   */
  async function refundCredit(): Promise<void> {
    const amount = refundableCredit(inService(ctx));
    if (amount === 0 || !patched(PATCH.refundCreditAtClosure)) return;
    const refundId = `refund:${(s.refunds?.length ?? 0) + 1}`;
    const eventId = `${input.loanId}:${refundId}`;
    // Asked again for each late receipt: a refund that waits for a person is listed once.
    const listed = (reason: string) => s.exceptions.some((e) => e.eventId === eventId && e.reason === reason);
    if (!autopayCard) {
      const reason = 'credit left but no borrower card to refund it to';
      if (!listed(reason)) s.exceptions.push({ eventId, paymentId: refundId, reason });
      return;
    }
    try {
      const payout = await refunds.refundCredit({
        idempotencyKey: eventId,
        amountMinor: amount,
        currency: input.principal.currency,
        toCard: autopayCard,
        payee: 'borrower',
      });
      const date = today(ctx);
      commit(ctx, bookRefund(inService(ctx), { refundId, amount, date }));
      s.refunds = [...(s.refunds ?? []), { refundId, amount, payoutId: payout.payoutId, date }];
    } catch (err) {
      const reason = `refund refused: ${providerCodeOf(err)}`;
      if (!listed(reason)) s.exceptions.push({ eventId, paymentId: refundId, reason });
    }
  }

  // ---- delinquency, collection and write-off ------------------------------------------------------

  /** A grace end, bucket boundary, write-off day or month end: charges are brought to date and posted. */
  function thresholdReached(step: Extract<ServicingStep, { kind: 'delinquency' | 'month_end' }>): void {
    lateChargesToDate(ctx);
    if (step.kind === 'delinquency' && step.changes.some((c) => c.kind === 'write_off')) writeOff();
    ctx.changed = true;
  }

  /** What is left moves off the books; the risk reserve booked at disbursement absorbs it first. */
  function writeOff(): void {
    const book = inService(ctx);
    const reserve = s.riskReserve ?? price(product, input, book.startDate).riskReserve;
    commit(ctx, writeOffBook(book, today(ctx), reserve));
    s.status = 'written_off';
    servicing(ctx).writtenOffOn = today(ctx);
    log.info('loan written off', { loanId: input.loanId, dpd: policy.writeOffDpd });
  }

  /** Collection asked for another debit (M1): one attempt per retry id, keyed by it. */
  async function retryDebit(retryId: string): Promise<void> {
    const r = servicing(ctx).retries;
    r.pending = r.pending.filter((id) => id !== retryId);
    r.done.push(retryId);
    const oldest = inService(ctx).installments.find((i) => openOf(i) > 0);
    if (s.status === 'delinquent' && oldest)
      await autopay(oldest.seq, `retry:${retryId}`, { slot: -1, retryId }, today(ctx));
    ctx.changed = true;
  }

  /** A written-off loan still takes recoveries for a while; then its workflow completes. */
  async function awaitRecoveries(): Promise<boolean> {
    const end = instantOfLocal(
      addDays(servicing(ctx).writtenOffOn ?? today(ctx), settings.recoveryDays),
      '00:00',
      input.timeZone,
    );
    if (Date.now() >= end) return false;
    await condition(() => ctx.changed || historyIsLong(settings.historyLimit), end - Date.now(), {
      summary: 'recovery window',
    });
    return true;
  }

  /** After every change: collection, the line and the bureau hear what they need to. */
  async function keepStanding(): Promise<void> {
    // A run begun before collection existed tells none of them (patch `delinquency-collection`).
    if (!collects) return;
    const v = view();
    await standing(
      {
        input,
        bureauReportFromDpd: settings.bureauReportFromDpd,
        buckets: cal.buckets,
        ...(settings.collection ? { collection: settings.collection } : {}),
        servicing: servicing(ctx),
        book: inService(ctx),
        today: today(ctx),
        receivedTotal: receivedTotal(ctx),
      },
      v,
    );
  }

  // ---- the books and the read model --------------------------------------------------------------

  /**
   * The caller hears back once what its handler booked is on the books. The main loop posts: activities
   * run from one place only, so replay sees their results in the order the first run did.
   */
  async function posted(): Promise<void> {
    const pending = new Set(s.outbox.map((e) => e.sourceEventId));
    await condition(() => !s.outbox.some((e) => pending.has(e.sourceEventId)));
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
    setCurrentDetails(detailsOf(v));
    if (!recordsTogether()) return void (await books.saveLoan(v));
    // The view is saved in the transaction that posts the outbox, so it is saved with nothing pending.
    const entries = [...s.outbox];
    const booked = new Set(await books.recordLoan({ entries, view: { ...v, ledgerPending: 0 } }));
    s.outbox = s.outbox.filter((e) => !booked.has(e.sourceEventId));
  }

  /** Patch `post-with-save`: asked once per run, at its first save. */
  function recordsTogether(): boolean {
    together ??= patched(PATCH.postWithSave);
    return together;
  }

  /** Operators filter loans by these in the Temporal UI; upserted only when they change, to keep history short. */
  function index(v: LoanView): void {
    const key = `${v.status}|${v.bucket}|${v.dpd}`;
    if (key === indexed) return;
    indexed = key;
    upsertSearchAttributes(searchAttributesOf(input, v));
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

  function continueAsNewNow(): Promise<never> {
    // Repayment handlers wait for their postings, so keep posting until none is left waiting.
    return continueAsNewOnceHandled<typeof loan>([input, nextRun(run, s)], {
      drain: flush,
      more: () => s.outbox.length > 0,
    });
  }
}
