import { type Bucket, bucketFor, type BucketStage, daysPastDue } from './delinquency';
import { localDateAt } from './localdate';

export interface LoanStanding {
  dpd: number;
  bucket: string;
  stage: BucketStage;
}

/** What today's standing needs of a loan; the view the workflow publishes has all of it. */
export interface StandingInput {
  status: string;
  timeZone?: string;
  buckets?: Bucket[];
  installments: readonly { dueDate: string; status: string }[];
}

/**
 * DPD, bucket and stage counted to `nowMs` on the borrower's calendar. A loan sleeps between its
 * thresholds and what it last published is as of its last wake, so a reader counts again: an M1 loan
 * reads DPD 12 on its twelfth day. Null when the loan is not in service (its published standing is
 * final) or began before it kept its zone.
 */
export function standingToday(loan: StandingInput, nowMs: number): LoanStanding | null {
  if (!loan.timeZone || (loan.status !== 'active' && loan.status !== 'delinquent')) return null;
  const oldest = loan.installments.find((i) => i.status !== 'paid');
  const dpd = daysPastDue(oldest?.dueDate ?? null, localDateAt(nowMs, loan.timeZone));
  const bucket = bucketFor(dpd, loan.buckets);
  return { dpd, bucket: bucket.name, stage: bucket.stage };
}
