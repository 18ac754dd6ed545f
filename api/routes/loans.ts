import type { Client } from '@temporalio/client';
import { type Request, Router } from 'express';
import type { Pool } from 'pg';
import { creditLineRepository } from '../../db/credit-lines';
import type { LoanRepository } from '../../db/loans';
import type { WebhookEventRepository } from '../../db/webhook-events';
import { DomainError } from '../../domain/errors';
import { addDays, localDateAt } from '../../domain/localdate';
import type { Money } from '../../domain/money';
import { standingToday } from '../../domain/standing-today';
import {
  getLoan,
  getPayment,
  type LoanView,
  paymentCallback,
  payoffQuote,
  repay,
  type RepaymentRequest,
} from '../../workflows/loan-messages';
import { creditLineWorkflowId, getCreditLine, loanWorkflowId } from '../../workflows/messages';
import { actorOf, requireRole } from '../auth';
import { idFromKey, type IdempotencyDeps, idempotent } from '../idempotency';
import { Problem } from '../problem';
import { LoanListQuerySchema, PaymentWebhookSchema, PayoffQuerySchema, RepaymentSchema } from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import { parseInput, pathId, requireJson, validateBody } from '../validate';
import { SIGNATURE_HEADER, verifySignature } from '../webhook-signature';

export interface LoanRouteDeps extends IdempotencyDeps {
  temporal: Client;
  pool: Pool;
  loans: LoanRepository;
  webhookEvents: WebhookEventRepository;
  webhookSecret: string;
}

const paymentIdFor = (actor: string, key: string): string => idFromKey('pay', actor, key, 'payment');

/** Loans started before they kept the borrower's zone ran on the business calendar. */
const BUSINESS_TIME_ZONE = 'Asia/Shanghai';
/** How far past the later of today and the last due date a payoff may be quoted. */
export const PAYOFF_HORIZON_DAYS = 366;

/**
 * The date a payoff is quoted for, today in the borrower's zone by default, checked against the loan
 * before the workflow is asked: a loan without money out has no payoff (409), and a date before the
 * disbursement (or the last prepayment, from which interest accrues again) or past the horizon is
 * refused naming `date` (422).
 */
export function payoffDate(view: LoanView, asked: string | undefined, nowMs: number): string {
  if (!view.disbursement || view.installments.length === 0)
    throw Problem.field(409, 'loan', `the loan is ${view.status}; it has no payoff before it is disbursed`);
  const today = localDateAt(nowMs, view.timeZone ?? BUSINESS_TIME_ZONE);
  const date = asked ?? today;
  const from = view.payments
    .filter((p) => p.kind === 'prepayment')
    .reduce((d, p) => (p.date > d ? p.date : d), view.disbursement.date);
  if (date < from)
    throw Problem.field(
      422,
      'date',
      `is before ${from}: a payoff is quoted from the disbursement, or the last prepayment, on`,
    );
  const lastDue = view.installments.at(-1)!.dueDate;
  const until = addDays(lastDue > today ? lastDue : today, PAYOFF_HORIZON_DAYS);
  if (date > until)
    throw Problem.field(422, 'date', `is after ${until}, the last date a payoff is quoted for`);
  return date;
}

/** The view with DPD, bucket and stage counted to today (see standingToday): a bucket boundary the loan has not yet woken for (a worker outage) shows at once. */
export function asOfToday(view: LoanView, nowMs: number): LoanView {
  const standing = standingToday(view, nowMs);
  return standing ? { ...view, ...standing } : view;
}

/** How long this process remembers a repayment it took, so a read right after it shows it. */
const OWN_WRITE_MS = 60_000;
const OWN_WRITES_MAX = 10_000;

/** The wire view: the loan without bookkeeping internals (the schedule has its own route). */
export function loanResponse(view: LoanView) {
  const {
    customerId: _c,
    installments: _i,
    reminders: _r,
    receivable: _rc,
    ledgerPending: _l,
    version: _v,
    buckets: _b,
    ...wire
  } = view;
  return wire;
}

