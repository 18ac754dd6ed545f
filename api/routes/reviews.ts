import type { Client } from '@temporalio/client';
import { type IRouter, Router } from 'express';
import { z } from 'zod';
import type { ReviewRepository, ReviewRow } from '../../db/reviews';
import type { RefusalCode } from '../../domain/review-policy';
import {
  creditLineWorkflowId,
  decideReview,
  getReviewDossier,
  type ReviewDecisionSignal,
  type ReviewDossierView,
} from '../../contracts/credit-line';
import { actorOf } from '../auth';
import type { Metrics } from '../metrics';
import { idFromKey, type IdempotencyDeps } from '../idempotency';
import { mount } from '../mount';
import { Problem } from '../problem';
import { accepted, json, page, pathId, type RouteGroup, routeFor } from '../route';
import {
  ID_PATTERN,
  InstantSchema,
  ReviewDecisionSchema,
  ReviewDossierSchema,
  ReviewListQuerySchema,
  ReviewSchema,
} from '../schemas';
import { ruleRefusal, viaWorkflow } from '../temporal-errors';

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

/**
 * The review rules (domain/review-policy.ts) refuse in the credit line's update validator; this only
 * says how each refusal answers: a reviewer party to the application may not (403), every other
 * refusal is the review's state (409). A reason left out is the schema's 422.
 */
function refusalOf(err: unknown): Problem | undefined {
  const refused = ruleRefusal(err);
  if (!refused) return undefined;
  const code = refused.code as RefusalCode | 'NO_REVIEW' | undefined;
  if (code === 'REVIEWER_IS_PARTY') return Problem.field(403, 'review', refused.message);
  if (code === 'ALREADY_DECIDED')
    return Problem.field(409, 'review', 'you have already decided this review; a second reviewer must');
  if (code === 'NO_REVIEW' || code === 'REVIEW_CLOSED')
    return Problem.field(409, 'review', 'the review is already closed');
  return code ? Problem.field(409, 'review', refused.message) : undefined;
}

const route = routeFor<ReviewRouteDeps>();
const reviewParams = z.object({ id: pathId('rv_cl_4Jk2Xw9sQeR1bV7nT0aLmZ', 'review') });

/** The review queue (role reviewer). The workflow stays the judge of every decision. */
export const REVIEW_ROUTES: RouteGroup<ReviewRouteDeps> = {
  tag: 'Reviews',
  routes: [
    route({
      method: 'get',
      path: '/v1/reviews',
      summary: 'The review queue, oldest due first',
      roles: ['reviewer'],
      query: ReviewListQuerySchema,
      responses: { 200: json('a page of reviews', page(ReviewSchema)) },
      problems: { 400: 'a bad or unknown query parameter, or a cursor this API did not issue' },
      async handle({ ctx, res, query: { status, dueBefore, limit, cursor } }) {
        const rows = await ctx.reviews.list({
          ...(status ? { status } : {}),
          ...(dueBefore ? { dueBefore } : {}),
          ...(cursor ? { after: decodeCursor(cursor) } : {}),
          limit: limit + 1,
        });
        const shown = rows.slice(0, limit);
        const last = shown.at(-1);
        res.json({
          items: shown.map(reviewResponse),
          nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
        });
      },
    }),
    route({
      method: 'get',
      path: '/v1/reviews/{id}',
      summary:
        "One review with its dossier: score and contributions, reasons, bureau, lists, identity, the applicant's answers, decisions so far",
      roles: ['reviewer'],
      params: reviewParams,
      responses: { 200: json('the review and its dossier; the applicant masked', ReviewDossierSchema) },
      problems: { 404: 'no such review' },
      async handle({ ctx, res, params: { id } }) {
        const review = await Problem.found(ctx.reviews.find(id), 'review', id);
        const handle = ctx.temporal.workflow.getHandle(creditLineWorkflowId(review.creditLineId));
        const dossier = await viaWorkflow(`credit line ${review.creditLineId}`, () =>
          handle.query(getReviewDossier),
        );
        res.json(dossierResponse(review, dossier));
      },
    }),
    route({
      method: 'post',
      path: '/v1/reviews/{id}/decision',
      summary: 'Approve, decline or request information; the credit-line workflow applies the review rules',
      roles: ['reviewer'],
      params: reviewParams,
      body: ReviewDecisionSchema,
      example: { decision: 'approve' },
      responses: {
        202: json(
          'the decision was passed to the workflow',
          accepted({ reviewId: z.string(), creditLineId: z.string(), decision: z.string() }),
        ),
      },
      problems: {
        403: 'not a reviewer, or party to the application',
        404: 'no such review',
        409: 'already decided by this reviewer, closed, or waiting for information',
        422: 'a decline or request_info without a reason',
      },
      action: 'review.decide',
      async effect({ ctx, req, key, params: { id }, body }) {
        const reviewer = actorOf(req);
        const review = await Problem.found(ctx.reviews.find(id), 'review', id);
        const handle = ctx.temporal.workflow.getHandle(creditLineWorkflowId(review.creditLineId));
        const decision: ReviewDecisionSignal = {
          reviewerId: reviewer.id,
          decision: body.decision,
          ...(body.reason ? { reason: body.reason } : {}),
        };
        // A retry after a crash (the Idempotency-Key's claim taken over) gets the first answer back.
        const updateId = idFromKey('rd', reviewer.id, key, 'review-decision');
        await viaWorkflow(`credit line ${review.creditLineId}`, () =>
          handle.executeUpdate(decideReview, { args: [decision], updateId }).catch((err: unknown) => {
            throw refusalOf(err) ?? err;
          }),
        );
        ctx.metrics.reviewDecisions.inc({ decision: body.decision });
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
      },
    }),
  ],
};

export const reviewRoutes = (deps: ReviewRouteDeps, target: IRouter = Router()): IRouter =>
  mount(target, REVIEW_ROUTES, deps, deps);
