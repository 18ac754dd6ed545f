import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  log,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { CollectionActivities } from '../activities/collection';
import {
  type CollectionStrategy,
  contactSlot,
  DEFAULT_STRATEGY,
  isContact,
  nextStrategyStep,
  parseStrategy,
  type StrategyStep,
} from '../domain/collection';
import { DomainError } from '../domain/errors';
import { addDays, instantOfLocal, localClockAt, localDateAt } from '../domain/localdate';
import { formatMajor } from '../domain/money';
import { checkPromise, type PromiseToPay, promiseDeadline, resolvePromise } from '../domain/promise';
import {
  checkSettlementDecision,
  DEFAULT_SETTLEMENT_POLICY,
  decideSettlement as decide,
  lapseSettlement,
  proposeSettlement,
  type SettlementOffer,
  type SettlementPolicy,
} from '../domain/settlement';
import {
  type CollectionInput,
  type CollectionStatus,
  type CollectionView,
  type ContactRecord,
  decideSettlement,
  delinquencyUpdate,
  type DelinquencyUpdate,
  getCollection,
  offerSettlement,
  type PromiseView,
  promiseToPay,
  recordTaskOutcome,
  type SettlementOfferRequest,
  type SettlementOfferView,
  type TaskOutcome,
} from './collection-messages';
import { asFailure, refused } from './failures';
import { retryAutopay, settlementApproved } from './loan-messages';
import { loanWorkflowId } from './messages';
import { retry } from './retry-policies';
import { providerActivities } from './task-queues';

export interface CollectionSettings {
  strategy: CollectionStrategy;
  settlement: SettlementPolicy;
  historyLimit: number;
}

/** Carried over continue-as-new: plain JSON. */
export interface CollectionState {
  status: CollectionStatus;
  latest: DelinquencyUpdate;
  /** Strategy steps performed (or passed over) in this delinquency episode, by key. */
  done: string[];
  /** Local date → contacts made, so no day exceeds the strategy's limit. */
  contactsByDay: Record<string, number>;
  contacts: ContactRecord[];
  openTasks: { id: string; notAfter: number }[];
  promises: PromiseToPay[];
  /** Who recorded each promise and when (the domain record carries the money only). */
  promisedBy: Record<string, { by: string; at: string }>;
  settlements: SettlementOffer[];
  agencyRef: string | null;
  legalNoticeOn: string | null;
}

