import { DomainError } from './errors';
import { ageOn, birthDateOf } from './identity';
import { type Currency, type Money } from './money';
import {
  DEFAULT_SCORECARD,
  assertScorecard,
  scoreApplicant,
  type Contribution,
  type Grade,
  type ScoreResult,
  type Scorecard,
} from './scorecard';

/**
 * The credit-grant decision (docs/design.md, "Lifecycles" and "Business rules"): hard rules → scorecard → grade → limit →
 * approve / decline / review. Pure and plain-JSON in and out, so the credit-line workflow can call it
 * directly and keep the result in its history as the record of why.
 *
 * Decisions taken here, for reviewers and auditors:
 * - All failing hard rules are reported, not only the first, so the audit trail is complete.
 * - Review thresholds apply to the limit we would grant (requested, capped by grade and product),
 *   since that is the exposure a reviewer signs for. With a good file nothing is capped, so this is
 *   the same as the requested amount in the sandbox table.
 * - Whitelist fast-track: the scorecard still runs and its grade is reported, but a grade in the
 *   decline band (or the grade review band) does not decline or review; a declining grade is lifted
 *   to `whitelist.floorGrade` for limit and price. It never bypasses a hard rule (blacklist,
 *   identity, age, bureau delinquency) nor the amount thresholds for review.
 * - Blacklist messages are generic on purpose: the customer learns credit is refused under policy,
 *   the auditor reads the code and `audit.listMatchedOn`.
 */

export type Outcome = 'approve' | 'decline' | 'review';

export type ReasonCode =
  | 'BLACKLISTED'
  | 'IDENTITY_MISMATCH'
  | 'AGE_OUT_OF_RANGE'
  | 'BUREAU_SEVERE_DELINQUENCY'
  | 'BUREAU_SCORE_BELOW_MINIMUM'
  | 'SCORE_TOO_LOW'
  | 'LIMIT_BELOW_PRODUCT_MINIMUM'
  | 'APPROVED'
  | 'LIMIT_CAPPED'
  | 'WHITELIST_FAST_TRACK'
  | 'REVIEW_GRADE'
  | 'REVIEW_ONE_REVIEWER'
  | 'REVIEW_TWO_REVIEWERS';

export interface Reason {
  code: ReasonCode;
  message: string;
}

/** The parts of a product the decision depends on; the product catalogue supplies them. */
export interface ProductBounds {
  code?: string;
  minAge: number;
  maxAge: number;
  minLimitMinor: number;
  maxLimitMinor: number;
}

export interface BureauFacts {
  reportId?: string;
  score: number;
  currentDebtsMinor: number;
  overdueCountLast24m: number;
  maxDpdLast24m: number;
}

export interface PreBureauInput {
  applicant: { idNumber: string };
  requestedLimit: Money;
  product: ProductBounds;
  /** The application date in the borrower's zone (ISO local date); age is taken on this day. */
  asOf: string;
  screening: { listed: 'blacklist' | 'whitelist' | null; matchedOn?: string };
  identity: { matched: boolean; reasonCode?: string };
}

export interface CreditInput extends PreBureauInput {
  bureau: BureauFacts;
}

export interface CreditPolicy {
  version: string;
  currency: Currency;
  minBureauScore: number;
  /** Either condition in the last 24 months is a hard decline. */
  severeDelinquency: { maxDpdAtLeast: number; overdueCountAtLeast: number };
  scorecard: Scorecard;
  declineGrades: readonly Grade[];
  /** Grades that need one reviewer whatever the amount. Empty by default so the sandbox's good
   *  files auto-approve below the amount threshold (docs/design.md, "Sandbox providers"). */
  reviewGrades: readonly Grade[];
  maxLimitByGradeMinor: Record<Grade, number>;
  review: { oneReviewerFromMinor: number; twoReviewersFromMinor: number };
  whitelist: { floorGrade: Grade };
}

