import {
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  type SignalDefinition,
} from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collection';
import {
  DEFAULT_STRATEGY,
  isContact,
  nextStrategyStep,
  parseStrategy,
  type StrategyStep,
} from '../domain/collection';
import {
  collectionEndedAs,
  collectionStatusWhile,
  dueAfterWait,
  planCollectionTurn,
} from '../domain/collection-scheduler';
import { contactDeadline } from '../domain/loan';
import { instantOfLocal } from '../domain/localdate';
import { formatMajor } from '../domain/money';
import { DEFAULT_SETTLEMENT_POLICY } from '../domain/settlement';
import { contactNow, count, recordCallOutcome, whenToPerform } from './collection-contacts';
import {
  type CollectionContext,
  type CollectionRun,
  type CollectionSettings,
  type CollectionState,
  today,
} from './collection-context';
import {
  type CollectionInput,
  type CollectionView,
  decideSettlement,
  delinquencyUpdate,
  getCollection,
  offerSettlement,
  promiseToPay,
  recordTaskOutcome,
} from '../contracts/collection';
import {
  checkPromiseRequest,
  openPromise,
  promiseDeadlineAt,
  recordPromise,
  resolvePromises,
} from './collection-promises';
import {
  checkDecision,
  checkOffer,
  lapseSettlements,
  makeOffer,
  markSettledOfferPaid,
  offerView,
  payByAt,
  recordDecision,
} from './collection-settlements';
import { collectionView, detailsOf } from './collection-view';
import { continueAsNewOnceHandled, DEFAULT_HISTORY_LIMIT, historyIsLong, nextRun } from './continue-as-new';
import { asFailure } from './failures';
import { PATCH } from './patches';
import { collectionBuckets } from './legacy';
import { retryAutopay, settlementApproved, loanWorkflowId } from '../contracts/loan';
import { retry } from './retry-policies';
import { providerActivities } from './task-queues';

export type { CollectionRun, CollectionSettings, CollectionState } from './collection-context';

const effects = proxyActivities<CollectionActivities>({
  startToCloseTimeout: '30 seconds',
  retry,
  summary: 'collection records',
});

/**
 * Collection (催收) of one delinquent loan, a child of the loan: works the strategy table bucket by bucket
 * (reminders and card retries in M1, collectors' calls in M2, an agency in M3, legal notice from M4),
 * contacting the borrower only within contact hours and a daily limit. A promise to pay pauses
 * escalation until its deadline; a settlement needs reviewers before the loan is told its terms. Ends
 * when the loan is cured, settled, written off or closed.
 */
