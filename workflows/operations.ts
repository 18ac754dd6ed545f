import { log, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { OperationsActivities, ReconcileOutcome } from '../activities/operations';
import { addDays, localDateAt } from '../domain/localdate';
import { retry } from './retry-policies';

/** The zone whose calendar names the business day the daily jobs run for. */
export const BUSINESS_TIME_ZONE = 'Asia/Shanghai';

export interface DailyJobInput {
  /** ISO date; absent (a scheduled run): the business day that ended before this run started. */
  businessDate?: string;
}

export interface ReconcileInput extends DailyJobInput {
  /** Re-check only these loans; their report is kept apart from the whole book's. */
  loanIds?: string[];
}

/** A whole book is read loan by loan, so the activity heartbeats and may take a while. */
const jobs = proxyActivities<OperationsActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry,
});

function businessDateOf(input: DailyJobInput): string {
  return (
    input.businessDate ?? addDays(localDateAt(workflowInfo().startTime.getTime(), BUSINESS_TIME_ZONE), -1)
  );
}

/**
 * Daily reconciliation: the ledger against each loan's workflow and read model, and against the
 * bank's statement. Differences are reported (table, log, metric, this result) for a person to
 * resolve; nothing is corrected here, since a wrong automatic fix would hide the cause.
 */
export async function reconcile(input: ReconcileInput = {}): Promise<ReconcileOutcome> {
  const businessDate = businessDateOf(input);
  setCurrentDetails(`Reconciling the books of ${businessDate}`);
  const outcome = await jobs.reconcileBooks({
    businessDate,
    runId: workflowInfo().runId,
    ...(input.loanIds ? { loanIds: input.loanIds } : {}),
  });
  const summary = `${outcome.loansChecked} loans and ${outcome.statementItems} bank movements of ${businessDate}: ${outcome.breaks.length} breaks`;
  if (outcome.breaks.length > 0) {
    log.error('reconciliation breaks', { businessDate, breaks: outcome.breaks.length });
    setCurrentDetails(
      [summary, ...outcome.breaks.slice(0, 20).map((b) => `- ${b.loanId} ${b.kind}: ${b.detail}`)].join('\n'),
    );
  } else setCurrentDetails(summary);
  return outcome;
}

export interface SnapshotOutcome {
  businessDate: string;
  rows: number;
  loans: number;
}

/** Daily portfolio snapshot: the book by product, bucket and vintage as it stood, for lagged rates and vintages. */
export async function snapshotPortfolio(input: DailyJobInput = {}): Promise<SnapshotOutcome> {
  const businessDate = businessDateOf(input);
  const written = await jobs.writePortfolioSnapshot(businessDate);
  setCurrentDetails(`Portfolio of ${businessDate}: ${written.loans} loans in ${written.rows} rows`);
  return { businessDate, ...written };
}
