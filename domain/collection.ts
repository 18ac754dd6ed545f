import { type Bucket, bucketFor, daysPastDue, DEFAULT_BUCKETS } from './delinquency';
import { DomainError } from './errors';
import { CONTACT_HOURS } from './loan';
import { addDays, instantOfLocal, localClockAt, toLocalDate } from './localdate';

/**
 * Collection (催收) strategy as data: which action falls on which DPD, so operations can change the
 * path per product without a workflow release. Everything here is a pure function of the strategy,
 * the borrower's calendar and what was already done, so the workflow can recompute the next step
 * after any event (payment, promise, continue-as-new) instead of keeping a cursor.
 */

export type CollectionActionKind = 'sms' | 'push' | 'autopay_retry' | 'call_task' | 'agency' | 'legal_notice';

export interface StrategyStep {
  bucket: string;
  dpd: number;
  kind: CollectionActionKind;
  template?: string;
  /** Preferred local time, HH:MM. */
  at: string;
}

export interface ContactHours {
  from: string;
  to: string;
}

export interface CollectionStrategy {
  steps: StrategyStep[];
  contactHours: ContactHours;
  maxContactsPerDay: number;
  promiseGraceDays: number;
  maxPromiseDays: number;
}

export interface NextStep {
  step: StrategyStep;
  key: string;
  date: string;
}

const KINDS: readonly CollectionActionKind[] = [
  'sms',
  'push',
  'autopay_retry',
  'call_task',
  'agency',
  'legal_notice',
];
// Only what reaches the borrower counts against the daily limit (docs/design.md, "Business rules"); card retries and
// hand-offs to third parties do not.
const CONTACT_KINDS: readonly CollectionActionKind[] = ['sms', 'push', 'call_task'];
const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$/;
const MINUTE = 60_000;

const step = (dpd: number, kind: CollectionActionKind, at = '10:00'): StrategyStep => ({
  bucket: bucketFor(dpd).name,
  dpd,
  kind,
  at,
});

export const DEFAULT_STRATEGY: CollectionStrategy = deepFreeze({
  steps: [
    step(1, 'sms'),
    step(3, 'push'),
    step(3, 'autopay_retry', '12:00'),
    step(7, 'sms'),
    step(7, 'autopay_retry', '12:00'),
    step(14, 'autopay_retry', '12:00'),
    step(15, 'sms'),
    step(21, 'autopay_retry', '12:00'),
    step(25, 'sms'),
    step(28, 'autopay_retry', '12:00'),
    step(31, 'call_task'),
    step(40, 'sms'),
    step(45, 'call_task'),
    step(61, 'agency'),
    step(91, 'legal_notice'),
  ],
  contactHours: { from: CONTACT_HOURS.from, to: CONTACT_HOURS.to },
  maxContactsPerDay: 3,
  promiseGraceDays: 2,
  maxPromiseDays: 30,
});

export function stepKey(s: Pick<StrategyStep, 'kind' | 'dpd'>): string {
  return `${s.kind}:${s.dpd}`;
}

export function isContact(kind: CollectionActionKind): boolean {
  return CONTACT_KINDS.includes(kind);
}

/**
 * A strategy from configuration. Contact hours may narrow the 08:00–20:00 of docs/design.md, "Business rules", but never widen it,
 * and each step must name the bucket its DPD falls in so a table that says "M2" means M2.
 */
export function parseStrategy(
  input: unknown,
  field = 'strategy',
  buckets: readonly Bucket[] = DEFAULT_BUCKETS,
): CollectionStrategy {
  if (!isRecord(input)) throw new DomainError(field, `${field} must be an object`);
  const contactHours = parseHours(input.contactHours, `${field}.contactHours`);
  const int = (name: string, min: number): number => {
    const v = input[name];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
      throw new DomainError(`${field}.${name}`, `${field}.${name} must be a whole number ≥ ${min}`);
    }
    return v;
  };
  const strategy: CollectionStrategy = {
    steps: [],
    contactHours,
    maxContactsPerDay: int('maxContactsPerDay', 1),
    promiseGraceDays: int('promiseGraceDays', 0),
    maxPromiseDays: int('maxPromiseDays', 1),
  };
  if (!Array.isArray(input.steps) || input.steps.length === 0) {
    throw new DomainError(`${field}.steps`, `${field}.steps must be a non-empty list`);
  }
  const keys = new Set<string>();
  for (const [i, raw] of input.steps.entries()) {
    const s = parseStep(raw, `${field}.steps[${i}]`, contactHours, buckets);
    const prev = strategy.steps[strategy.steps.length - 1];
    if (prev && s.dpd < prev.dpd) {
      throw new DomainError(`${field}.steps[${i}].dpd`, `${field}.steps must be in non-decreasing DPD order`);
    }
    if (keys.has(stepKey(s))) {
      throw new DomainError(`${field}.steps[${i}]`, `${field}.steps has ${s.kind} on DPD ${s.dpd} twice`);
    }
    keys.add(stepKey(s));
    strategy.steps.push(s);
  }
  return strategy;
}

