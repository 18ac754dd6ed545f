import { log } from '@temporalio/workflow';
import { contactSlot, isContact, type StrategyStep } from '../domain/collection';
import { instantOfLocal, localClockAt } from '../domain/localdate';
import { type CollectionContext, nowIso } from './collection-context';
import type { ContactRecord, TaskOutcome } from '../contracts/collection';
import { promiseFromCall } from './collection-promises';

// Contacts with the borrower: when one may be made (contact hours, the daily limit) and how each is
// recorded, whether the workflow made it or a collector reported a call.

/** Contacts go in the first allowed slot at or after the strategy's preferred time. */
export function whenToPerform(ctx: CollectionContext, step: StrategyStep, date: string): number {
  const { input, strategy, s } = ctx;
  const preferred = Math.max(instantOfLocal(date, step.at, input.timeZone), Date.now());
  return isContact(step.kind) ? contactSlot(preferred, input.timeZone, strategy, s.contactsByDay) : preferred;
}

/** A contact made now by the strategy step `id` names, where the loan stands now. */
export function contactNow(
  ctx: CollectionContext,
  id: string,
  channel: ContactRecord['channel'],
  outcome: string,
): ContactRecord {
  const { input, s } = ctx;
  return {
    id,
    channel,
    at: nowIso(),
    ...localClockAt(Date.now(), input.timeZone),
    bucket: s.latest.bucket,
    dpd: s.latest.dpd,
    outcome,
  };
}

/** Counts a contact against its local day's limit, and lists it unless it is a call not yet made. */
export function count(ctx: CollectionContext, c: ContactRecord, logged = true): void {
  const { s } = ctx;
  s.contactsByDay[c.localDate] = (s.contactsByDay[c.localDate] ?? 0) + 1;
  if (logged) s.contacts.push(c);
}

/** A collector's call: logged as a contact; a promise made on the call is recorded like one from the API. */
export function recordCallOutcome(ctx: CollectionContext, o: TaskOutcome): void {
  const { input, s } = ctx;
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
  if (o.outcome === 'promise_to_pay' && o.promise) promiseFromCall(ctx, o, o.promise);
  ctx.changed = true;
}
