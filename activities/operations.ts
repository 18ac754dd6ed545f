import { createHash } from 'node:crypto';
import { Context, heartbeat, log } from '@temporalio/activity';
import type { StatementItem } from '../contracts/providers/bank';
import type { CashEntry, LoanUnderReview, ReconciliationBreak } from '../db/operations';
import { type LedgerAccount, loanPosition } from '../domain/ledger';
import { addDays } from '../domain/localdate';
import type { LoanView } from '../contracts/loan';
import type { ActivityDeps } from './deps';
import { failFastWhenHopeless } from './failures';

export type OperationsActivityDeps = ActivityDeps<'bank', 'operations'> & {
  /** The loan workflow's own view (its getLoan query); null when no such workflow exists. */
  loanState(loanId: string): Promise<LoanView | null>;
  /** A difference seen once may be a loan mid-step; it is a break only if it is still there this much later. */
  recheckAfterMs?: number;
};

export interface ReconcileRequest {
  businessDate: string;
  /** Only these loans (an operator re-checking a few); absent: the whole book. */
  loanIds?: string[];
  runId: string;
}

export interface ReconcileOutcome {
  businessDate: string;
  scope: string;
  loansChecked: number;
  statementItems: number;
  breaks: ReconciliationBreak[];
}

/** The daily jobs' activities. They read the books and write reports; they never correct anything. */
export function createOperationsActivities(deps: OperationsActivityDeps) {
  return failFastWhenHopeless({
    async reconcileBooks(req: ReconcileRequest): Promise<ReconcileOutcome> {
      const scope = scopeOf(req.loanIds);
      const inScope = (loanId: string) => !req.loanIds || req.loanIds.includes(loanId);
      const statements = await Promise.all(
        [-1, 0, 1].map((d) => deps.bank.statement(addDays(req.businessDate, d))),
      );
      const atBank = statements.flatMap((s) => s.items).filter((i) => inScope(loanIdOfKey(i.idempotencyKey)));
      const onDay = statements[1]!.items.filter((i) => inScope(loanIdOfKey(i.idempotencyKey)));
      const booked = await deps.operations.cashEntries(onDay.map(sourceEventOf));
      const bookedOnDay = await deps.operations.bankCashEntriesOn(req.businessDate, req.loanIds);
      const breaks = bankBreaks(onDay, booked, atBank, bookedOnDay);

      const loans = await deps.operations.loansToReconcile(req.businessDate, req.loanIds);
      let positionBreaks = await positions(deps, loans);
      if (positionBreaks.length > 0) {
        heartbeat('rechecking');
        await new Promise((r) => setTimeout(r, deps.recheckAfterMs ?? 2_000));
        const suspects = new Set(positionBreaks.map((b) => b.loanId));
        positionBreaks = await positions(
          deps,
          await deps.operations.loansToReconcile(req.businessDate, [...suspects]),
        );
      }
      breaks.push(...positionBreaks);

      await deps.operations.saveReport({
        businessDate: req.businessDate,
        scope,
        runId: req.runId,
        loansChecked: loans.length,
        statementItems: onDay.length,
        breaks,
      });
      if (breaks.length > 0) {
        Context.current()
          .metricMeter.createCounter(
            'loanflow_reconciliation_breaks',
            'breaks',
            'Reconciliation breaks found',
          )
          .add(breaks.length, { scope: scope === 'all' ? 'all' : 'loans' });
        log.error('reconciliation found breaks', {
          businessDate: req.businessDate,
          scope,
          breaks: breaks.map((b) => `${b.loanId} ${b.kind}`),
        });
      }
      return {
        businessDate: req.businessDate,
        scope,
        loansChecked: loans.length,
        statementItems: onDay.length,
        breaks,
      };
    },

    async writePortfolioSnapshot(businessDate: string): Promise<{ rows: number; loans: number }> {
      return deps.operations.snapshotPortfolio(businessDate);
    },
  });
}

export type OperationsActivities = ReturnType<typeof createOperationsActivities>;

/** 'all', or a stable name for a set of loans, so a scoped re-check never replaces the whole day's report. */
export function scopeOf(loanIds?: readonly string[]): string {
  if (!loanIds) return 'all';
  return `loans:${createHash('sha256')
    .update([...loanIds].sort().join(','))
    .digest('hex')
    .slice(0, 16)}`;
}

// The loan's bank keys: its disbursement, each autopay attempt (scheduled slots and collection's
// retries alike) and each refund of credit. Loan ids hold no colon, so the first one ends the id.
const KEY = /^([^:]+):(disbursement|autopay:.+|refund:\d+)$/;

function loanIdOfKey(key: string): string {
  return KEY.exec(key)?.[1] ?? key;
}