export async function collection(input: CollectionInput, run: CollectionRun = {}): Promise<CollectionView> {
  const settings: CollectionSettings = {
    strategy: DEFAULT_STRATEGY,
    settlement: DEFAULT_SETTLEMENT_POLICY,
    historyLimit: DEFAULT_HISTORY_LIMIT,
    ...run.settings,
  };
  // A strategy from configuration is checked once, so a bad table fails the start, not a contact.
  const buckets = collectionBuckets(input.buckets);
  const strategy = asFailure(() => parseStrategy(settings.strategy, 'strategy', buckets));
  const s: CollectionState = run.carried ?? {
    status: 'active',
    latest: input.first,
    done: [],
    contactsByDay: {},
    contacts: [],
    openTasks: [],
    promises: [],
    promisedBy: {},
    settlements: [],
    agencyRef: null,
    legalNoticeOn: null,
  };
  const ctx: CollectionContext = { input, settings, strategy, s, changed: false };
  const view = (): CollectionView => collectionView(ctx);
  /** Names this delinquency episode in every key: a loan cured and late again is worked afresh. */
  const episode = input.first.oldestDueDate ?? input.first.asOf;
  // Messages and partner hand-offs go through the providers' own rate-limited queues.
  const notify = providerActivities<CollectionActivities>('notify', {
    startToCloseTimeout: '30 seconds',
    retry,
  });
  const partners = providerActivities<CollectionActivities>('agency', {
    startToCloseTimeout: '1 minute',
    retry,
  });

  setHandler(getCollection, view);
  setHandler(delinquencyUpdate, (u) => {
    s.latest = u;
    ctx.changed = true;
  });
  setHandler(recordTaskOutcome, (o) => recordCallOutcome(ctx, o));
  setHandler(promiseToPay, (req) => recordPromise(ctx, req), {
    validator: (req) => checkPromiseRequest(ctx, req),
  });
  setHandler(offerSettlement, (req) => makeOffer(ctx, req), {
    validator: (req) => checkOffer(ctx, req),
  });
  setHandler(
    decideSettlement,
    async (d) => {
      const { before, after } = recordDecision(ctx, d);
      if (after.status === 'approved' && before.status !== 'approved') {
        // The loan holds the book: it waives the rest only if the agreed amount arrives in time.
        await tellLoan(settlementApproved, {
          offerId: after.id,
          amount: { amount: after.amount, currency: input.currency },
          payBy: after.payBy,
        });
      }
      return offerView(ctx, after);
    },
    { validator: (d) => checkDecision(ctx, d) },
  );
  for (;;) {
    const endedAs = collectionEndedAs(s.latest);
    if (endedAs) {
      s.status = endedAs;
      break;
    }
    resolvePromises(ctx);
    lapseSettlements(ctx);
    const promiseOpen = openPromise(ctx) !== undefined;
    s.status = collectionStatusWhile(promiseOpen);
    publish();
    const plan = planCollectionTurn(
      {
        historyLong: historyIsLong(settings.historyLimit),
        promiseOpen,
        promiseDeadline: promiseDeadlineAt(ctx),
        payBy: payByAt(ctx),
      },
      () => {
        const next = nextStrategyStep(strategy, oldestDue(), today(ctx), s.done, buckets);
        return next && { step: next, at: whenToPerform(ctx, next.step, next.date) };
      },
    );
    if (plan.kind === 'continue_as_new') return continueAsNewNow();
    const { wakeAt, next } = plan;
    ctx.changed = false;
    if (wakeAt > Date.now()) {
      const wake = () => ctx.changed || historyIsLong(settings.historyLimit);
      if (wakeAt === Infinity) {
        await condition(wake);
        continue;
      }
      const summary =
        plan.wakeFor === 'step' && next
          ? `${next.step.step.kind} (DPD ${next.step.step.dpd})`
          : 'promise or settlement deadline';
      if (await condition(wake, wakeAt - Date.now(), { summary })) continue;
    }
    // Woken late (the workers were down at its slot): a contact goes only inside contact hours.
    const slotNow =
      next && isContact(next.step.step.kind)
        ? () => whenToPerform(ctx, next.step.step, next.step.date)
        : null;
    const due = dueAfterWait(next, Date.now(), slotNow);
    if (due === 'late' && patched(PATCH.contactSlotOnLateWake)) continue;
    if (next && due !== 'none') await perform(next.step.step, next.step.key);
  }
  await finish();
  return view();

  async function finish(): Promise<void> {
    markSettledOfferPaid(ctx);
    resolvePromises(ctx);
    await effects.closeCallTasks(input.loanId, s.status);
    s.openTasks = [];
    publish();
    await condition(allHandlersFinished);
  }

  async function perform(step: StrategyStep, key: string): Promise<void> {
    s.done.push(key);
    const id = `${input.loanId}:collection:${episode}:${key}`;
    switch (step.kind) {
      case 'sms':
      case 'push': {
        const c = contactNow(ctx, id, step.kind, 'sent');
        try {
          await notify.contactBorrower({
            loanId: input.loanId,
            contact: c,
            to: input.borrower.phone,
            template: step.template ?? `collection.${s.latest.bucket.toLowerCase()}`,
            notAfter: contactDeadline(Date.now(), input.timeZone, strategy.contactHours),
            params: {
              overdue: formatMajor(s.latest.overdue),
              currency: input.currency,
              dpd: String(s.latest.dpd),
            },
          });
        } catch (err) {
          log.warn('collection message not sent', {
            loanId: input.loanId,
            key,
            error: (err as Error).message,
          });
          c.outcome = 'failed';
        }
        count(ctx, c);
        return;
      }
      case 'call_task': {
        const c = contactNow(ctx, id, 'call', 'task_opened');
        // Callable only until today's contact hours close, so no collector can call outside them; an
        // unworked task expires and the strategy's next call step opens another.
        const notAfter = instantOfLocal(c.localDate, strategy.contactHours.to, input.timeZone);
        const taskId = `ct_${input.loanId}_${episode}_${key}`.replace(/[^A-Za-z0-9_-]/g, '-');
        await effects.openCallTask({
          id: taskId,
          loanId: input.loanId,
          customerId: input.customerId,
          bucket: s.latest.bucket,
          dpd: s.latest.dpd,
          timeZone: input.timeZone,
          notBefore: c.at,
          notAfter: new Date(notAfter).toISOString(),
        });
        s.openTasks.push({ id: taskId, notAfter });
        // The call is reserved against today's limit when the task opens, so a collector's call can never exceed it.
        count(ctx, c, false);
        return;
      }
      case 'autopay_retry':
        await tellLoan(retryAutopay, { retryId: `${episode}:${key}` });
        return;
      case 'agency':
        s.agencyRef = await partners.handOffToAgency({ ...claim(id), bucket: s.latest.bucket });
        return handedOver(id, 'agency', s.agencyRef);
      case 'legal_notice': {
        const ref = await partners.serveLegalNotice(claim(id));
        s.legalNoticeOn = today(ctx);
        return handedOver(id, 'legal', ref);
      }
    }
  }

  /** What an agency or a legal notice pursues: everything owed today, keyed by the strategy step. */
  function claim(id: string) {
    return {
      idempotencyKey: id,
      loanId: input.loanId,
      customerId: input.customerId,
      amountMinor: s.latest.outstanding,
      currency: input.currency,
      dpd: s.latest.dpd,
    };
  }

  /** A partner took the loan over: the hand-off is a contact of record, under the partner's reference. */
  async function handedOver(id: string, channel: 'agency' | 'legal', ref: string): Promise<void> {
    const c = contactNow(ctx, id, channel, ref);
    await effects.logContact(input.loanId, c);
    s.contacts.push(c);
  }

  /** A loan an operator terminated cannot be signalled; collection carries on and a person sees the warning. */
  async function tellLoan<Args extends unknown[]>(
    signal: SignalDefinition<Args>,
    ...args: Args
  ): Promise<void> {
    try {
      await getExternalWorkflowHandle(loanWorkflowId(input.loanId)).signal(signal, ...args);
    } catch (err) {
      log.warn('loan not signalled', { loanId: input.loanId, error: (err as Error).message });
    }
  }

  function oldestDue(): string {
    return s.latest.oldestDueDate ?? s.latest.asOf;
  }

  function publish(): void {
    setCurrentDetails(detailsOf(ctx));
  }

  function continueAsNewNow(): Promise<never> {
    return continueAsNewOnceHandled<typeof collection>([input, nextRun(run, s)]);
  }
}
