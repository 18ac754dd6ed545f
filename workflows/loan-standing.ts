import {
  getExternalWorkflowHandle,
  log,
  ParentClosePolicy,
  proxyLocalActivities,
  startChild,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { LoanActivities } from '../activities/loan';
import { nextBureauFiling } from '../domain/bureau-reporting';
import { type Bucket, bucketFor } from '../domain/delinquency';
import { type LoanBook, openOf, owedBy, payoffOf } from '../domain/loan';
import type { Servicing } from '../domain/loan-servicing';
import { collection, type CollectionRun } from './collection';
import { collectionWorkflowId, delinquencyUpdate, type DelinquencyUpdate } from '../contracts/collection';
import { type LoanView, type LoanInput } from '../contracts/loan';
import {
  creditLineWorkflowId,
  type LimitRelease,
  loanStanding,
  releaseLimit,
} from '../contracts/credit-line';
import { retry } from './retry-policies';

/** What the loan lends its standing: its input and settings, and readers of its current state. */
export interface StandingContext {
  input: LoanInput;
  bureauReportFromDpd: number;
  buckets?: readonly Bucket[];
  collection?: CollectionRun['settings'];
  servicing: Servicing;
  book: LoanBook;
  today: string;
  receivedTotal: number;
}

const bureau = proxyLocalActivities<LoanActivities>({
  startToCloseTimeout: '30 seconds',
  retry,
  summary: 'bureau filing',
});

/**
 * After every change to a loan, the parties that follow it hear what they need to: its collection
 * (started when it turns late, told of every change, ending itself on a cure), its credit line (held
 * while it is late or written off) and the credit bureau.
 */
export async function keepStanding(ctx: StandingContext, v: LoanView): Promise<void> {
  const late = v.status === 'delinquent';
  await tellCollection(ctx, v, late);
  const hold = late || v.status === 'written_off';
  if (hold !== ctx.servicing.held) {
    try {
      await getExternalWorkflowHandle(creditLineWorkflowId(ctx.input.creditLineId)).signal(loanStanding, {
        loanId: ctx.input.loanId,
        delinquent: hold,
      });
    } catch (err) {
      log.warn('credit line not told of the loan standing', {
        loanId: ctx.input.loanId,
        error: (err as Error).message,
      });
    }
    ctx.servicing.held = hold;
  }
  await reportToBureau(ctx, v);
}

async function tellCollection(ctx: StandingContext, v: LoanView, late: boolean): Promise<void> {
  const { input, servicing } = ctx;
  const c = servicing.collection;
  if (!c && !late) return;
  const update = delinquencyUpdateOf(ctx, v);
  const sent = JSON.stringify({ ...update, asOf: null });
  if (!c) {
    servicing.collection = { episode: update.oldestDueDate ?? update.asOf, sent };
    try {
      await startChild(collection, {
        workflowId: collectionWorkflowId(input.loanId),
        args: [
          {
            loanId: input.loanId,
            creditLineId: input.creditLineId,
            customerId: input.customerId,
            productCode: input.productCode,
            timeZone: input.timeZone,
            currency: input.principal.currency,
            borrower: { phone: input.borrower.phone },
            first: update,
            ...(ctx.buckets ? { buckets: [...ctx.buckets] } : {}),
          },
          ctx.collection ? { settings: ctx.collection } : {},
        ],
        // The loan continues as new many times; its collection must outlive each run.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        staticSummary: `Collection of loan ${input.loanId}`,
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      await signalCollection(input.loanId, update);
    }
    return;
  }
  if (sent !== c.sent) {
    await signalCollection(input.loanId, update);
    c.sent = sent;
  }
  if (!late) servicing.collection = null;
}

async function signalCollection(loanId: string, update: DelinquencyUpdate): Promise<void> {
  try {
    await getExternalWorkflowHandle(collectionWorkflowId(loanId)).signal(delinquencyUpdate, update);
  } catch (err) {
    log.warn('collection not signalled', { loanId, error: (err as Error).message });
  }
}

function delinquencyUpdateOf(ctx: StandingContext, v: LoanView): DelinquencyUpdate {
  const { book, today, servicing } = ctx;
  const open = v.status === 'delinquent' || v.status === 'active';
  return {
    asOf: today,
    status: v.status,
    dpd: v.dpd,
    bucket: v.bucket,
    stage: v.status === 'written_off' ? 'written_off' : bucketFor(v.dpd, ctx.buckets).stage,
    oldestDueDate: oldestDueDate(book),
    overdue: open ? owedBy(book, today) : 0,
    outstanding: open ? payoffOf(book, today).amount : 0,
    receivable: v.receivable,
    receivedTotal: ctx.receivedTotal,
    ...(servicing.settledBy ? { settledBy: servicing.settledBy } : {}),
  };
}

async function reportToBureau(ctx: StandingContext, v: LoanView): Promise<void> {
  const { input, servicing, today } = ctx;
  const filing = nextBureauFiling(
    { status: v.status, dpd: v.dpd, bucket: v.bucket, oldestDueDate: oldestDueDate(ctx.book) },
    servicing.bureau,
    ctx.bureauReportFromDpd,
    today,
  );
  if (!filing) return;
  try {
    await bureau.fileBureauReport({
      idempotencyKey: `${input.loanId}:bureau:${filing.episode}:${filing.tag}`,
      loanId: input.loanId,
      customerId: input.customerId,
      status: filing.status,
      dpd: v.dpd,
      bucket: v.bucket,
      outstandingMinor: v.outstanding.amount,
      currency: v.outstanding.currency,
      asOf: today,
    });
    servicing.bureau = { episode: filing.episode, last: filing.tag };
  } catch (err) {
    // Filed at the next change instead; a bureau outage must not stall servicing.
    log.warn('bureau report not filed', { loanId: input.loanId, error: (err as Error).message });
  }
}

const oldestDueDate = (book: LoanBook): string | null =>
  book.installments.find((i) => openOf(i) > 0)?.dueDate ?? null;

/** The loan no longer holds its principal of the line: paid out and settled, or never paid out. */
export async function giveBackLimit(
  input: LoanInput,
  reason: LimitRelease['reason'],
  clean: boolean,
): Promise<void> {
  try {
    await getExternalWorkflowHandle(creditLineWorkflowId(input.creditLineId)).signal(releaseLimit, {
      loanId: input.loanId,
      amount: input.principal,
      reason,
      clean,
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
