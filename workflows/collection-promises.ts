import { log } from '@temporalio/workflow';
import { DomainError } from '../domain/errors';
import { addDays, instantOfLocal } from '../domain/localdate';
import {
  checkPromise,
  type PromisePolicy,
  type PromiseToPay,
  promiseDeadline,
  resolvePromise,
} from '../domain/promise';
import { type CollectionContext, inCollection, nowIso, today } from './collection-context';
import type { PromiseRequest, PromiseView, TaskOutcome } from '../contracts/collection';
import { asFailure } from './failures';

// Promises to pay (承诺还款): recorded from the API or a collector's call, at most one open at a time;
// an open promise pauses escalation until it is kept or broken.

export function openPromise(ctx: CollectionContext): PromiseToPay | undefined {
  return ctx.s.promises.find((p) => p.status === 'open');
}

export function promisePolicy(ctx: CollectionContext): PromisePolicy {
  return { graceDays: ctx.strategy.promiseGraceDays, maxDays: ctx.strategy.maxPromiseDays };
}

/** The promise-to-pay update's validator: a repeated promise id is answered, not checked again. */
export function checkPromiseRequest(ctx: CollectionContext, req: PromiseRequest): void {
  const { s, input } = ctx;
  if (s.promises.some((p) => p.id === req.promiseId)) return;
  inCollection(ctx);
  asFailure(() => {
    if (req.amount.currency !== input.currency)
      throw new DomainError('amount.currency', `must be ${input.currency}`);
    checkPromise(
      { date: req.date, amount: req.amount.amount },
      { today: today(ctx), outstanding: s.latest.outstanding, open: openPromise(ctx) !== undefined },
      promisePolicy(ctx),
    );
  });
}

export function recordPromise(ctx: CollectionContext, req: PromiseRequest): PromiseView {
  const { s } = ctx;
  const known = s.promises.find((p) => p.id === req.promiseId);
  if (known) return promiseView(ctx, known, req.collectorId);
  const p: PromiseToPay = {
    id: req.promiseId,
    date: req.date,
    amount: req.amount.amount,
    status: 'open',
    receivedAtPromise: s.latest.receivedTotal,
  };
  s.promises.push(p);
  s.promisedBy[p.id] = { by: req.collectorId, at: nowIso() };
  ctx.changed = true;
  return promiseView(ctx, p, req.collectorId);
}

/** A promise made on a call nobody can refuse on the spot: one the rules refuse is only logged. */
export function promiseFromCall(
  ctx: CollectionContext,
  o: TaskOutcome,
  promise: NonNullable<TaskOutcome['promise']>,
): void {
  const { s, input } = ctx;
  try {
    // The same rules as a promise through the API, the open-promise one included.
    if (s.promises.some((p) => p.id === promise.promiseId))
      throw new DomainError('promise.promiseId', `promise ${promise.promiseId} is already recorded`);
    if (promise.amount.currency !== input.currency)
      throw new DomainError('promise.amount.currency', `must be ${input.currency}`);
    checkPromise(
      { date: promise.date, amount: promise.amount.amount },
      { today: today(ctx), outstanding: s.latest.outstanding, open: openPromise(ctx) !== undefined },
      promisePolicy(ctx),
    );
    s.promises.push({
      id: promise.promiseId,
      date: promise.date,
      amount: promise.amount.amount,
      status: 'open',
      receivedAtPromise: s.latest.receivedTotal,
    });
    s.promisedBy[promise.promiseId] = { by: o.collectorId, at: o.at };
  } catch (err) {
    log.warn('promise from a call not recorded', { taskId: o.taskId, error: (err as Error).message });
  }
}

export function resolvePromises(ctx: CollectionContext): void {
  const { s } = ctx;
  s.promises = s.promises.map((p) =>
    p.status === 'open'
      ? resolvePromise(
          p,
          { today: today(ctx), receivedTotal: s.latest.receivedTotal, overdue: s.latest.overdue },
          promisePolicy(ctx),
        )
      : p,
  );
}

/** A promise is broken the day after its deadline: the wake that resumes escalation. */
export function promiseDeadlineAt(ctx: CollectionContext): number {
  const p = openPromise(ctx);
  return p
    ? instantOfLocal(addDays(promiseDeadline(p, promisePolicy(ctx)), 1), '00:00', ctx.input.timeZone)
    : Infinity;
}

export function promiseView(ctx: CollectionContext, p: PromiseToPay, by?: string): PromiseView {
  const who = ctx.s.promisedBy[p.id];
  return {
    id: p.id,
    date: p.date,
    amount: { amount: p.amount, currency: ctx.input.currency },
    status: p.status,
    recordedBy: who?.by ?? by ?? 'unknown',
    recordedAt: who?.at ?? nowIso(),
    receivedAtPromise: p.receivedAtPromise,
    ...(p.resolvedOn ? { resolvedOn: p.resolvedOn } : {}),
  };
}
