import {
  applyLineControl,
  availableOf,
  checkDrawdown,
  checkPayoutCard,
  type DrawdownAsk,
  holdOnStanding,
  type LineControl,
  type LineReason,
  type LineStatus,
  lineAtExpiry,
  lineExpiry,
  renewalCap,
  type Reservation,
} from './credit-line';
import type { Decision } from './decision';
import { DomainError } from './errors';
import type { Money } from './money';
import { priceForGrade } from './pricing';
import type { Grade, Product } from './products';
import {
  applyDecision,
  onDeadline,
  onInfoReceived,
  openReview,
  type ReviewDecision,
  type ReviewState,
} from './review-policy';

/**
 * The credit line as a state machine: `stepLine(product, state, event)` answers the next state and the
 * effects the workflow (workflows/credit-line.ts) carries out with activities and a child workflow. The
 * rules it applies each live in their own module (credit-line.ts, review-policy.ts, pricing.ts); this
 * file only says which rule answers which event and what follows. Pure: the clock arrives in events.
 */

export type LinePhase = 'assess' | 'review' | 'serve' | 'done';

/** The fields of a line's view this machine decides; the rest of the view rides along unchanged. */
export interface LineFields {
  status: LineStatus;
  requestedLimit: Money;
  grade: string | null;
  limit: Money | null;
  available: Money | null;
  apr: string | null;
  expiresOn: string | null;
  reasons: LineReason[];
}

export interface LineState<L extends LineFields = LineFields> {
  phase: LinePhase;
  line: L;
  review: ReviewState | null;
  proposed: { limit: Money; grade: Grade } | null;
  /** Limit reserved per loan; released once, when the loan settles or its disbursement fails. */
  loans: Record<string, Reservation>;
  /** Loans delinquent or written off: while any is, the line stays frozen and no operator can unfreeze it. */
  heldBy?: string[];
  /** Cards the bank matched to this customer's four elements after the application's own. */
  extraCards?: string[];
}

/** A line as it is applied for, before the assessment decides anything. */
export function pendingLine(requestedLimit: Money): LineFields {
  return {
    status: 'pending',
    requestedLimit,
    grade: null,
    limit: null,
    available: null,
    apr: null,
    expiresOn: null,
    reasons: [],
  };
}

export type LineEvent =
  /** The assessment's decision; a review opens with its deadline and parties when one is needed. */
  | {
      type: 'assessed';
      decision: Pick<Decision, 'outcome' | 'grade' | 'limit' | 'reviewersRequired' | 'reasons'>;
      today: string;
      review: { deadlineAt: string; partyIds: string[] };
    }
  | { type: 'review-decided'; decision: ReviewDecision }
  | { type: 'info-received'; at: string }
  | { type: 'review-deadline'; at: string }
  /** The review is final: its outcome grants the proposed line or declines it. */
  | { type: 'review-ended'; today: string }
  | { type: 'controlled'; control: LineControl & { actor: string } }
  /** A drawdown the validator let through (`refuseDrawdown`); a known loan id is the same drawdown again. */
  | { type: 'drawdown'; loanId: string; amount: Money }
  | { type: 'card-verified'; bankCard: string }
  | { type: 'standing'; loanId: string; delinquent: boolean }
  | { type: 'released'; loanId: string; reason: NonNullable<Reservation['reason']>; clean?: boolean }
  /** The line's validity ended with nothing drawn. */
  | { type: 'expired'; today: string };

/**
 * What the workflow carries out: `save` the line as it now is to the read model (and the review queue),
 * `tell-applicant` the decision, `start-loan` the loan a drawdown opened.
 */
export type LineEffect =
  { type: 'save' } | { type: 'tell-applicant' } | { type: 'start-loan'; loanId: string };

export interface LineStep<S> {
  state: S;
  effects: LineEffect[];
}

const SAVE: LineEffect = { type: 'save' };