function parseStep(raw: unknown, f: string, hours: ContactHours, buckets: readonly Bucket[]): StrategyStep {
  if (!isRecord(raw)) throw new DomainError(f, `${f} must be an object`);
  const { bucket, dpd, kind, template, at } = raw;
  if (!KINDS.includes(kind as CollectionActionKind)) {
    throw new DomainError(`${f}.kind`, `${f}.kind must be one of ${KINDS.join(', ')}`);
  }
  if (typeof dpd !== 'number' || !Number.isSafeInteger(dpd) || dpd < 1) {
    throw new DomainError(`${f}.dpd`, `${f}.dpd must be a whole number of days ≥ 1`);
  }
  const expected = bucketFor(dpd, buckets).name;
  if (bucket !== expected) {
    throw new DomainError(`${f}.bucket`, `${f}.bucket must be ${expected}, the bucket of DPD ${dpd}`);
  }
  if (typeof at !== 'string' || !HH_MM.test(at)) {
    throw new DomainError(`${f}.at`, `${f}.at must be HH:MM on a 24-hour clock`);
  }
  const c = kind as CollectionActionKind;
  if (isContact(c) && (at < hours.from || at >= hours.to)) {
    throw new DomainError(`${f}.at`, `${f}.at must be within contact hours ${hours.from}–${hours.to}`);
  }
  if (template !== undefined && (typeof template !== 'string' || template.trim() === '')) {
    throw new DomainError(`${f}.template`, `${f}.template must be a non-empty name when given`);
  }
  return { bucket: expected, dpd, kind: c, ...(template !== undefined ? { template } : {}), at };
}

function parseHours(raw: unknown, f: string): ContactHours {
  if (!isRecord(raw)) throw new DomainError(f, `${f} must be { from, to }`);
  const { from, to } = raw;
  if (typeof from !== 'string' || !HH_MM.test(from) || typeof to !== 'string' || !HH_MM.test(to)) {
    throw new DomainError(f, `${f}.from and .to must be HH:MM on a 24-hour clock`);
  }
  if (from >= to || from < CONTACT_HOURS.from || to > CONTACT_HOURS.to) {
    throw new DomainError(
      f,
      `${f} must be a non-empty window within ${CONTACT_HOURS.from}–${CONTACT_HOURS.to}, got ${from}–${to}`,
    );
  }
  return { from, to };
}

/**
 * The next step for a loan whose oldest unpaid due date is `oldestDueDate`, as of local date `today`,
 * or null when none is left.
 *
 * Steps of buckets the loan has already left are skipped, never caught up: an SMS written for M1 is
 * wrong in M2. Within the current bucket a missed step is still performed today (after a promise was
 * broken, say), unless a later step of the same kind is also due by now: that one supersedes it, so
 * the borrower gets one reminder rather than a burst and the card is not charged twice in a row.
 */
export function nextStrategyStep(
  strategy: CollectionStrategy,
  oldestDueDate: string,
  today: string,
  done: readonly string[],
  buckets: readonly Bucket[] = DEFAULT_BUCKETS,
): NextStep | null {
  toLocalDate(oldestDueDate, 'oldestDueDate');
  const dpd = daysPastDue(oldestDueDate, today);
  const { minDpd } = bucketFor(dpd, buckets);
  const live = strategy.steps.filter((s) => s.dpd >= minDpd);
  const superseded = (s: StrategyStep) =>
    live.some((l) => l.kind === s.kind && l.dpd > s.dpd && l.dpd <= dpd);
  const next = live.find((s) => !done.includes(stepKey(s)) && !superseded(s));
  if (!next) return null;
  const date = addDays(oldestDueDate, next.dpd);
  return { step: next, key: stepKey(next), date: date > today ? date : today };
}

/**
 * The earliest instant ≥ `wantedAt` at which the borrower may be contacted: within the strategy's
 * contact hours on the borrower's wall clock, on a local day whose contacts are below the limit.
 * Works on wall-clock readings rather than fixed offsets, so DST days and zones far from UTC need no
 * special case.
 */
export function contactSlot(
  wantedAt: number,
  timeZone: string,
  strategy: CollectionStrategy,
  contactsByDay: Readonly<Record<string, number>>,
): number {
  const { from, to } = parseHours(strategy.contactHours, 'strategy.contactHours');
  let t = wantedAt;
  // Each turn moves to a later day or to `from` of the same day; the bound only guards against a
  // caller who has filled every day for years.
  for (let turn = 0; turn < 4_000; turn++) {
    const { localDate: date, localTime: time } = localClockAt(t, timeZone);
    if ((contactsByDay[date] ?? 0) < strategy.maxContactsPerDay && time >= from && time < to) return t;
    const target =
      time < from && (contactsByDay[date] ?? 0) < strategy.maxContactsPerDay
        ? instantOfLocal(date, from, timeZone)
        : instantOfLocal(addDays(date, 1), from, timeZone);
    // A wall clock turned back (or a day skipped) can put `target` at or before `t`; stepping a
    // minute keeps the search moving forward until the clock reads `from` again.
    t = target > t ? target : Math.floor(t / MINUTE) * MINUTE + MINUTE;
  }
  throw new DomainError('contactsByDay', 'no contact slot in the next 4000 days: every day is at the limit');
}

export function isWithinContactHours(
  at: number,
  timeZone: string,
  hours: ContactHours = CONTACT_HOURS,
): boolean {
  const time = localClockAt(at, timeZone).localTime;
  return time >= hours.from && time < hours.to;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}