/** The journal entry a bank movement should have become (workflows/loan.ts, domain/loan.ts name them). */
function sourceEventOf(item: StatementItem): string {
  const m = KEY.exec(item.idempotencyKey);
  if (!m) return item.idempotencyKey;
  return m[2]!.startsWith('autopay:') ? `${m[1]}:payment:${m[2]}` : `${m[1]}:${m[2]}`;
}

/**
 * Every movement on the day's statement is booked for the same amount, and every disbursement or
 * autopay collection booked that day is at the bank (on that day or a neighbour, since the bank's
 * business day and the borrower's local date may straddle midnight differently).
 */
export function bankBreaks(
  onDay: readonly StatementItem[],
  booked: readonly CashEntry[],
  atBank: readonly StatementItem[],
  bookedOnDay: readonly CashEntry[],
): ReconciliationBreak[] {
  const out: ReconciliationBreak[] = [];
  const bySource = new Map(booked.map((e) => [e.sourceEventId, e]));
  for (const item of onDay) {
    const loanId = loanIdOfKey(item.idempotencyKey);
    const entry = bySource.get(sourceEventOf(item));
    const bank = { reference: item.reference, key: item.idempotencyKey, amount: item.amountMinor };
    if (!entry)
      out.push({
        loanId,
        kind: 'bank_item_not_booked',
        expected: bank,
        actual: null,
        detail: `${item.kind} ${item.reference} of ${item.amountMinor} is on the bank statement but not in the ledger`,
      });
    else if (entry.cash !== item.amountMinor)
      out.push({
        loanId,
        kind: 'bank_amount_mismatch',
        expected: bank,
        actual: { sourceEventId: entry.sourceEventId, cash: entry.cash },
        detail: `${item.kind} ${item.reference}: bank ${item.amountMinor}, ledger ${entry.cash}`,
      });
  }
  const bankSources = new Set(atBank.map(sourceEventOf));
  for (const e of bookedOnDay) {
    if (!bankSources.has(e.sourceEventId))
      out.push({
        loanId: e.loanId,
        kind: 'booked_not_at_bank',
        expected: { sourceEventId: e.sourceEventId, cash: e.cash },
        actual: null,
        detail: `${e.sourceEventId} moved ${e.cash} in the ledger; the bank has no such ${e.kind}`,
      });
  }
  return out;
}

async function positions(
  deps: OperationsActivityDeps,
  loans: readonly LoanUnderReview[],
): Promise<ReconciliationBreak[]> {
  const balances = await deps.operations.balances(loans.map((l) => l.id));
  const out: ReconciliationBreak[] = [];
  for (const [i, loan] of loans.entries()) {
    if (i % 50 === 0) heartbeat(i);
    out.push(...positionBreaks(loan, balances.get(loan.id) ?? {}, await deps.loanState(loan.id)));
  }
  return out;
}

/** Ledger against the read model, and ledger against the workflow (once the workflow's entries are all posted). */
export function positionBreaks(
  loan: LoanUnderReview,
  balances: Partial<Record<LedgerAccount, number>>,
  workflow: LoanView | null,
): ReconciliationBreak[] {
  const p = loanPosition(balances);
  const out: ReconciliationBreak[] = [];
  if (p.outstanding !== loan.outstanding || p.credit !== loan.creditBalance)
    out.push({
      loanId: loan.id,
      kind: 'ledger_vs_read_model',
      expected: { outstanding: p.outstanding, credit: p.credit },
      actual: { outstanding: loan.outstanding, credit: loan.creditBalance },
      detail: `ledger outstanding ${p.outstanding} (credit ${p.credit}), read model ${loan.outstanding} (credit ${loan.creditBalance})`,
    });
  if (!workflow) {
    if (['disbursing', 'active', 'delinquent'].includes(loan.status))
      out.push({
        loanId: loan.id,
        kind: 'workflow_missing',
        expected: { status: loan.status },
        actual: null,
        detail: `the read model says ${loan.status}, but there is no loan workflow`,
      });
    return out;
  }
  if (workflow.ledgerPending > 0) return out;
  const ledger = { ...pick(p), credit: p.credit };
  const state = { ...workflow.receivable, credit: workflow.creditBalance.amount };
  if (Object.entries(ledger).some(([k, v]) => state[k as keyof typeof state] !== v))
    out.push({
      loanId: loan.id,
      kind: 'ledger_vs_workflow',
      expected: ledger,
      actual: state,
      detail: `ledger ${JSON.stringify(ledger)}, workflow ${JSON.stringify(state)}`,
    });
  return out;
}

function pick(p: ReturnType<typeof loanPosition>) {
  return { principal: p.principal, interest: p.interest, fees: p.fees, penalty: p.penalty };
}