export const DEFAULT_CREDIT_POLICY: CreditPolicy = {
  version: 'credit-2024.1',
  currency: 'CNY',
  minBureauScore: 450,
  severeDelinquency: { maxDpdAtLeast: 90, overdueCountAtLeast: 6 },
  scorecard: DEFAULT_SCORECARD,
  declineGrades: ['E'],
  reviewGrades: [],
  // D's cap sits above what a good file can score D at below the review threshold, so sandbox
  // applicants under 50,000.00 get what they asked for (docs/design.md, "Sandbox providers").
  maxLimitByGradeMinor: { A: 50_000_000, B: 30_000_000, C: 10_000_000, D: 3_000_000, E: 0 },
  review: { oneReviewerFromMinor: 5_000_000, twoReviewersFromMinor: 20_000_000 },
  whitelist: { floorGrade: 'D' },
};

export interface Decision {
  outcome: Outcome;
  reviewersRequired: 0 | 1 | 2;
  /** Grade used for limit and price; null when a hard rule declined before scoring. */
  grade: Grade | null;
  /** Granted (approve) or proposed (review) limit; zero when declined. */
  limit: Money;
  requested: Money;
  whitelisted: boolean;
  reasons: Reason[];
  score: ScoreResult | null;
  policyVersion: string;
  audit: {
    age: number;
    listMatchedOn?: string;
    identityReasonCode?: string;
    bureauReportId?: string;
    scorecardGrade?: Grade;
  };
}

/**
 * The rules that need no bureau report. A workflow can call this first and skip a billed bureau
 * pull (and its footprint on the applicant's file) when the answer is already no.
 */
export function preBureauDecline(
  input: PreBureauInput,
  policy: CreditPolicy = DEFAULT_CREDIT_POLICY,
): Decision | null {
  checkPolicy(policy);
  const age = checkInput(input, policy);
  const reasons = preBureauReasons(input, age);
  return reasons.length > 0 ? declined(input, policy, age, reasons, null) : null;
}

export function decideCredit(input: CreditInput, policy: CreditPolicy = DEFAULT_CREDIT_POLICY): Decision {
  checkPolicy(policy);
  const age = checkInput(input, policy);
  const { bureau } = input;

  const hard = preBureauReasons(input, age);
  const severe = policy.severeDelinquency;
  if (
    bureau.maxDpdLast24m >= severe.maxDpdAtLeast ||
    bureau.overdueCountLast24m >= severe.overdueCountAtLeast
  ) {
    hard.push({
      code: 'BUREAU_SEVERE_DELINQUENCY',
      message: `Your credit report shows ${bureau.overdueCountLast24m} late payment(s) in the last 24 months, the longest ${bureau.maxDpdLast24m} days late; our limit is ${severe.maxDpdAtLeast} days late or ${severe.overdueCountAtLeast} late payments.`,
    });
  }
  if (bureau.score < policy.minBureauScore) {
    hard.push({
      code: 'BUREAU_SCORE_BELOW_MINIMUM',
      message: `Your credit bureau score of ${bureau.score} is below the minimum of ${policy.minBureauScore}.`,
    });
  }
  if (hard.length > 0) return declined(input, policy, age, hard, null);

  const requested = input.requestedLimit.amount;
  const score = scoreApplicant(
    {
      bureauScore: bureau.score,
      currentDebtsMinor: bureau.currentDebtsMinor,
      requestedMinor: requested,
      overdueCountLast24m: bureau.overdueCountLast24m,
      age,
    },
    policy.scorecard,
  );
  const whitelisted = input.screening.listed === 'whitelist';
  const reasons: Reason[] = [];
  let grade = score.grade;

  if (policy.declineGrades.includes(grade)) {
    const cutOff = minScoreOutsideDeclineBand(policy);
    if (!whitelisted) {
      return declined(
        input,
        policy,
        age,
        [{ code: 'SCORE_TOO_LOW', message: scoreTooLowMessage(score, cutOff, policy.scorecard) }],
        score,
      );
    }
    grade = policy.whitelist.floorGrade;
    reasons.push({
      code: 'WHITELIST_FAST_TRACK',
      message: `Fast-tracked: your application scored ${score.score} points, below the usual ${cutOff}, and was assessed at grade ${grade}.`,
    });
  } else if (whitelisted) {
    reasons.push({
      code: 'WHITELIST_FAST_TRACK',
      message: `Fast-tracked: assessed at grade ${grade} without a grade review.`,
    });
  }

  const gradeCap = policy.maxLimitByGradeMinor[grade];
  const limit = Math.min(requested, gradeCap, input.product.maxLimitMinor);
  if (limit < input.product.minLimitMinor || limit <= 0) {
    reasons.push({
      code: 'LIMIT_BELOW_PRODUCT_MINIMUM',
      message: `The most we can offer at grade ${grade} is ${fmt(Math.min(gradeCap, input.product.maxLimitMinor), policy.currency)}, below this product's minimum of ${fmt(input.product.minLimitMinor, policy.currency)}.`,
    });
    return declined(input, policy, age, reasons, score, grade);
  }
  if (limit < requested) {
    const byGrade = gradeCap <= input.product.maxLimitMinor;
    reasons.push({
      code: 'LIMIT_CAPPED',
      message: `You asked for ${fmt(requested, policy.currency)}; the most we offer ${byGrade ? `at grade ${grade}` : 'for this product'} is ${fmt(limit, policy.currency)}.`,
    });
  }

  const reviewersRequired = reviewersFor(limit, grade, whitelisted, policy, reasons);
  if (reviewersRequired === 0) {
    reasons.unshift({
      code: 'APPROVED',
      message: `Approved at grade ${grade} with a limit of ${fmt(limit, policy.currency)}.`,
    });
  }
  return {
    outcome: reviewersRequired === 0 ? 'approve' : 'review',
    reviewersRequired,
    grade,
    limit: { amount: limit, currency: policy.currency },
    requested: { ...input.requestedLimit },
    whitelisted,
    reasons,
    score,
    policyVersion: policy.version,
    audit: audit(input, age, score),
  };
}

