import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { ReviewRepository, ReviewRow } from '../../db/reviews';
import {
  creditLineWorkflowId,
  getCreditLine,
  getReviewDossier,
  reviewDecision,
  type ReviewDecisionSignal,
  type ReviewDossierView,
} from '../../workflows/messages';
import { actorOf, requireRole } from '../auth';
import type { Metrics } from '../metrics';
import { type IdempotencyDeps, idempotent } from '../idempotency';
import { Problem } from '../problem';
import { ID_PATTERN, InstantSchema, ReviewDecisionSchema, ReviewListQuerySchema } from '../schemas';
import { viaWorkflow } from '../temporal-errors';
import { parseInput, pathId, validateBody } from '../validate';

export interface ReviewRouteDeps extends IdempotencyDeps {
  metrics: Metrics;
  temporal: Client;
  reviews: ReviewRepository;
}

const reviewResponse = (r: ReviewRow) => ({
  id: r.id,
  creditLineId: r.creditLineId,
  status: r.status,
  reviewersRequired: r.reviewersRequired,
  approvals: r.approvals,
  proposedLimit: { amount: r.proposedLimit, currency: r.currency },
  grade: r.grade,
  escalations: r.escalations,
  dueAt: r.dueAt,
});

/** PII never leaves the API whole: a name's first character, a number's last four digits. */
const initial = (name: string) =>
  `${Array.from(name)[0] ?? ''}${'*'.repeat(Math.min(2, Math.max(0, Array.from(name).length - 1)))}`;
const lastFour = (digits: string) => `****${digits.slice(-4)}`;

function dossierResponse(r: ReviewRow, d: ReviewDossierView) {
  const a = d.assessment;
  const money = (amount: number) => ({ amount, currency: r.currency });
  return {
    ...reviewResponse(r),
    // The workflow is fresher than the projection the queue reads.
    ...(d.review
      ? {
          status: d.review.status,
          approvals: d.review.approvals,
          escalations: d.review.escalations,
          dueAt: d.review.deadlineAt,
        }
      : {}),
    lineStatus: d.line.status,
    productCode: d.line.productCode,
    timeZone: d.timeZone,
    requestedLimit: d.requestedLimit,
    applicant: {
      name: initial(d.applicant.name),
      idNumber: lastFour(d.applicant.idNumber),
      phone: lastFour(d.applicant.phone),
      bankCard: lastFour(d.applicant.bankCard),
    },
    score: a?.score
      ? {
          value: a.score.score,
          grade: a.score.grade,
          scorecardVersion: a.score.scorecardVersion,
          contributions: a.score.contributions,
        }
      : null,
    reasons: d.line.reasons,
    bureau: a?.bureau
      ? {
          reportId: a.bureau.reportId,
          pulledAt: a.bureau.pulledAt,
          score: a.bureau.score,
          currentDebts: money(a.bureau.currentDebtsMinor),
          overdueCountLast24m: a.bureau.overdueCountLast24m,
          maxDpdLast24m: a.bureau.maxDpdLast24m,
        }
      : null,
    screening: a ? a.screening : null,
    identity: a ? a.identity : null,
    info: d.info.map((i) => ({
      ...(i.monthlyIncome ? { monthlyIncome: i.monthlyIncome } : {}),
      ...(i.occupation ? { occupation: i.occupation } : {}),
      ...(i.emergencyContact
        ? {
            emergencyContact: {
              name: initial(i.emergencyContact.name),
              phone: lastFour(i.emergencyContact.phone),
              relation: i.emergencyContact.relation,
            },
          }
        : {}),
    })),
    decisions: (d.review?.history ?? []).flatMap((e) =>
      e.type === 'decision' && e.reviewerId && e.decision
        ? [
            {
              reviewerId: e.reviewerId,
              decision: e.decision,
              ...(e.reason ? { reason: e.reason } : {}),
              at: e.at,
            },
          ]
        : [],
    ),
    history: d.review?.history ?? [],
  };
}

