import { allHandlersFinished, condition, patched, setHandler } from '@temporalio/workflow';
import { DEFAULT_BUCKETS, DEFAULT_POLICY, type DelinquencyPolicy } from '../domain/delinquency';
import { nextServicingStep, type ServicingStep } from '../domain/delinquency-agenda';
import { type AgendaStep, checkCalendar } from '../domain/loan';
import { type LoanAnswer, receivedTotal, refuseRequest } from '../domain/loan-machine';
import { nextLoanAction } from '../domain/loan-scheduler';
import { addDays, instantOfLocal } from '../domain/localdate';
import { getProduct } from '../domain/products';
import { continueAsNewOnceHandled, historyIsLong, nextRun } from './continue-as-new';
import { asFailure } from './failures';
import { bucketCrossed, loanBucketsBeforeSeed, stepBeforeCollection } from './legacy';
import { autopay, retryDebit } from './loan-autopay';
import { flush, persist, posted, recordsTogether } from './loan-books';
import {
  apply,
  currentStatus,
  DEFAULT_SETTINGS,
  inService,
  type LoanContext,
  type LoanRun,
  type LoanState,
  newLoanState,
  servicing,
  today,
} from './loan-context';
import { disburse } from './loan-disbursement';
import {
  extendLoan,
  type ExtensionRequest,
  getLoan,
  getPayment,
  type LoanView,
  paymentCallback,
  payoffQuote,
  repay,
  type RepaymentRequest,
  retryAutopay,
  settlementApproved,
  type LoanInput,
} from '../contracts/loan';
import { refundCredit } from './loan-refunds';
import { price } from './loan-refusals';
import { keepRemindersAhead, remind } from './loan-reminders';
import { giveBackLimit, keepStanding as standing } from './loan-standing';
import { loanView, quotePayoff } from './loan-view';
import { PATCH } from './patches';

export type { LoanRun, LoanSettings, LoanState } from './loan-context';

/**
 * A loan (借据): pre-disbursement checks → disbursement (compensated by releasing the line's limit if the
 * bank refuses) → schedule, ledger, read model → per installment a reminder, autopay attempts on the due
 * day and repayments at any time → closed when nothing is owed, giving the limit back to the line.
 */