/** 0, 1 or 2 reviewers for a limit; the amount thresholds hold for whitelisted applicants too. */
export function reviewersFor(
  limitMinor: number,
  grade: Grade,
  whitelisted: boolean,
  policy: CreditPolicy = DEFAULT_CREDIT_POLICY,
  reasons: Reason[] = [],
): 0 | 1 | 2 {
  const { oneReviewerFromMinor, twoReviewersFromMinor } = policy.review;
  if (limitMinor >= twoReviewersFromMinor) {
    reasons.push({
      code: 'REVIEW_TWO_REVIEWERS',
      message: `A limit of ${fmt(limitMinor, policy.currency)} (${fmt(twoReviewersFromMinor, policy.currency)} or more) is approved by two different credit reviewers.`,
    });
    return 2;
  }
  if (limitMinor >= oneReviewerFromMinor) {
    reasons.push({
      code: 'REVIEW_ONE_REVIEWER',
      message: `A limit of ${fmt(limitMinor, policy.currency)} (${fmt(oneReviewerFromMinor, policy.currency)} or more) is approved by a credit reviewer.`,
    });
    return 1;
  }
  if (!whitelisted && policy.reviewGrades.includes(grade)) {
    reasons.push({
      code: 'REVIEW_GRADE',
      message: `Applications at grade ${grade} are approved by a credit reviewer.`,
    });
    return 1;
  }
  return 0;
}

/** Refuses a policy whose parts contradict each other; a bad policy must fail loudly, not mis-decide. */
export function assertCreditPolicy(policy: CreditPolicy): void {
  assertScorecard(policy.scorecard);
  const { oneReviewerFromMinor: one, twoReviewersFromMinor: two } = policy.review;
  if (!Number.isSafeInteger(one) || one <= 0 || !Number.isSafeInteger(two) || two < one) {
    throw new DomainError(
      'policy.review',
      'review thresholds must be positive integers with two-reviewer ≥ one-reviewer',
    );
  }
  if (policy.declineGrades.includes(policy.whitelist.floorGrade)) {
    throw new DomainError(
      'policy.whitelist.floorGrade',
      'the whitelist floor grade cannot be a declining grade',
    );
  }
  for (const [grade, cap] of Object.entries(policy.maxLimitByGradeMinor)) {
    if (!Number.isSafeInteger(cap) || cap < 0)
      throw new DomainError(`policy.maxLimitByGradeMinor.${grade}`, 'must be a non-negative integer');
  }
}

const checkedPolicies = new WeakSet<CreditPolicy>();

function checkPolicy(policy: CreditPolicy): void {
  if (checkedPolicies.has(policy)) return;
  assertCreditPolicy(policy);
  checkedPolicies.add(policy);
}

