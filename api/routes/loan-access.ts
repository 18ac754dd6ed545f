import type { Client } from '@temporalio/client';
import type { Request } from 'express';
import type { Pool } from 'pg';
import { creditLineRepository } from '../../db/credit-lines';
import type { LoanRepository } from '../../db/loans';
import { creditLineWorkflowId, getCreditLine } from '../../contracts/credit-line';
import { getLoan, type LoanView, loanWorkflowId } from '../../contracts/loan';
import { actorOf } from '../auth';
import { Problem } from '../problem';
import { viaWorkflow } from '../temporal-errors';

// How the API reaches one loan for a caller: from the read model, owned through the line's row,
// and the loan workflow's handle. Every route on /v1/loans/{id} (loans.ts, collections.ts) uses it,
// so ownership is decided once.

export interface LoanAccessDeps {
  temporal: Client;
  pool: Pool;
  loans: LoanRepository;
}

/** How long this process remembers a repayment it took, so a read right after it shows it. */
const OWN_WRITE_MS = 60_000;
const OWN_WRITES_MAX = 10_000;

export function loanAccess(deps: LoanAccessDeps) {
  const handleOf = (id: string) => deps.temporal.workflow.getHandle(loanWorkflowId(id));
  const lines = creditLineRepository(deps.pool);

  /**
   * A client reaches only loans drawn on lines it applied for; to anyone else they do not exist. The
   * line's row names its applicant; a line saved before rows kept it is asked of its workflow.
   */
  async function ownsLine(req: Request, creditLineId: string, owner?: string | null): Promise<boolean> {
    const actor = actorOf(req);
    if (actor.role !== 'client') return true;
    const known = owner ?? (await lines.ownerOf(creditLineId));
    if (known) return known === actor.id;
    const line = await viaWorkflow(`credit line ${creditLineId}`, () =>
      deps.temporal.workflow.getHandle(creditLineWorkflowId(creditLineId)).query(getCreditLine),
    ).catch((err: unknown) => {
      // A line that does not exist owns nothing; an engine that cannot answer now is a 503, not a 404.
      if (err instanceof Problem && err.status === 404) return null;
      throw err;
    });
    return line?.submittedBy === actor.id;
  }

  /**
   * Repayments this process took, by loan: the read model is written one activity after the update
   * answers, so until the row shows them a read of that loan asks the workflow (read your writes).
   */
  const ownWrites = new Map<string, { paymentIds: Set<string>; until: number }>();
  function tookPayment(loanId: string, paymentId: string): void {
    const now = Date.now();
    if (ownWrites.size >= OWN_WRITES_MAX)
      for (const [id, w] of ownWrites)
        if (w.until <= now || ownWrites.size >= OWN_WRITES_MAX) ownWrites.delete(id);
    const w = ownWrites.get(loanId) ?? { paymentIds: new Set<string>(), until: 0 };
    w.paymentIds.add(paymentId);
    w.until = now + OWN_WRITE_MS;
    ownWrites.set(loanId, w);
  }
  function showsOwnWrites(view: LoanView): boolean {
    const w = ownWrites.get(view.id);
    if (!w) return true;
    const shown = new Set(view.payments.map((p) => p.paymentId));
    if (w.until > Date.now() && [...w.paymentIds].some((p) => !shown.has(p))) return false;
    ownWrites.delete(view.id);
    return true;
  }

  /**
   * From the read model, which the workflow writes after every change: no query, so no replay of the
   * history when the loan is out of the worker's cache. A loan without a saved view yet (just drawn,
   * or saved before views were kept), or one whose row lags a repayment taken here, is queried.
   */
  async function readLoan(req: Request, id: string): Promise<LoanView> {
    req.log.setBindings({ workflowId: loanWorkflowId(id) });
    const saved = await deps.loans.findView(id);
    const fresh = saved && showsOwnWrites(saved.view);
    const view = fresh ? saved.view : await viaWorkflow(`loan ${id}`, () => handleOf(id).query(getLoan));
    if (!(await ownsLine(req, view.creditLineId, saved?.lineOwner)))
      throw Problem.notFound('id', `loan ${id}`);
    return view;
  }

  return { loans: deps.loans, handleOf, ownsLine, tookPayment, readLoan };
}
export type LoanAccess = ReturnType<typeof loanAccess>;