/** Loans (role client for its own, ops for all), repayments and payoff quotes, and provider callbacks. */
export function loanRoutes(deps: LoanRouteDeps): Router {
  const router = Router();
  router.param('id', pathId);
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
    ).catch(() => null);
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

  router.get('/v1/loans', requireRole('client', 'ops'), async (req, res) => {
    const { cursor, creditLineId, ...filters } = parseInput(LoanListQuerySchema, req.query);
    if (actorOf(req).role === 'client') {
      if (!creditLineId)
        throw Problem.field(400, 'creditLineId', 'a client lists the loans of one of its lines');
      if (!(await ownsLine(req, creditLineId)))
        throw Problem.notFound('creditLineId', `credit line ${creditLineId}`);
    }
    const page = await deps.loans
      .list({
        ...filters,
        ...(creditLineId ? { creditLineId } : {}),
        ...(cursor ? { after: cursor } : {}),
      })
      .catch((err: unknown) => {
        // A cursor this API did not issue is a malformed request, not a broken rule.
        if (err instanceof DomainError && err.field === 'after')
          throw Problem.field(400, 'cursor', err.message);
        throw err;
      });
    res.json({ items: page.items, nextCursor: page.next });
  });

  router.get('/v1/loans/:id', requireRole('client', 'ops'), async (req, res) => {
    res.json(loanResponse(asOfToday(await readLoan(req, String(req.params.id)), Date.now())));
  });

  router.get('/v1/loans/:id/schedule', requireRole('client', 'ops'), async (req, res) => {
    const view = await readLoan(req, String(req.params.id));
    res.json({
      currency: view.principal.currency,
      installments: view.installments.map(
        ({ seq, dueDate, principal, interest, fees, total, paid, balanceAfter, status }) => ({
          seq,
          dueDate,
          principal,
          interest,
          fees,
          total,
          paid,
          balanceAfter,
          status,
        }),
      ),
    });
  });

  router.get('/v1/loans/:id/payoff-quote', requireRole('client', 'ops'), async (req, res) => {
    const { date: asked } = parseInput(PayoffQuerySchema, req.query);
    const id = String(req.params.id);
    const date = payoffDate(await readLoan(req, id), asked, Date.now());
    res.json(await viaWorkflow(`loan ${id}`, () => handleOf(id).query(payoffQuote, date)));
  });

  router.post(
    '/v1/loans/:id/repayments',
    requireRole('client'),
    validateBody(RepaymentSchema),
    idempotent(deps, 'loan.repayment', async (req, key) => {
      const id = String(req.params.id);
      await readLoan(req, id);
      const body = req.body as { amount: Money; channel: string; mode?: RepaymentRequest['mode'] };
      // The payment id comes from the key: a retried request is the same payment, never a second one.
      const request: RepaymentRequest = { ...body, paymentId: paymentIdFor(actorOf(req).id, key) };
      const result = await viaWorkflow(`loan ${id}`, () =>
        handleOf(id)
          .executeUpdate(repay, { args: [request] })
          // A retry of a payment that closed the loan (its first answer lost with a crashed process)
          // finds the workflow completed: the closed run still says what that payment got.
          .catch(
            async (err: unknown) =>
              (await handleOf(id).query(getPayment, request.paymentId)) ?? Promise.reject(err),
          ),
      );
      tookPayment(id, result.paymentId);
      return { status: 201, body: result, subject: id };
    }),
  );

  router.post('/v1/webhooks/payments', requireJson, async (req, res) => {
    const raw = (req as unknown as { rawBody?: Buffer }).rawBody ?? Buffer.alloc(0);
    const check = verifySignature(
      deps.webhookSecret,
      req.header(SIGNATURE_HEADER),
      raw,
      Math.floor(Date.now() / 1000),
    );
    if (!check.ok) throw Problem.field(401, SIGNATURE_HEADER, check.reason);
    const e = parseInput(PaymentWebhookSchema, req.body);
    if (!(await deps.webhookEvents.claim(e))) {
      res.json({ eventId: e.eventId, duplicate: true });
      return;
    }
    try {
      await viaWorkflow(`loan ${e.loanId}`, () =>
        handleOf(e.loanId).signal(paymentCallback, {
          eventId: e.eventId,
          kind: e.type === 'payment.succeeded' ? 'success' : 'reversal',
          paymentId: e.paymentId,
          amount: e.amount as Money,
        }),
      );
    } catch (err) {
      await deps.webhookEvents.release(e.eventId);
      throw err;
    }
    res.status(202).json({ eventId: e.eventId, accepted: true });
  });

  return router;
}