/** Applies one event; throws the DomainError of the rule that refuses it, leaving `s` untouched. */
export function stepLine<S extends LineState>(product: Product, s: S, e: LineEvent): LineStep<S> {
  switch (e.type) {
    case 'assessed':
      return assessed(product, s, e);
    case 'review-decided':
      return { state: { ...s, review: applyDecision(openedReview(s), e.decision) }, effects: [SAVE] };
    case 'info-received':
      return { state: { ...s, review: onInfoReceived(openedReview(s), e.at) }, effects: [SAVE] };
    case 'review-deadline':
      return { state: { ...s, review: onDeadline(openedReview(s), e.at) }, effects: [SAVE] };
    case 'review-ended': {
      const outcome = s.review?.outcome;
      const decided =
        outcome?.decision === 'approve' && s.proposed
          ? activated(product, s, s.proposed.limit, s.proposed.grade, e.today)
          : declined(s);
      const line = { ...decided.line, reasons: [...decided.line.reasons, ...(outcome?.reasons ?? [])] };
      return { state: { ...decided, line }, effects: [SAVE, { type: 'tell-applicant' }] };
    }
    case 'controlled': {
      const { control } = e;
      const { status, limit, available } = applyLineControl(balancesOf(s), control);
      const reason = {
        code: `LINE_${control.action.toUpperCase()}`,
        message: `${control.reason} (by ${control.actor})`,
      };
      const line = { ...s.line, status, limit, available, reasons: [...s.line.reasons, reason] };
      return { state: rebalanced({ ...s, line }), effects: [SAVE] };
    }
    case 'drawdown': {
      if (s.loans[e.loanId]) return { state: s, effects: [] };
      const loans = { ...s.loans, [e.loanId]: { amount: e.amount, released: false } };
      return {
        state: rebalanced({ ...s, loans }),
        effects: [SAVE, { type: 'start-loan', loanId: e.loanId }],
      };
    }
    case 'card-verified': {
      const known = [...(s.extraCards ?? [])];
      if (known.includes(e.bankCard)) return { state: s, effects: [] };
      return { state: { ...s, extraCards: [...known, e.bankCard] }, effects: [] };
    }
    case 'standing': {
      const hold = holdOnStanding({ status: s.line.status, heldBy: s.heldBy ?? [] }, e.loanId, e.delinquent);
      const held = { ...s, heldBy: [...hold.heldBy] };
      if (!hold.reason) return { state: held, effects: [] };
      const line = { ...s.line, status: hold.status, reasons: [...s.line.reasons, hold.reason] };
      return { state: { ...held, line }, effects: [SAVE] };
    }
    case 'released': {
      const reserved = s.loans[e.loanId];
      if (!reserved || reserved.released) return { state: s, effects: [] };
      const release = { ...reserved, released: true, reason: e.reason, clean: e.clean ?? false };
      return { state: rebalanced({ ...s, loans: { ...s.loans, [e.loanId]: release } }), effects: [SAVE] };
    }
    case 'expired': {
      const cap = renewalCap(product, (s.line.grade ?? 'E') as Grade);
      const { reason, ...next } = lineAtExpiry(s.line, Object.values(s.loans), cap, e.today);
      const line = { ...s.line, ...next, reasons: [...s.line.reasons, reason] };
      return { state: rebalanced({ ...s, line }), effects: [SAVE] };
    }
  }
}

function assessed<S extends LineState>(
  product: Product,
  s: S,
  { decision, today, review }: Extract<LineEvent, { type: 'assessed' }>,
): LineStep<S> {
  const judged = { ...s, line: { ...s.line, grade: decision.grade, reasons: decision.reasons } };
  const effects: LineEffect[] = [SAVE, { type: 'tell-applicant' }];
  if (decision.outcome === 'decline' || !decision.grade) return { state: declined(judged), effects };
  if (decision.outcome === 'approve')
    return { state: activated(product, judged, decision.limit, decision.grade, today), effects };
  const opened = openReview({
    reviewersRequired: decision.reviewersRequired === 2 ? 2 : 1,
    partyIds: review.partyIds,
    deadlineAt: review.deadlineAt,
  });
  const state = {
    ...judged,
    proposed: { limit: decision.limit, grade: decision.grade },
    review: opened,
    line: { ...judged.line, status: 'pending_review' as const },
    phase: 'review' as const,
  };
  return { state, effects };
}

/** A granted line: priced by its grade, valid from today, serving drawdowns. */
function activated<S extends LineState>(
  product: Product,
  s: S,
  limit: Money,
  grade: Grade,
  today: string,
): S {
  const line = {
    ...s.line,
    status: 'active' as const,
    grade,
    limit,
    apr: priceForGrade(product, grade),
    expiresOn: lineExpiry(today),
  };
  return rebalanced({ ...s, line, phase: 'serve' as const });
}

function declined<S extends LineState>(s: S): S {
  return { ...s, line: { ...s.line, status: 'declined' as const }, phase: 'done' as const };
}

/** After any change to the limit, the status or a loan's hold (credit-line.ts `availableOf`). */
function rebalanced<S extends LineState>(s: S): S {
  const { limit } = s.line;
  if (!limit) return s;
  return { ...s, line: { ...s.line, available: availableOf(s.line.status, limit, Object.values(s.loans)) } };
}

function openedReview(s: LineState): ReviewState {
  if (!s.review) throw new DomainError('review', 'no review is open', 'NO_REVIEW');
  return s.review;
}

/**
 * Why a drawdown may not start, as a thrown DomainError: the line's and the product's rules, and a
 * payout only to a verified card. Checked before the `drawdown` event, never while it is applied, so a
 * rule added later cannot refuse a drawdown a recorded history already took.
 */
export function refuseDrawdown(
  product: Product,
  s: LineState,
  ask: DrawdownAsk & { bankCard?: string },
  today: string,
  verifiedCards: readonly string[],
): void {
  checkDrawdown({ ...balancesOf(s), expiresOn: s.line.expiresOn }, product, ask, today);
  if (product.disburseTo === 'borrower') checkPayoutCard(verifiedCards, ask.bankCard);
}

/** The line's figures as the operator-control rules read them (credit-line.ts `applyLineControl`). */
function balancesOf({ line, heldBy }: LineState) {
  const zero = { amount: 0, currency: line.requestedLimit.currency };
  return {
    status: line.status,
    limit: line.limit ?? zero,
    available: line.available ?? zero,
    heldBy: heldBy ?? [],
  };
}

/** Every loan drawn on the line has released its hold. */
export const nothingDrawn = (s: LineState): boolean => Object.values(s.loans).every((l) => l.released);
