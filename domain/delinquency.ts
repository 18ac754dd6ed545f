import { DomainError } from './errors';
import { assertMinor } from './money';
import { addDays, toLocalDate } from './localdate';

/**
 * Days past due, buckets and stages, all on the borrower's local calendar (callers turn "now" into
 * a local date with localdate.localDateAt).
 *
 * DPD counts from the oldest unpaid due date: 0 on the due date (still payable on time), 1 the day
 * after. A partly paid installment is unpaid. Once the oldest installment is settled, DPD counts
 * from the next oldest unpaid one, never from the first missed date of the loan.
 *
 * Grace is a waiver of late charges, not a pause of DPD: during grace DPD keeps counting and the
 * loan sits in M1, so bucket, bureau reporting and collection reminders follow the real calendar;
 * only late fee and penalty interest wait until grace has passed unpaid. Penalty interest then runs
 * from the day after the due date (`penaltyFrom`), so grace rewards paying within it rather than
 * making every loan's first days overdue free.
 */

/** A loan's stage of delinquency, in order; the API's enum and every message type are this one list. */
export const STAGES = ['current', 'early', 'middle', 'late', 'written_off'] as const;
export type Stage = (typeof STAGES)[number];
export type BucketStage = Exclude<Stage, 'written_off'>;

export interface Bucket {
  name: string;
  minDpd: number;
  /** Inclusive; null for the open-ended last bucket. */
  maxDpd: number | null;
  stage: BucketStage;
}

export interface DelinquencyPolicy {
  graceDays: number;
  writeOffDpd: number;
  buckets: readonly Bucket[];
}

const STAGE_OF_MONTH: readonly BucketStage[] = [
  'current',
  'early',
  'middle',
  'middle',
  'late',
  'late',
  'late',
  'late',
];

/**
 * M0 for current, then one bucket per 30 days late up to M7+. `shift` moves every boundary after
 * M1's first day: 0 gives M1 1–29, M2 30–59 … M7+ 180 and over; 1 gives M1 1–30, M2 31–60 … M7+ 181.
 */
function monthlyBuckets(shift: 0 | 1): readonly Bucket[] {
  return Object.freeze(
    STAGE_OF_MONTH.map((stage, m): Bucket => {
      if (m === 0) return { name: 'M0', minDpd: 0, maxDpd: 0, stage };
      const minDpd = m === 1 ? 1 : 30 * (m - 1) + shift;
      const last = m === STAGE_OF_MONTH.length - 1;
      return { name: last ? `M${m}+` : `M${m}`, minDpd, maxDpd: last ? null : 30 * m - 1 + shift, stage };
    }),
  );
}

/** The seed's buckets (M1 1–29, M2 30–59, M3 60–89, M4 90+ late); a product may define its own. */
export const DEFAULT_BUCKETS = monthlyBuckets(0);

/**
 * The ranges loans used before the seed's became the default (M1 1–30). A loan keeps the buckets it
 * began with for life, so one that began under these is still measured by them.
 */
export const LEGACY_BUCKETS = monthlyBuckets(1);

export const DEFAULT_POLICY: Readonly<DelinquencyPolicy> = Object.freeze({
  graceDays: 0,
  writeOffDpd: 180,
  buckets: DEFAULT_BUCKETS,
});

export interface DelinquencyInstallment {
  seq: number;
  dueDate: string;
  /** Everything still owed on the installment, minor units; 0 means settled. */
  outstanding: number;
}

export interface DelinquencyState {
  installments: readonly DelinquencyInstallment[];
  /** Set once the balance was written off; the loan stays written off even if later repaid. */
  writtenOffOn?: string | null;
}

export interface DelinquencyStatus {
  asOf: string;
  dpd: number;
  bucket: string;
  stage: Stage;
  oldestUnpaidDueDate: string | null;
  /** Past due but within grace: no late charges yet. */
  inGrace: boolean;
  /** Day after the oldest unpaid due date: where penalty interest starts once grace has passed unpaid. */
  penaltyFrom: string | null;
  /** Unpaid installments whose grace has run out by `asOf`; each owes a late fee once. */
  lateChargeable: number[];
  /** DPD has reached the write-off threshold and no write-off is booked yet. */
  writeOffDue: boolean;
}