const encodeCursor = (r: ReviewRow) =>
  Buffer.from(JSON.stringify({ dueAt: r.dueAt, id: r.id })).toString('base64url');
/** Both halves are checked, so a forged cursor never reaches SQL as a timestamp or an id. */
function decodeCursor(cursor: string): { dueAt: string; id: string } {
  try {
    const c = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { dueAt?: unknown; id?: unknown };
    if (InstantSchema.safeParse(c.dueAt).success && typeof c.id === 'string' && ID_PATTERN.test(c.id))
      return { dueAt: c.dueAt as string, id: c.id };
  } catch {
    // fall through to the problem below
  }
  throw Problem.field(400, 'cursor', 'is not a cursor this API issued');
}

/** The review queue (role reviewer). The workflow stays the judge of every decision. */
export function reviewRoutes(deps: ReviewRouteDeps): Router {
  const router = Router();
  router.param('id', pathId);

  router.get('/v1/reviews', requireRole('reviewer'), async (req, res) => {
    const { status, dueBefore, limit, cursor } = parseInput(ReviewListQuerySchema, req.query);
    const rows = await deps.reviews.list({
      ...(status ? { status } : {}),
      ...(dueBefore ? { dueBefore } : {}),
      ...(cursor ? { after: decodeCursor(cursor) } : {}),
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    res.json({
      items: page.map(reviewResponse),
      nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
    });
  });

  router.get('/v1/reviews/:id', requireRole('reviewer'), async (req, res) => {
    const review = await deps.reviews.find(String(req.params.id));
    if (!review) throw Problem.notFound('id', `review ${String(req.params.id)}`);
    const handle = deps.temporal.workflow.getHandle(creditLineWorkflowId(review.creditLineId));
    const dossier = await viaWorkflow(`credit line ${review.creditLineId}`, () =>
      handle.query(getReviewDossier),
    );
    res.json(dossierResponse(review, dossier));
  });

  router.post(
    '/v1/reviews/:id/decision',
    requireRole('reviewer'),
    validateBody(ReviewDecisionSchema),
    idempotent(deps, 'review.decide', async (req) => {
      const reviewer = actorOf(req);
      const review = await deps.reviews.find(String(req.params.id));
      if (!review) throw Problem.notFound('id', `review ${String(req.params.id)}`);
      const handle = deps.temporal.workflow.getHandle(creditLineWorkflowId(review.creditLineId));
      // Refuse here what the workflow would ignore, so the reviewer hears why.
      const line = await viaWorkflow(`credit line ${review.creditLineId}`, () => handle.query(getCreditLine));
      const open = line.review;
      if (!open || !['pending', 'info_requested'].includes(open.status))
        throw Problem.field(409, 'review', `the review is already ${open?.status ?? 'closed'}`);
      if (open.status === 'info_requested')
        throw Problem.field(409, 'review', 'the review waits for information from the applicant');
      if (line.submittedBy === reviewer.id)
        throw Problem.field(403, 'review', 'a reviewer cannot decide an application they are party to');
      if (open.approvals.includes(reviewer.id))
        throw Problem.field(409, 'review', 'you have already decided this review; a second reviewer must');
      const body = req.body as { decision: ReviewDecisionSignal['decision']; reason?: string };
      const signal: ReviewDecisionSignal = {
        reviewerId: reviewer.id,
        decision: body.decision,
        ...(body.reason ? { reason: body.reason } : {}),
      };
      await viaWorkflow(`credit line ${review.creditLineId}`, () => handle.signal(reviewDecision, signal));
      deps.metrics.reviewDecisions.inc({ decision: body.decision });
      return {
        status: 202,
        body: {
          reviewId: review.id,
          creditLineId: review.creditLineId,
          decision: body.decision,
          accepted: true,
        },
        subject: review.id,
      };
    }),
  );

  return router;
}
