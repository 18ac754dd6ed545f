import { DomainError } from './errors';
import { addDays, parseInstant, toLocalDate } from './localdate';
import { assertMinor } from './money';

/**
 * Settlement offers: the borrower pays an agreed amount by a date and the rest is waived. Only
 * interest and penalty may be waived, never principal or fees, and a waiver is money given away, so
 * it needs reviewers (two different ones above a threshold) and never the proposer (docs/design.md, "Business rules";
 * maker-checker). Offers are plain JSON and every function returns a new offer.
 */

export interface SettlementPolicy {
  /** Waived amount above which two reviewers are required, minor units. */
  dualApprovalAbove: number;
  maxPayByDays: number;
}

export const DEFAULT_SETTLEMENT_POLICY: SettlementPolicy = Object.freeze({
  dualApprovalAbove: 100_000,
  maxPayByDays: 30,
});

export type SettlementStatus = 'pending_approval' | 'approved' | 'declined' | 'paid' | 'lapsed';
export type SettlementVote = 'approve' | 'decline';

export interface SettlementDecision {
  reviewerId: string;
  decision: SettlementVote;
  reason: string;
  /** ISO instant. */
  at: string;
}

export interface SettlementOffer {
  id: string;
  /** What the borrower pays to close the loan, minor units. */
  amount: number;
  payBy: string;
  /** Outstanding minus amount: given up if the amount arrives in time. */
  waived: number;
  status: SettlementStatus;
  reviewersRequired: 1 | 2;
  approvals: string[];
  proposedBy: string;
  reason: string;
  decisions: SettlementDecision[];
}

export interface SettlementContext {
  today: string;
  outstanding: number;
  receivable: { principal: number; interest: number; fees: number; penalty: number };
  /** An offer is already pending or approved: two live offers would let the borrower pick the cheaper. */
  openOffer: boolean;
}

export function proposeSettlement(
  req: { id: string; amount: number; payBy: string; proposedBy: string; reason: string },
  ctx: SettlementContext,
  policy: SettlementPolicy = DEFAULT_SETTLEMENT_POLICY,
): SettlementOffer {
  if (ctx.openOffer) {
    throw new DomainError('offer', 'another settlement offer is pending or approved', 'offer_open');
  }
  text(req.id, 'id');
  text(req.proposedBy, 'proposedBy');
  assertMinor(ctx.outstanding, 'outstanding');
  const { principal, fees } = ctx.receivable;
  assertMinor(principal, 'receivable.principal');
  assertMinor(fees, 'receivable.fees');
  if (!Number.isSafeInteger(req.amount) || req.amount <= 0) {
    throw new DomainError('amount.amount', 'amount must be a positive integer number of minor units');
  }
  if (req.amount < principal + fees) {
    throw new DomainError(
      'amount.amount',
      `amount must cover principal and fees (${principal + fees}); only interest and penalty may be waived`,
      'below_floor',
    );
  }
  if (req.amount >= ctx.outstanding) {
    throw new DomainError(
      'amount.amount',
      `amount must be below what is owed (${ctx.outstanding}), else it is a payoff, not a settlement`,
      'not_a_settlement',
    );
  }
  toLocalDate(req.payBy, 'payBy');
  toLocalDate(ctx.today, 'today');
  const latest = addDays(ctx.today, policy.maxPayByDays);
  if (req.payBy < ctx.today || req.payBy > latest) {
    throw new DomainError('payBy', `payBy must be from ${ctx.today} to ${latest}`, 'date_out_of_range');
  }
  const reason = text(req.reason, 'reason');
  const waived = ctx.outstanding - req.amount;
  return {
    id: req.id,
    amount: req.amount,
    payBy: req.payBy,
    waived,
    status: 'pending_approval',
    reviewersRequired: waived > policy.dualApprovalAbove ? 2 : 1,
    approvals: [],
    proposedBy: req.proposedBy,
    reason,
    decisions: [],
  };
}

export function checkSettlementDecision(
  offer: SettlementOffer,
  d: { reviewerId: string; decision: SettlementVote; reason: string },
): void {
  if (offer.status !== 'pending_approval') {
    throw new DomainError(
      'offer',
      `the offer is ${offer.status}, no longer awaiting approval`,
      'not_pending',
    );
  }
  text(d.reviewerId, 'reviewerId');
  if (d.reviewerId === offer.proposedBy) {
    throw new DomainError('reviewerId', 'the proposer of an offer cannot review it', 'party_to_offer');
  }
  // Without this one reviewer could approve twice and satisfy maker-checker alone.
  if (offer.decisions.some((x) => x.reviewerId === d.reviewerId)) {
    throw new DomainError('reviewerId', 'this reviewer has already decided; another must', 'already_decided');
  }
  if (d.decision !== 'approve' && d.decision !== 'decline') {
    throw new DomainError('decision', 'decision must be approve or decline');
  }
  text(d.reason, 'reason');
}

/** One decline is enough to decline; approval needs `reviewersRequired` different reviewers. */
export function decideSettlement(
  offer: SettlementOffer,
  d: { reviewerId: string; decision: SettlementVote; reason: string; at: string },
): SettlementOffer {
  checkSettlementDecision(offer, d);
  parseInstant(d.at, 'at');
  const decisions = [
    ...offer.decisions,
    { reviewerId: d.reviewerId, decision: d.decision, reason: d.reason.trim(), at: d.at },
  ];
  if (d.decision === 'decline') return { ...offer, decisions, status: 'declined' };
  const approvals = [...offer.approvals, d.reviewerId];
  const status = approvals.length >= offer.reviewersRequired ? 'approved' : offer.status;
  return { ...offer, decisions, approvals, status };
}

/** An approved offer not paid by its date lapses; the loan goes back to owing everything. */
export function lapseSettlement(offer: SettlementOffer, today: string): SettlementOffer {
  toLocalDate(today, 'today');
  return offer.status === 'approved' && offer.payBy < today ? { ...offer, status: 'lapsed' } : offer;
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new DomainError(field, `${field} is required`, field === 'reason' ? 'reason_required' : 'invalid');
  }
  return value.trim();
}