export type DelinquencyChange =
  | { kind: 'bucket'; from: string; to: string }
  | { kind: 'grace_end'; seq: number; dueDate: string }
  | { kind: 'write_off' };

export interface DelinquencyEvent {
  /** The local date on which the change takes effect (the status for this date already shows it). */
  date: string;
  dpd: number;
  bucket: string;
  stage: Stage;
  changes: DelinquencyChange[];
}

export function parsePolicy(policy: Partial<DelinquencyPolicy> = {}, field = 'policy'): DelinquencyPolicy {
  const graceDays = policy.graceDays ?? DEFAULT_POLICY.graceDays;
  const writeOffDpd = policy.writeOffDpd ?? DEFAULT_POLICY.writeOffDpd;
  if (!Number.isSafeInteger(graceDays) || graceDays < 0) {
    throw new DomainError(`${field}.graceDays`, `${field}.graceDays must be a whole number of days ≥ 0`);
  }
  if (!Number.isSafeInteger(writeOffDpd) || writeOffDpd < 1) {
    throw new DomainError(`${field}.writeOffDpd`, `${field}.writeOffDpd must be a whole number of days ≥ 1`);
  }
  return {
    graceDays,
    writeOffDpd,
    buckets: parseBuckets(policy.buckets ?? DEFAULT_BUCKETS, `${field}.buckets`),
  };
}

/** Buckets must tile 0..∞ without gaps or overlaps, so every DPD has exactly one bucket. */
export function parseBuckets(buckets: readonly Bucket[], field = 'buckets'): Bucket[] {
  if (!Array.isArray(buckets) || buckets.length === 0) {
    throw new DomainError(field, `${field} must be a non-empty list`);
  }
  const names = new Set<string>();
  let expectedMin = 0;
  return buckets.map((b, i) => {
    const f = `${field}[${i}]`;
    if (!b || typeof b.name !== 'string' || b.name.trim() === '' || names.has(b.name)) {
      throw new DomainError(`${f}.name`, `${f}.name must be a non-empty, unique name`);
    }
    names.add(b.name);
    if (b.minDpd !== expectedMin) {
      throw new DomainError(
        `${f}.minDpd`,
        `${f}.minDpd must be ${expectedMin} so the buckets leave no gap or overlap`,
      );
    }
    const last = i === buckets.length - 1;
    if (last && b.maxDpd !== null) {
      throw new DomainError(`${f}.maxDpd`, `${f}.maxDpd must be null: the last bucket is open-ended`);
    }
    if (!last && (!Number.isSafeInteger(b.maxDpd) || (b.maxDpd as number) < b.minDpd)) {
      throw new DomainError(`${f}.maxDpd`, `${f}.maxDpd must be a whole number ≥ minDpd`);
    }
    if (!STAGES.includes(b.stage) || b.stage === 'written_off') {
      throw new DomainError(`${f}.stage`, `${f}.stage must be current, early, middle or late`);
    }
    expectedMin = last ? expectedMin : (b.maxDpd as number) + 1;
    return { name: b.name, minDpd: b.minDpd, maxDpd: b.maxDpd, stage: b.stage };
  });
}

/** DPD at `today` for a given oldest unpaid due date (null when nothing is unpaid). */
export function daysPastDue(oldestUnpaidDueDate: string | null, today: string): number {
  const t = toLocalDate(today, 'today').toEpochDay();
  if (oldestUnpaidDueDate === null) return 0;
  return Math.max(0, t - toLocalDate(oldestUnpaidDueDate, 'oldestUnpaidDueDate').toEpochDay());
}

export function bucketFor(dpd: number, buckets: readonly Bucket[] = DEFAULT_BUCKETS): Bucket {
  if (!Number.isSafeInteger(dpd) || dpd < 0) {
    throw new DomainError('dpd', `dpd must be a whole number ≥ 0, got ${String(dpd)}`);
  }
  const found = buckets.find((b) => dpd >= b.minDpd && (b.maxDpd === null || dpd <= b.maxDpd));
  if (!found) throw new DomainError('buckets', `no bucket covers DPD ${dpd}`);
  return found;
}

/** First local date on which late charges apply to an installment left unpaid. */
export function lateChargesFrom(dueDate: string, graceDays: number): string {
  return addDays(dueDate, graceDays + 1);
}

