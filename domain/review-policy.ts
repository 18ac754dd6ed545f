import { DomainError } from './errors';
import { parseInstant } from './localdate';

/**
 * Manual credit review (docs/design.md, "Business rules"): maker-checker above the higher threshold, no reviewer on an
 * application they are party to, a deadline with one escalation, and a missed deadline that
 * declines, never approves. State is plain JSON (ISO strings, arrays) so it lives in workflow
 * history and queries as is; every function returns a new state and leaves its argument untouched.
 *
 * Choices made here:
 * - "Party" = the applicant's customer id and the actor that submitted the application (a partner
 *   agent, a staff member keying it in). Both are fixed when the review opens.
 * - A reviewer decides at most once: after approving they cannot approve again (that would be
 *   maker-checker with one person) nor change their mind; request_info is not a decision.
 * - The deadline runs through a request for information: an applicant who never answers ends in
 *   expiry (declined), so no review lingers. Approvals given before the request are kept.
 */

export type ReviewStatus = 'pending' | 'info_requested' | 'approved' | 'declined' | 'expired';
export type ReviewAction = 'approve' | 'decline' | 'request_info';

export interface ReviewDecision {
  reviewerId: string;
  decision: ReviewAction;
  /** Required for decline and request_info; shown to the auditor, and for a decline to the customer. */
  reason?: string;
  /** ISO instant. */
  at: string;
}

export type ReviewEvent =
  | ({ type: 'decision' } & ReviewDecision)
  | { type: 'info_received'; at: string }
  | { type: 'escalated'; at: string; deadlineAt: string; to: string }
  | { type: 'expired'; at: string };

export type ReviewReasonCode = 'REVIEW_APPROVED' | 'REVIEW_DECLINED' | 'REVIEW_EXPIRED';

export interface ReviewOutcome {
  decision: 'approve' | 'decline';
  reasons: { code: ReviewReasonCode; message: string }[];
}

export interface ReviewState {
  status: ReviewStatus;
  reviewersRequired: 1 | 2;
  partyIds: string[];
  /** Reviewer ids that approved, in order. */
  approvals: string[];
  /** ISO instant. */
  deadlineAt: string;
  escalations: number;
  history: ReviewEvent[];
  outcome: ReviewOutcome | null;
}

export interface ReviewPolicy {
  /** How long the escalated reviewer gets, counted from the missed deadline. */
  escalationWindowMs: number;
  escalateTo: string;
}

export const DEFAULT_REVIEW_POLICY: ReviewPolicy = {
  escalationWindowMs: 24 * 60 * 60 * 1000,
  escalateTo: 'senior-reviewer',
};

export type RefusalCode =
  'REVIEW_CLOSED' | 'AWAITING_INFO' | 'REVIEWER_IS_PARTY' | 'ALREADY_DECIDED' | 'REVIEWER_MISSING';

export interface Refusal {
  code: RefusalCode;
  message: string;
}

export function partyIdsOf(application: { applicantCustomerId: string; submittedBy?: string }): string[] {
  const ids = [application.applicantCustomerId];
  if (application.submittedBy && application.submittedBy !== application.applicantCustomerId)
    ids.push(application.submittedBy);
  return ids;
}

export function openReview(input: {
  reviewersRequired: 1 | 2;
  partyIds: string[];
  deadlineAt: string;
}): ReviewState {
  if (input.reviewersRequired !== 1 && input.reviewersRequired !== 2)
    throw new DomainError('reviewersRequired', 'a review needs 1 or 2 reviewers');
  parseInstant(input.deadlineAt, 'deadlineAt');
  return {
    status: 'pending',
    reviewersRequired: input.reviewersRequired,
    partyIds: [...input.partyIds],
    approvals: [],
    deadlineAt: input.deadlineAt,
    escalations: 0,
    history: [],
    outcome: null,
  };
}

