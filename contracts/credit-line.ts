import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { LineControl, LineReason, LineStatus } from '../domain/credit-line';
import type { LineFields } from '../domain/credit-line-machine';
import type { Money } from '../domain/money';
import type { BureauReport } from './providers/bureau';
import type { ReviewAction, ReviewStatus } from '../domain/review-policy';

/**
 * The credit line's contract (`credit-line:{id}`): its messages and their payloads, defined once and
 * imported by the workflow, the activities, the API and the tests (docs/design.md, "Layers").
 * Payloads are plain JSON.
 */

export const creditLineWorkflowId = (id: string): string => `credit-line:${id}`;
export const reviewIdFor = (creditLineId: string): string => `rv_${creditLineId}`;

export interface Applicant {
  name: string;
  idNumber: string;
  phone: string;
  bankCard: string;
  deviceId?: string;
}

export interface Consent {
  version: string;
  acceptedAt: string;
}

export interface CreditLineApplication {
  creditLineId: string;
  /** Opaque keyed hash of the ID number: safe for search attributes and the read model. */
  customerId: string;
  applicant: Applicant;
  productCode: string;
  requestedLimit: Money;
  consents: { bureauQuery: Consent };
  /** The API key id that submitted it; a reviewer who is party to the application may not decide it. */
  submittedBy: string;
  /** The borrower's IANA zone: due dates, contact windows and expiry follow it. The product's when absent. */
  timeZone?: string;
}

export type CreditLineStatus = LineStatus;

/** A line's reasons as the domain writes them (domain/credit-line.ts). */
export type Reason = LineReason;

export interface ReviewSummary {
  id: string;
  status: ReviewStatus;
  reviewersRequired: 1 | 2;
  approvals: string[];
  deadlineAt: string;
  escalations: number;
  infoRequested: boolean;
}

/** The line as the API and the read model see it: what the machine decides, and who and what it is for. */
export interface CreditLineView extends LineFields {
  id: string;
  productCode: string;
  customerId: string;
  review: ReviewSummary | null;
  submittedBy: string;
}

export const getCreditLine = defineQuery<CreditLineView>('getCreditLine');

/** What the assessment found, kept for the reviewer's dossier (absent on lines assessed before it was kept). */
export interface AssessmentRecord {
  score: {
    scorecardVersion: string;
    score: number;
    grade: string;
    contributions: { characteristic: string; value: number; points: number }[];
  } | null;
  policyVersion: string;
  screening: { listed: 'blacklist' | 'whitelist' | null; matchedOn?: string };
  identity: { matched: boolean; reasonCode?: string };
  bureau: BureauReport | null;
  age: number;
}

/** Everything a reviewer reads before deciding. Unmasked: the API masks the applicant before it answers. */
export interface ReviewDossierView {
  applicant: Applicant;
  timeZone: string;
  requestedLimit: Money;
  proposed: { limit: Money; grade: string } | null;
  assessment: AssessmentRecord | null;
  info: ApplicantInfo[];
  line: CreditLineView;
  review: (ReviewSummary & { partyIds: string[]; history: ReviewHistoryEvent[] }) | null;
}
export type ReviewHistoryEvent = {
  type: string;
  at: string;
  reviewerId?: string;
  decision?: ReviewAction;
  reason?: string;
};
export const getReviewDossier = defineQuery<ReviewDossierView>('getReviewDossier');

/** Resolves as soon as the line leaves `pending` (decided, or waiting for a reviewer). */
export const awaitDecision = defineUpdate<CreditLineView>('awaitDecision');

/** A reviewer's decision; also what an operator sends with `temporal workflow signal`. */
export interface ReviewDecisionSignal {
  reviewerId: string;
  decision: ReviewAction;
  reason?: string;
}
export const reviewDecision = defineSignal<[ReviewDecisionSignal]>('reviewDecision');
/**
 * The same decision as an update: its validator asks the review rules (domain/review-policy.ts), so a
 * refused decision is the caller's answer and writes nothing; the API sends this one.
 */
export const decideReview = defineUpdate<void, [ReviewDecisionSignal]>('decideReview');

/** What the applicant adds when a reviewer asks for more (request_info). */
export interface ApplicantInfo {
  monthlyIncome?: Money;
  occupation?: string;
  emergencyContact?: { name: string; phone: string; relation: string };
}
export const submitInfo = defineSignal<[ApplicantInfo]>('submitInfo');
/** The same answer as an update, refused (`info_not_requested`) unless a reviewer asked; the API sends this one. */
export const provideInfo = defineUpdate<void, [ApplicantInfo]>('provideInfo');

/** Operator controls: freeze, unfreeze, close, change limit. The validator refuses what the rules forbid. */
export type LineControlRequest = LineControl & { actor: string };
export const controlLine = defineUpdate<CreditLineView, [LineControlRequest]>('controlLine');

// ---- Drawdown (用信) and the loans a line carries (the loan's own input is in ./loan) --------------------------------------------

export interface DrawdownRequest {
  /** Chosen by the API from the idempotency key, so a retried drawdown reaches the same loan. */
  loanId: string;
  amount: Money;
  termMonths: number;
  purpose: string;
  method?: string;
  /** Card to pay into; the applicant's card when absent. For card-repayment products, the card whose bill is paid. */
  bankCard?: string;
  actor: string;
}

export interface DrawdownResult {
  loanId: string;
  status: 'disbursing';
}
export const drawdown = defineUpdate<DrawdownResult, [DrawdownRequest]>('drawdown');

/** Another card for payouts: the bank checks it with the customer's four elements before it is used. */
export interface CardVerificationRequest {
  bankCard: string;
  /** Chosen by the API from the idempotency key: a retry asks the bank under the same key. */
  requestId: string;
}
export interface CardVerificationResult {
  verified: boolean;
  last4: string;
  reasonCode?: string;
}
export const verifyCard = defineUpdate<CardVerificationResult, [CardVerificationRequest]>('verifyCard');

/** A loan gives its limit back: it settled, or its disbursement failed (the compensation). */
export interface LimitRelease {
  loanId: string;
  amount: Money;
  reason: 'settled' | 'disbursement_failed' | 'written_off';
  /** Settled without an installment ever left unpaid past its due day. */
  clean?: boolean;
}
export const releaseLimit = defineSignal<[LimitRelease]>('releaseLimit');

/** A loan tells its line when it turns delinquent (or is written off) and when it is cured: the line is held meanwhile. */
export interface LoanStanding {
  loanId: string;
  delinquent: boolean;
}
export const loanStanding = defineSignal<[LoanStanding]>('loanStanding');