export function oldestUnpaidDueDate(installments: readonly DelinquencyInstallment[]): string | null {
  return unpaid(installments).reduce<string | null>(
    (min, i) => (min === null || i.dueDate < min ? i.dueDate : min),
    null,
  );
}

export function assessDelinquency(
  state: DelinquencyState,
  today: string,
  policy: Partial<DelinquencyPolicy> = DEFAULT_POLICY,
): DelinquencyStatus {
  const p = parsePolicy(policy);
  const open = unpaid(checkState(state));
  toLocalDate(today, 'today');
  const oldest = oldestUnpaidDueDate(open);
  const dpd = daysPastDue(oldest, today);
  const bucket = bucketFor(dpd, p.buckets);
  const writtenOff = Boolean(state.writtenOffOn) || dpd >= p.writeOffDpd;
  return {
    asOf: today,
    dpd,
    bucket: bucket.name,
    stage: writtenOff ? 'written_off' : bucket.stage,
    oldestUnpaidDueDate: oldest,
    inGrace: dpd > 0 && dpd <= p.graceDays,
    penaltyFrom: oldest === null ? null : addDays(oldest, 1),
    lateChargeable: open.filter((i) => lateChargesFrom(i.dueDate, p.graceDays) <= today).map((i) => i.seq),
    writeOffDue: !state.writtenOffOn && dpd >= p.writeOffDpd,
  };
}

/**
 * The next local date after `today` on which the status changes if nothing is paid meanwhile: a
 * bucket boundary, an installment's grace running out, or the write-off threshold. Workflows sleep
 * until then (and re-ask after any payment) instead of waking every day. Null when nothing is left
 * to change.
 */
export function nextDelinquencyEvent(
  state: DelinquencyState,
  today: string,
  policy: Partial<DelinquencyPolicy> = DEFAULT_POLICY,
): DelinquencyEvent | null {
  const p = parsePolicy(policy);
  const now = assessDelinquency(state, today, p);
  const open = unpaid(state.installments);
  if (now.oldestUnpaidDueDate === null) return null;
  const oldest = now.oldestUnpaidDueDate;

  const candidates: { date: string; change: DelinquencyChange }[] = [];
  const next = p.buckets.find((b) => b.minDpd > now.dpd);
  if (next) {
    const change: DelinquencyChange = { kind: 'bucket', from: now.bucket, to: next.name };
    candidates.push({ date: addDays(oldest, next.minDpd), change });
  }
  if (!state.writtenOffOn && now.dpd < p.writeOffDpd) {
    candidates.push({ date: addDays(oldest, p.writeOffDpd), change: { kind: 'write_off' } });
  }
  for (const i of open) {
    const date = lateChargesFrom(i.dueDate, p.graceDays);
    if (date > today) {
      candidates.push({ date, change: { kind: 'grace_end', seq: i.seq, dueDate: i.dueDate } });
    }
  }
  const upcoming = candidates.filter((c) => c.date > today);
  if (upcoming.length === 0) return null;
  const date = upcoming.reduce((min, c) => (c.date < min ? c.date : min), upcoming[0]!.date);
  const then = assessDelinquency(state, date, p);
  return {
    date,
    dpd: then.dpd,
    bucket: then.bucket,
    stage: then.stage,
    changes: upcoming.filter((c) => c.date === date).map((c) => c.change),
  };
}

function unpaid(installments: readonly DelinquencyInstallment[]): DelinquencyInstallment[] {
  return installments.filter((i) => i.outstanding > 0);
}

function checkState(state: DelinquencyState): readonly DelinquencyInstallment[] {
  if (!state || !Array.isArray(state.installments)) {
    throw new DomainError('installments', 'installments must be a list');
  }
  state.installments.forEach((i, n) => {
    const f = `installments[${n}]`;
    if (!Number.isSafeInteger(i?.seq)) throw new DomainError(`${f}.seq`, `${f}.seq must be an integer`);
    toLocalDate(i.dueDate, `${f}.dueDate`);
    assertMinor(i.outstanding, `${f}.outstanding`);
    if (i.outstanding < 0) throw new DomainError(`${f}.outstanding`, `${f}.outstanding must not be negative`);
  });
  if (state.writtenOffOn !== undefined && state.writtenOffOn !== null) {
    toLocalDate(state.writtenOffOn, 'writtenOffOn');
  }
  return state.installments;
}