/** Returns the applicant's age; malformed input is a caller error (the API validates first), not a decline. */
function checkInput(input: PreBureauInput, policy: CreditPolicy): number {
  const { amount, currency } = input.requestedLimit;
  if (!Number.isSafeInteger(amount) || amount <= 0)
    throw new DomainError(
      'requestedLimit.amount',
      'requested limit must be a positive integer of minor units',
    );
  if (currency !== policy.currency)
    throw new DomainError(
      'requestedLimit.currency',
      `policy ${policy.version} decides in ${policy.currency}, not ${currency}`,
    );
  const birth = birthDateOf(input.applicant.idNumber);
  if (birth === undefined) throw new DomainError('applicant.idNumber', 'ID number has no valid birth date');
  try {
    return ageOn(birth, input.asOf);
  } catch {
    throw new DomainError('asOf', `asOf must be an ISO local date, got "${input.asOf}"`);
  }
}

function preBureauReasons(input: PreBureauInput, age: number): Reason[] {
  const reasons: Reason[] = [];
  if (input.screening.listed === 'blacklist') {
    reasons.push({
      code: 'BLACKLISTED',
      message: 'We are unable to offer credit to this applicant under our lending policy.',
    });
  }
  if (!input.identity.matched) {
    reasons.push({
      code: 'IDENTITY_MISMATCH',
      message:
        'Your name, ID number, bank card and the phone number held by your bank could not be verified as belonging together.',
    });
  }
  const { minAge, maxAge } = input.product;
  if (age < minAge || age > maxAge) {
    reasons.push({
      code: 'AGE_OUT_OF_RANGE',
      message: `This product is available to applicants aged ${minAge} to ${maxAge}; you are ${age}.`,
    });
  }
  return reasons;
}

function declined(
  input: PreBureauInput,
  policy: CreditPolicy,
  age: number,
  reasons: Reason[],
  score: ScoreResult | null,
  grade?: Grade,
): Decision {
  return {
    outcome: 'decline',
    reviewersRequired: 0,
    grade: grade ?? score?.grade ?? null,
    limit: { amount: 0, currency: policy.currency },
    requested: { ...input.requestedLimit },
    whitelisted: input.screening.listed === 'whitelist',
    reasons,
    score,
    policyVersion: policy.version,
    audit: audit(input, age, score),
  };
}

function audit(input: PreBureauInput, age: number, score: ScoreResult | null): Decision['audit'] {
  const a: Decision['audit'] = { age };
  if (input.screening.matchedOn !== undefined) a.listMatchedOn = input.screening.matchedOn;
  if (input.identity.reasonCode !== undefined) a.identityReasonCode = input.identity.reasonCode;
  const reportId = (input as Partial<CreditInput>).bureau?.reportId;
  if (reportId !== undefined) a.bureauReportId = reportId;
  if (score) a.scorecardGrade = score.grade;
  return a;
}

function minScoreOutsideDeclineBand(policy: CreditPolicy): number {
  let cutOff = 0;
  for (const g of policy.scorecard.grades) if (!policy.declineGrades.includes(g.grade)) cutOff = g.minScore;
  return cutOff;
}

const FACTOR_NAMES: Record<Contribution['characteristic'], string> = {
  bureauScore: 'credit bureau score',
  debtRatio: 'existing debts compared with the amount requested',
  overdueCount: 'late payments in the last 24 months',
  age: 'age',
};

/** Names the two characteristics that cost the most points, as adverse-action notices do. */
function scoreTooLowMessage(score: ScoreResult, cutOff: number, card: Scorecard): string {
  const shortfalls = score.contributions
    .map((c) => ({ c, lost: Math.max(...card.bins[c.characteristic].map((b) => b.points)) - c.points }))
    .filter((s) => s.lost > 0)
    .sort((a, b) => b.lost - a.lost)
    .slice(0, 2)
    .map((s) => FACTOR_NAMES[s.c.characteristic]);
  const factors = shortfalls.length > 0 ? ` Main factors: ${shortfalls.join('; ')}.` : '';
  return `Your application scored ${score.score} points; at least ${cutOff} are needed.${factors}`;
}

/** "50,000.00 CNY": every supported currency has two decimals. */
function fmt(minor: number, currency: Currency): string {
  const sign = minor < 0 ? '-' : '';
  const abs = Math.abs(minor);
  const whole = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}.${String(abs % 100).padStart(2, '0')} ${currency}`;
}