export interface CollectionRun {
  settings?: Partial<CollectionSettings>;
  carried?: CollectionState;
}

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
    historyLimit: 5_000,
    ...run.settings,
  };
  // A strategy from configuration is checked once, so a bad table fails the start, not a contact.
  const strategy = asFailure(() => parseStrategy(settings.strategy));
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
  /** Names this delinquency episode in every key: a loan cured and late again is worked afresh. */
  const episode = input.first.oldestDueDate ?? input.first.asOf;
  let changed = false;
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
    changed = true;
  });
  setHandler(recordTaskOutcome, onTaskOutcome);
  setHandler(
    promiseToPay,
    (req) => {
      const known = s.promises.find((p) => p.id === req.promiseId);
      if (known) return promiseView(known, req.collectorId);
      const p: PromiseToPay = {
        id: req.promiseId,
        date: req.date,
        amount: req.amount.amount,
        status: 'open',
        receivedAtPromise: s.latest.receivedTotal,
      };
      s.promises.push(p);
      s.promisedBy[p.id] = { by: req.collectorId, at: nowIso() };
      changed = true;
      return promiseView(p, req.collectorId);
    },
    {
      validator: (req) => {
        if (s.promises.some((p) => p.id === req.promiseId)) return;
        inCollection();
        asFailure(() => {
          if (req.amount.currency !== input.currency)
            throw new DomainError('amount.currency', `must be ${input.currency}`);
          checkPromise(
            { date: req.date, amount: req.amount.amount },
            { today: today(), outstanding: s.latest.outstanding, open: openPromise() !== undefined },
            promisePolicy(),
          );
        });
      },
    },
  );
  /** Prices an offer against the loan as last reported; the validator and the handler ask the same. */
  const propose = (req: SettlementOfferRequest): SettlementOffer => {
    if (req.amount.currency !== input.currency)
      throw new DomainError('amount.currency', `must be ${input.currency}`);
    const { offerId: id, amount, payBy, proposedBy, reason } = req;
    return proposeSettlement(
      { id, amount: amount.amount, payBy, proposedBy, reason },
      settlementContext(),
      settings.settlement,
    );
  };
  setHandler(
    offerSettlement,
    (req) => {
      const known = s.settlements.find((o) => o.id === req.offerId);
      if (known) return offerView(known);
      const offer = propose(req);
      s.settlements.push(offer);
      changed = true;
      return offerView(offer);
    },
    {
      validator: (req) => {
        if (s.settlements.some((o) => o.id === req.offerId)) return;
        inCollection();
        asFailure(() => propose(req));
      },
    },
  );
  setHandler(
    decideSettlement,
    async (d) => {
      const i = s.settlements.findIndex((o) => o.id === d.offerId);
      const before = s.settlements[i]!;
      const after = decide(before, { ...d, at: nowIso() });
      s.settlements[i] = after;
      changed = true;
      if (after.status === 'approved' && before.status !== 'approved') {
        // The loan holds the book: it waives the rest only if the agreed amount arrives in time.
        await tellLoan(() =>
          getExternalWorkflowHandle(loanWorkflowId(input.loanId)).signal(settlementApproved, {
            offerId: after.id,
            amount: { amount: after.amount, currency: input.currency },
            payBy: after.payBy,
          }),
        );
      }
      return offerView(after);
    },
    {
      validator: (d) => {
        const offer = s.settlements.find((o) => o.id === d.offerId);
        if (!offer) throw refused('offerId', 'not_found', `no settlement offer ${d.offerId}`);
        asFailure(() => checkSettlementDecision(offer, d));
      },
    },
  );
  while (!ended()) {
    resolvePromises();
    lapseSettlements();
    s.status = openPromise() ? 'paused' : 'active';
    publish();
    if (historyIsLong()) return continueAsNewNow();
    const next = openPromise() ? null : nextStrategyStep(strategy, oldestDue(), today(), s.done);
    const at = next ? whenToPerform(next.step, next.date) : Infinity;
    const wakeAt = Math.min(at, promiseDeadlineAt(), payByAt());
    changed = false;
    if (wakeAt > Date.now()) {
      const wake = () => changed || historyIsLong();
      if (wakeAt === Infinity) {
        await condition(wake);
        continue;
      }
      const summary =
        wakeAt === at && next ? `${next.step.kind} (DPD ${next.step.dpd})` : 'promise or settlement deadline';
      if (await condition(wake, wakeAt - Date.now(), { summary })) continue;
    }
    if (next && at <= Date.now()) await perform(next.step, next.key);
  }
  await finish();
  return view();

  function ended(): boolean {
    const st = s.latest.status;
    if (st === 'written_off') s.status = 'written_off';
    else if (st === 'closed') s.status = s.latest.settledBy ? 'settled' : 'closed';
    else if (st === 'active') s.status = 'cured';
    else return false;
    return true;
  }

  async function finish(): Promise<void> {
    for (const o of s.settlements)
      if (o.id === s.latest.settledBy)
        Object.assign(o, { status: 'paid' satisfies SettlementOffer['status'] });
    resolvePromises();
    await effects.closeCallTasks(input.loanId, s.status);
    s.openTasks = [];
    publish();
    await condition(allHandlersFinished);
  }

  /** Contacts go in the first allowed slot at or after the strategy's preferred time. */
  function whenToPerform(step: StrategyStep, date: string): number {
    const preferred = Math.max(instantOfLocal(date, step.at, input.timeZone), Date.now());
    return isContact(step.kind)
      ? contactSlot(preferred, input.timeZone, strategy, s.contactsByDay)
      : preferred;
  }

  async function perform(step: StrategyStep, key: string): Promise<void> {
    s.done.push(key);
    const id = `${input.loanId}:collection:${episode}:${key}`;
    const contact = (channel: ContactRecord['channel'], outcome: string): ContactRecord => {
      return {
        id,
        channel,
        at: nowIso(),
        ...localClockAt(Date.now(), input.timeZone),
        bucket: s.latest.bucket,
        dpd: s.latest.dpd,
        outcome,
      };
    };
    switch (step.kind) {
      case 'sms':
      case 'push': {
        const c = contact(step.kind, 'sent');
        try {
          await notify.contactBorrower({
            loanId: input.loanId,
            contact: c,
            to: input.borrower.phone,
            template: step.template ?? `collection.${s.latest.bucket.toLowerCase()}`,
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
        count(c);
        return;
      }
      case 'call_task': {
        const c = contact('call', 'task_opened');
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
        count(c, false);
        return;
      }
      case 'autopay_retry':
        await tellLoan(() =>
          getExternalWorkflowHandle(loanWorkflowId(input.loanId)).signal(retryAutopay, {
            retryId: `${episode}:${key}`,
          }),
        );
        return;
      case 'agency': {
        s.agencyRef = await partners.handOffToAgency({
          idempotencyKey: id,
          loanId: input.loanId,
          customerId: input.customerId,
          amountMinor: s.latest.outstanding,
          currency: input.currency,
          dpd: s.latest.dpd,
          bucket: s.latest.bucket,
        });
        const c = contact('agency', s.agencyRef);
        await effects.logContact(input.loanId, c);
        s.contacts.push(c);
        return;
      }
      case 'legal_notice': {
        const ref = await partners.serveLegalNotice({
          idempotencyKey: id,
          loanId: input.loanId,
          customerId: input.customerId,
          amountMinor: s.latest.outstanding,
          currency: input.currency,
          dpd: s.latest.dpd,
        });
        s.legalNoticeOn = today();
        const c = contact('legal', ref);
        await effects.logContact(input.loanId, c);
        s.contacts.push(c);
        return;
      }
    }
  }

  /** A loan an operator terminated cannot be signalled; collection carries on and a person sees the warning. */
  async function tellLoan(signal: () => Promise<void>): Promise<void> {
    try {
      await signal();
    } catch (err) {
      log.warn('loan not signalled', { loanId: input.loanId, error: (err as Error).message });
    }
  }

  function count(c: ContactRecord, logged = true): void {
    s.contactsByDay[c.localDate] = (s.contactsByDay[c.localDate] ?? 0) + 1;
    if (logged) s.contacts.push(c);
  }

  /** A collector's call: logged as a contact; a promise made on the call is recorded like one from the API. */
  function onTaskOutcome(o: TaskOutcome): void {
    const task = s.openTasks.find((t) => t.id === o.taskId);
    if (!task) return void log.warn('outcome for a task that is not open', { taskId: o.taskId });
    s.openTasks = s.openTasks.filter((t) => t.id !== o.taskId);
    s.contacts.push({
      id: `${input.loanId}:call:${o.taskId}`,
      channel: 'call',
      at: o.at,
      ...localClockAt(Date.parse(o.at), input.timeZone),
      bucket: s.latest.bucket,
      dpd: s.latest.dpd,
      outcome: o.outcome,
    });
    if (o.outcome === 'promise_to_pay' && o.promise && !openPromise()) {
      try {
        checkPromise(
          { date: o.promise.date, amount: o.promise.amount.amount },
          { today: today(), outstanding: s.latest.outstanding, open: false },
          promisePolicy(),
        );
        s.promises.push({
          id: o.promise.promiseId,
          date: o.promise.date,
          amount: o.promise.amount.amount,
          status: 'open',
          receivedAtPromise: s.latest.receivedTotal,
        });
        s.promisedBy[o.promise.promiseId] = { by: o.collectorId, at: o.at };
      } catch (err) {
        log.warn('promise from a call not recorded', { taskId: o.taskId, error: (err as Error).message });
      }
    }
    changed = true;
  }

  function resolvePromises(): void {
    s.promises = s.promises.map((p) =>
      p.status === 'open'
        ? resolvePromise(
            p,
            { today: today(), receivedTotal: s.latest.receivedTotal, overdue: s.latest.overdue },
            promisePolicy(),
          )
        : p,
    );
  }

  function lapseSettlements(): void {
    s.settlements = s.settlements.map((o) => lapseSettlement(o, today()));
  }

  function openPromise(): PromiseToPay | undefined {
    return s.promises.find((p) => p.status === 'open');
  }

  /** A promise is broken the day after its deadline: the wake that resumes escalation. */
  function promiseDeadlineAt(): number {
    const p = openPromise();
    return p
      ? instantOfLocal(addDays(promiseDeadline(p, promisePolicy()), 1), '00:00', input.timeZone)
      : Infinity;
  }

  function payByAt(): number {
    const approved = s.settlements.find((o) => o.status === 'approved');
    return approved ? instantOfLocal(addDays(approved.payBy, 1), '00:00', input.timeZone) : Infinity;
  }

  function promisePolicy() {
    return { graceDays: strategy.promiseGraceDays, maxDays: strategy.maxPromiseDays };
  }

  function settlementContext() {
    return {
      today: today(),
      outstanding: s.latest.outstanding,
      receivable: s.latest.receivable,
      openOffer: s.settlements.some((o) => o.status === 'pending_approval' || o.status === 'approved'),
    };
  }

  function inCollection(): void {
    if (s.status === 'active' || s.status === 'paused') return;
    throw refused('loan', 'not_in_collection', `collection has ended: the loan is ${s.status}`);
  }

  function oldestDue(): string {
    return s.latest.oldestDueDate ?? s.latest.asOf;
  }

  function publish(): void {
    const open = openPromise();
    setCurrentDetails(
      [
        `**${s.status}** · ${s.latest.bucket} · DPD ${s.latest.dpd}`,
        `overdue ${formatMajor(s.latest.overdue)} ${input.currency} · ${s.contacts.length} contact(s)`,
        open ? `promise of ${formatMajor(open.amount)} by ${open.date}` : '',
        s.openTasks.length ? `${s.openTasks.length} open call task(s)` : '',
        s.agencyRef ? `with agency ${s.agencyRef}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
    );
  }

  function view(): CollectionView {
    return {
      loanId: input.loanId,
      status: s.status,
      dpd: s.latest.dpd,
      bucket: s.latest.bucket,
      stage: s.latest.stage,
      pausedUntil: openPromise() ? promiseDeadline(openPromise()!, promisePolicy()) : null,
      contacts: s.contacts,
      openTasks: s.openTasks.map((t) => t.id),
      promises: s.promises.map((p) => promiseView(p)),
      settlements: s.settlements.map(offerView),
      agencyRef: s.agencyRef,
      legalNoticeOn: s.legalNoticeOn,
    };
  }

  function promiseView(p: PromiseToPay, by?: string): PromiseView {
    const who = s.promisedBy[p.id];
    return {
      id: p.id,
      date: p.date,
      amount: { amount: p.amount, currency: input.currency },
      status: p.status,
      recordedBy: who?.by ?? by ?? 'unknown',
      recordedAt: who?.at ?? nowIso(),
      receivedAtPromise: p.receivedAtPromise,
      ...(p.resolvedOn ? { resolvedOn: p.resolvedOn } : {}),
    };
  }

  function offerView(o: SettlementOffer): SettlementOfferView {
    return { ...o, amount: { amount: o.amount, currency: input.currency } };
  }

  function today(): string {
    return localDateAt(Date.now(), input.timeZone);
  }

  function nowIso(): string {
    return new Date(Date.now()).toISOString();
  }

  function historyIsLong(): boolean {
    const info = workflowInfo();
    return info.continueAsNewSuggested || info.historyLength >= settings.historyLimit;
  }

  async function continueAsNewNow(): Promise<never> {
    await condition(allHandlersFinished);
    return continueAsNew<typeof collection>(input, {
      ...(run.settings ? { settings: run.settings } : {}),
      carried: s,
    });
  }
}