/** Why `reviewerId` may not act on this review now, or null when they may. */
export function decideRefusal(
  review: ReviewState,
  reviewerId: string,
  partyIds: readonly string[] = review.partyIds,
): Refusal | null {
  if (!reviewerId) return { code: 'REVIEWER_MISSING', message: 'a decision needs a reviewer id' };
  if (isFinal(review)) return { code: 'REVIEW_CLOSED', message: `the review is already ${review.status}` };
  if (review.status === 'info_requested')
    return { code: 'AWAITING_INFO', message: 'the review waits for information from the applicant' };
  if (partyIds.includes(reviewerId) || review.partyIds.includes(reviewerId)) {
    return {
      code: 'REVIEWER_IS_PARTY',
      message: 'a reviewer cannot decide an application they are party to',
    };
  }
  if (review.approvals.includes(reviewerId))
    return { code: 'ALREADY_DECIDED', message: 'this reviewer has already decided; a second reviewer must' };
  return null;
}

/** Throws DomainError (code = refusal code) when the reviewer may not act: callers validate with `decideRefusal` first. */
export function applyDecision(review: ReviewState, decision: ReviewDecision): ReviewState {
  const refusal = decideRefusal(review, decision.reviewerId);
  if (refusal) throw new DomainError('reviewerId', refusal.message, refusal.code);
  parseInstant(decision.at, 'at');
  const reason = decision.reason?.trim() ?? '';
  if (decision.decision !== 'approve' && reason === '')
    throw new DomainError('reason', `a reason is required to ${decision.decision.replace('_', ' ')}`);

  const history: ReviewEvent[] = [...review.history, { type: 'decision', ...decision }];
  switch (decision.decision) {
    case 'approve': {
      const approvals = [...review.approvals, decision.reviewerId];
      if (approvals.length < review.reviewersRequired) return { ...review, approvals, history };
      const by =
        approvals.length === 1 ? 'a credit reviewer' : `${approvals.length} different credit reviewers`;
      return {
        ...review,
        approvals,
        history,
        status: 'approved',
        outcome: {
          decision: 'approve',
          reasons: [{ code: 'REVIEW_APPROVED', message: `Approved by ${by}.` }],
        },
      };
    }
    case 'decline':
      return {
        ...review,
        history,
        status: 'declined',
        outcome: {
          decision: 'decline',
          reasons: [{ code: 'REVIEW_DECLINED', message: `Declined in credit review: ${reason}` }],
        },
      };
    case 'request_info':
      return { ...review, history, status: 'info_requested' };
    default:
      throw new DomainError(
        'decision',
        `unknown review decision "${String((decision as { decision: unknown }).decision)}"`,
      );
  }
}

/** The applicant answered a request for information; the review returns to the queue. */
export function onInfoReceived(review: ReviewState, at: string): ReviewState {
  if (review.status !== 'info_requested')
    throw new DomainError(
      'status',
      `no information was requested (review is ${review.status})`,
      'NOT_AWAITING_INFO',
    );
  parseInstant(at, 'at');
  return { ...review, status: 'pending', history: [...review.history, { type: 'info_received', at }] };
}

/**
 * The deadline timer fired. First miss: escalate once with a new deadline. Second miss: expired,
 * which is a decline. A timer that fires early or after the review closed changes nothing, since
 * timers and decisions race in a workflow.
 */
export function onDeadline(
  review: ReviewState,
  at: string,
  policy: ReviewPolicy = DEFAULT_REVIEW_POLICY,
): ReviewState {
  if (isFinal(review) || parseInstant(at, 'at') < parseInstant(review.deadlineAt, 'deadlineAt'))
    return review;
  if (review.escalations === 0) {
    const deadlineAt = new Date(
      parseInstant(review.deadlineAt, 'deadlineAt') + policy.escalationWindowMs,
    ).toISOString();
    return {
      ...review,
      escalations: 1,
      deadlineAt,
      history: [...review.history, { type: 'escalated', at, deadlineAt, to: policy.escalateTo }],
    };
  }
  return {
    ...review,
    status: 'expired',
    history: [...review.history, { type: 'expired', at }],
    outcome: {
      decision: 'decline',
      reasons: [
        {
          code: 'REVIEW_EXPIRED',
          message: 'Declined: the credit review was not completed in time, even after escalation.',
        },
      ],
    },
  };
}

export function isFinal(review: ReviewState): boolean {
  return review.status === 'approved' || review.status === 'declined' || review.status === 'expired';
}