export async function loan(input: LoanInput, run: LoanRun = {}): Promise<LoanView> {
  const settings = { ...DEFAULT_SETTINGS, ...run.settings };
  const product = getProduct(input.productCode);
  const s: LoanState = run.carried ?? newLoanState();
  /** A loan keeps the buckets it began with for life, so a run carried on without any is an old one. */
  s.buckets ??=
    run.carried || !patched(PATCH.seedBuckets)
      ? loanBucketsBeforeSeed()
      : [...(product.buckets ?? DEFAULT_BUCKETS)];
  // A run begun before reminders went to the gateway ahead keeps waking for each (patch `reminders-with-gateway`).
  const gatewayReminders = patched(PATCH.remindersWithGateway);
  const cal = { timeZone: input.timeZone, ...settings, buckets: s.buckets, gatewayReminders };
  asFailure(() => checkCalendar(cal));
  const autopayCard = input.repaymentCard ?? (input.payee.kind === 'borrower' ? input.payee.bankCard : null);
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
  const ctx: LoanContext = {
    input,
    terms: { loanId: input.loanId, product, cal, currency: input.principal.currency, collects, autopayCard },
    settings,
    s,
    changed: true,
    saving: { indexed: '' },
  };
  const view = (): LoanView => loanView(ctx);
  /** Installments fallen due in this run (see `installmentsPerRun`). */
  let dueDays = 0;

  setHandler(getLoan, view);
  setHandler(getPayment, (paymentId) => s.payments[paymentId]?.answer ?? null);
  setHandler(payoffQuote, (date) => quotePayoff(ctx, date));
  // Temporal hands a signal or update to the loan before an activity result that arrives in the
  // same workflow task, so money sent as the payout lands would meet a loan still disbursing: it waits
  // for the payout's result and is then judged as usual (test/workflows/worker-shutdown.test.ts).
  const payoutDecided = () => condition(() => s.status !== 'disbursing');
  type Request = Parameters<typeof refuseRequest>[2];
  const check = (event: Request) => asFailure(() => refuseRequest(ctx.terms, s, event));
  /** A request the validator let through; one that met the payout still out is checked again once it is decided. */
  async function ask<E extends Request>(event: () => E): Promise<LoanAnswer<E>> {
    let step = asFailure(() => apply(ctx, event()));
    if (step.effects.some((e) => e.type === 'wait-for-payout')) {
      await payoutDecided();
      check(event());
      step = asFailure(() => apply(ctx, event()));
    }
    if (step.effects.some((e) => e.type === 'changed')) await posted(ctx);
    return step.answer!;
  }
  const repayment = (req: RepaymentRequest) => () =>
    ({ type: 'repayment', ...req, date: today(ctx) }) as const;
  setHandler(repay, (req) => ask(repayment(req)), { validator: (req) => check(repayment(req)()) });
  const extension = (req: ExtensionRequest) => () =>
    ({ type: 'extension', extensionId: req.extensionId, days: req.days, date: today(ctx) }) as const;
  setHandler(extendLoan, (req) => ask(extension(req)), { validator: (req) => check(extension(req)()) });
  setHandler(paymentCallback, async (cb) => {
    if (s.callbackEvents.includes(cb.eventId)) return;
    s.callbackEvents.push(cb.eventId);
    if (s.status === 'disbursing') await payoutDecided();
    apply(ctx, { type: 'callback', ...cb, date: today(ctx) });
  });
  setHandler(retryAutopay, ({ retryId }) => void apply(ctx, { type: 'retry-asked', retryId }));
  setHandler(settlementApproved, (terms) => void apply(ctx, { type: 'settlement-approved', terms }));

  if (s.status === 'disbursing') await disburse(ctx);
  if (s.status === 'active' || s.status === 'delinquent') await serve();
  else if (s.status === 'closed' && s.lateReceiptsUntil !== undefined) await takeLateReceipts();
  await condition(allHandlersFinished);
  return view();

  /** Sleeps until the next step of the agenda, waking early for repayments and callbacks (domain/loan-scheduler.ts). */
  async function serve(): Promise<void> {
    const wake = () => ctx.changed || historyIsLong(settings.historyLimit);
    for (;;) {
      s.status = currentStatus(ctx);
      // A change is saved with its entries in one local activity (persist); only a run begun before
      // that posts them on their own first.
      if (s.status !== 'closed' && (!ctx.changed || !recordsTogether(ctx))) await flush(ctx);
      if (gatewayReminders) await keepRemindersAhead(ctx);
      const action = nextLoanAction(
        {
          status: s.status,
          changed: ctx.changed,
          historyLong: historyIsLong(settings.historyLimit),
          runServed: dueDays >= settings.installmentsPerRun && patched(PATCH.continueEachYear),
          pendingRetry: collects ? servicing(ctx).retries.pending[0] : undefined,
          recoveryEnd: s.status === 'written_off' ? recoveryEnd() : undefined,
          now: Date.now(),
        },
        (): AgendaStep | ServicingStep | null =>
          collects
            ? nextServicingStep(inService(ctx), cal, policy, s.watermark)
            : stepBeforeCollection(inService(ctx), ctx),
      );
      switch (action.kind) {
        case 'close':
          return close();
        case 'save':
          ctx.changed = false;
          await keepStanding();
          await persist(ctx);
          continue;
        case 'continue_as_new':
          return continueAsNewNow();
        case 'retry_debit':
          await retryDebit(ctx, action.retryId);
          continue;
        case 'await_recoveries':
          await condition(wake, action.until - Date.now(), { summary: 'recovery window' });
          continue;
        case 'complete':
          return;
        case 'await_change':
          // Woken early, every step up to now belonged to an installment paid meanwhile: a reversal that
          // reopens one later does not replay its missed attempts. A late timer still catches up.
          await condition(wake);
          s.watermark = Math.max(s.watermark, Date.now());
          continue;
        case 'step': {
          const { step } = action;
          const summary = `${step.kind} of installment ${step.seq}`;
          if (step.at > Date.now() && (await condition(wake, step.at - Date.now(), { summary }))) {
            s.watermark = Math.max(s.watermark, Date.now());
            continue;
          }
          s.watermark = step.at;
          await perform(step);
        }
      }
    }
  }

  async function perform(step: AgendaStep | ServicingStep): Promise<void> {
    if (step.kind === 'reminder') return remind(ctx, step.seq);
    if (step.kind === 'bucket') return bucketCrossed(ctx, step);
    if (step.kind === 'delinquency' || step.kind === 'month_end') return thresholdReached(step);
    const date = today(ctx);
    if (step.slot === 0) {
      dueDays += 1;
      apply(ctx, { type: 'installment-due', seq: step.seq, date });
    }
    await autopay(ctx, step.seq, `${step.seq}:${step.slot}`, { slot: step.slot }, date);
    if (step.last) apply(ctx, { type: 'attempts-over', seq: step.seq });
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
    await refundCredit(ctx);
    await flush(ctx);
    await giveBackLimit(input, 'settled', !s.everLate);
    await keepStanding();
    await persist(ctx);
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
      await refundCredit(ctx);
      await flush(ctx);
      await persist(ctx);
    }
  }

  // ---- delinquency, collection and write-off ------------------------------------------------------

  /** A grace end, bucket boundary, write-off day or month end: charges are brought to date and posted. */
  function thresholdReached(step: Extract<ServicingStep, { kind: 'delinquency' | 'month_end' }>): void {
    const writesOff = step.kind === 'delinquency' && step.changes.some((c) => c.kind === 'write_off');
    // The risk reserve booked at disbursement absorbs the write-off first.
    const reserve = () => s.riskReserve ?? price(product, input, inService(ctx).startDate).riskReserve;
    apply(ctx, { type: 'threshold', date: today(ctx), writeOff: writesOff ? { reserve: reserve() } : null });
  }

  /** A written-off loan still takes recoveries for a while; then its workflow completes. */
  function recoveryEnd(): number {
    const writtenOffOn = servicing(ctx).writtenOffOn ?? today(ctx);
    return instantOfLocal(addDays(writtenOffOn, settings.recoveryDays), '00:00', input.timeZone);
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
        receivedTotal: receivedTotal(s),
      },
      v,
    );
  }

  function continueAsNewNow(): Promise<never> {
    // Repayment handlers wait for their postings, so keep posting until none is left waiting.
    return continueAsNewOnceHandled<typeof loan>([input, nextRun(run, s)], {
      drain: () => flush(ctx),
      more: () => s.outbox.length > 0,
    });
  }
}
