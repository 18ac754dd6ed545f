import type { Client } from '@temporalio/client';
import { Router } from 'express';
import type { ReviewRepository, ReviewRow } from '../../db/reviews';
import {
  creditLineWorkflowId,
  getCreditLine,
  reviewDecision,
  type ReviewDecisionSignal,
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
