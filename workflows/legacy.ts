import { log } from '@temporalio/workflow';
import { type Bucket, LEGACY_BUCKETS } from '../domain/delinquency';
import { type AgendaStep, type LoanBook, nextStep } from '../domain/loan';
// Types only: loan-context reaches collection.ts, which asks this module for its buckets.
import type { LoanContext } from './loan-context';

// What runs started on older code still do, so that they replay as they ran (test/histories), kept
// apart so that loan.ts and collection.ts read as the process a new run follows. Each piece names the
// patch of workflows/patches.ts, or the missing field, that sends a run here, and goes when no run
// that can reach it is open.

/**
 * The buckets of a loan whose first run began before patch `seed-buckets`, and of a loan carried on
 * from a run older than kept buckets: a loan is measured by the buckets it began with for life. The
 * carried case outlives the patch: it goes once no loan begun before buckets were kept is open.
 */
export function loanBucketsBeforeSeed(): Bucket[] {
  return [...LEGACY_BUCKETS];
}

/**
 * The buckets a collection works by when its loan passed none (started before loans kept them, see
 * `buckets` in contracts/collection.ts): such a loan is on the earlier ranges. Goes once no
 * collection started without `buckets` is open (a continued run carries the same input).
 */
export function collectionBuckets(given: readonly Bucket[] | undefined): readonly Bucket[] {
  return given ?? LEGACY_BUCKETS;
}

// ---- a loan run begun before patch `delinquency-collection` -----------------------------------------

type BucketStep = Extract<AgendaStep, { kind: 'bucket' }>;

/**
 * The first agenda: reminders and autopay attempts of each open installment, and a wake at each
 * bucket boundary of a late loan. No late charges, thresholds, write-off or month ends.
 */
export function stepBeforeCollection(book: LoanBook, ctx: LoanContext): AgendaStep | null {
  return nextStep(book, ctx.terms.cal, ctx.s.watermark);
}

/** Such a run only publishes the new DPD and bucket: it has no collection, line hold or bureau to tell. */
export function bucketCrossed(ctx: LoanContext, step: BucketStep): void {
  log.info('loan entered a new delinquency bucket', {
    loanId: ctx.input.loanId,
    seq: step.seq,
    bucket: step.bucket,
  });
  ctx.changed = true;
}
