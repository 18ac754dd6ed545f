import {
  allHandlersFinished,
  condition,
  log,
  patched,
  ParentClosePolicy,
  proxyActivities,
  proxyLocalActivities,
  upsertSearchAttributes,
  setCurrentDetails,
  setHandler,
  startChild,
} from '@temporalio/workflow';
import type { CreditGrantActivities } from '../activities/credit-grant';
import { creditBoundsFor, drawdownCards } from '../domain/credit-line';
import {
  type LineEffect,
  type LineEvent,
  type LineState,
  nothingDrawn,
  pendingLine,
  refuseDrawdown,
  stepLine,
} from '../domain/credit-line-machine';
import { decideCredit, preBureauDecline, type Decision } from '../domain/decision';
import { addDays, instantOfLocal, localDateAt } from '../domain/localdate';
import { formatMoney, type Money } from '../domain/money';
import { priceForGrade } from '../domain/pricing';
import { getProduct } from '../domain/products';
import { isFinal, partyIdsOf, type ReviewState } from '../domain/review-policy';
import {
  type ApplicantInfo,
  awaitDecision,
  controlLine,
  decideReview,
  drawdown,
  type DrawdownRequest,
  loanStanding,
  releaseLimit,
  type CreditLineApplication,
  type CreditLineView,
  getCreditLine,
  getReviewDossier,
  type AssessmentRecord,
  provideInfo,
  reviewDecision,
  type ReviewDecisionSignal,
  reviewIdFor,
  type ReviewSummary,
  submitInfo,
  verifyCard,
  type CardVerificationRequest,
  type CardVerificationResult,
} from '../contracts/credit-line';
import { type LoanInput, loanWorkflowId } from '../contracts/loan';
import {
  continueAsNewOnceHandled,
  DEFAULT_HISTORY_LIMIT,
  type HistoryLimit,
  historyIsLong,
} from './continue-as-new';
import { asFailure, isUnstorable, refused } from './failures';
import { PATCH } from './patches';
import { retry } from './retry-policies';
import { providerActivities } from './task-queues';
import { CreditLineId, CustomerId, LoanStatus, ProductCode, ReviewStatus } from './search-attributes';

export interface CreditLineSettings extends HistoryLimit {
  reviewWindowHours: number;
  bureauMaxAgeDays: number;
}
const DEFAULT_SETTINGS: CreditLineSettings = {
  reviewWindowHours: 48,
  bureauMaxAgeDays: 30,
  historyLimit: DEFAULT_HISTORY_LIMIT,
};

/**
 * Everything a run hands to the next one on continue-as-new: plain JSON. The line's decisions are
 * domain/credit-line-machine.ts; what the applicant added and the assessment's record ride along.
 */
export interface CarriedState extends LineState<CreditLineView> {
  info: ApplicantInfo[];
  /** What the assessment found, for the reviewer's dossier; absent on lines assessed before it was kept. */
  assessment?: AssessmentRecord;
}

export interface CreditLineInput {
  application: CreditLineApplication;
  settings?: Partial<CreditLineSettings>;
  carried?: CarriedState;
}

const grant = proxyActivities<CreditGrantActivities>({ startToCloseTimeout: '30 seconds', retry });
/**
 * The assessment's calls are short and idempotent by key, and an applicant waits on the answer:
 * as local activities they run inside one workflow task instead of a server round trip each.
 */
const assessment = proxyLocalActivities<CreditGrantActivities>({ startToCloseTimeout: '10 seconds', retry });
/** The decision's own save runs the same way: the applicant is answered once it is saved, in the same task. */
const decisionSave = assessment;

/**
 * A credit line (授信): application → lists and identity → bureau → rules and score → (review by
 * people) → active | declined; while active, operators may freeze, unfreeze, close or re-limit it.
 */
export async function creditLine(input: CreditLineInput): Promise<CreditLineView> {
  const settings = { ...DEFAULT_SETTINGS, ...input.settings };
  /** The decision SMS goes through the gateway's own queue, under the rate it accepts. */
  const sms = providerActivities<CreditGrantActivities>('notify', {
    startToCloseTimeout: '30 seconds',
    retry,
  });
  const app = input.application;
  const product = getProduct(app.productCode);
  /** The borrower's calendar for dates such as the line's expiry; lines applied before it was asked are the product's. */
  const zone = app.timeZone ?? product.timeZone;
  let s: CarriedState = input.carried ?? {
    phase: 'assess',
    line: newLineView(app),
    review: null,
    proposed: null,
    info: [],
    loans: {},
  };
  let reviewChanged = false;
  let lineChanged = false;
  /**
   * The applicant hears the decision only once the read model and the review queue hold it, so a
   * reviewer's queue read right after the answer has it. Lines applied before this answered first
   * and saved after, and their histories say so: they keep doing that.
   */
  const answerWhenSaved = patched(PATCH.answerDecisionWhenSaved);
  let persistedStatus = s.line.status;

  setHandler(getCreditLine, () => s.line);
  setHandler(getReviewDossier, () => ({
    applicant: app.applicant,
    timeZone: zone,
    requestedLimit: app.requestedLimit,
    proposed: s.proposed,
    assessment: s.assessment ?? null,
    info: s.info,
    line: s.line,
    // The review as it stands now, not as last saved: its decisions and approvals always agree, even
    // while the workflow is still busy with the applicant's SMS and has not saved a new decision yet.
    review: s.review && {
      ...reviewSummary(app.creditLineId, s.review),
      partyIds: s.review.partyIds,
      history: s.review.history,
    },
  }));
  setHandler(awaitDecision, async () => {
    await condition(() => (answerWhenSaved ? persistedStatus : s.line.status) !== 'pending');
    return s.line;
  });
  /** The line after `e` (domain/credit-line-machine.ts); throws the DomainError that refuses it. */
  const next = (e: LineEvent) => stepLine(product, s, e);
  /** Applies `e`; answers whether it asks for `wanted` (by default: what the read model holds changed). */
  const apply = (e: LineEvent, wanted: LineEffect['type'] = 'save'): boolean => {
    const step = next(e);
    s = step.state;
    return step.effects.some((effect) => effect.type === wanted);
  };
  const decision = (d: ReviewDecisionSignal): LineEvent => ({
    type: 'review-decided',
    decision: { ...d, at: nowIso() },
  });
  const decide = (d: ReviewDecisionSignal) => {
    reviewChanged = apply(decision(d)) || reviewChanged;
  };
  setHandler(decideReview, decide, { validator: (d) => void asFailure(() => next(decision(d))) });
  // The signal stays for operators (`temporal workflow signal`) and for signals already in histories.
  setHandler(reviewDecision, (d) => {
    try {
      decide(d);
    } catch (err) {
      log.warn('review decision refused', { reviewerId: d.reviewerId, error: (err as Error).message });
    }
  });
  const infoRequested = () => s.review?.status === 'info_requested';
  const receiveInfo = (info: ApplicantInfo) => {
    s.info.push(info);
    reviewChanged = apply({ type: 'info-received', at: nowIso() }) || reviewChanged;
  };
  setHandler(provideInfo, receiveInfo, {
    validator: (_info) => {
      if (!infoRequested())
        throw refused('review', 'info_not_requested', 'no information was requested for this line');
    },
  });
  setHandler(submitInfo, (info) => {
    if (!infoRequested()) return void log.warn('information not requested; ignored');
    receiveInfo(info);
  });
  setHandler(
    controlLine,
    (control) => {
      lineChanged = apply({ type: 'controlled', control }) || lineChanged;
      return s.line;
    },
    {
      validator: (control) => void asFailure(() => next({ type: 'controlled', control })),
    },
  );

  setHandler(
    drawdown,
    async (req) => {
      if (apply({ type: 'drawdown', loanId: req.loanId, amount: req.amount }, 'start-loan')) {
        lineChanged = true;
        await startLoan(req);
      }
      return { loanId: req.loanId, status: 'disbursing' as const };
    },
    {
      // A retried drawdown (same loan id) is answered again; only a new one is checked against the limit.
      validator: (req) => {
        if (s.loans[req.loanId]) return;
        asFailure(() => refuseDrawdown(product, s, req, today(), verifiedCards()));
      },
    },
  );
  setHandler(
    verifyCard,
    async (req: CardVerificationRequest): Promise<CardVerificationResult> => {
      const last4 = req.bankCard.slice(-4);
      if (verifiedCards().includes(req.bankCard)) return { verified: true, last4 };
      const result = await grant.verifyIdentity({
        creditLineId: `${app.creditLineId}:card:${req.requestId}`,
        applicant: { ...app.applicant, bankCard: req.bankCard },
      });
      if (!result.matched) return { verified: false, last4, reasonCode: result.reasonCode };
      if (!verifiedCards().includes(req.bankCard)) apply({ type: 'card-verified', bankCard: req.bankCard });
      return { verified: true, last4 };
    },
    {
      validator: (req: CardVerificationRequest) => {
        if (!/^\d{12,19}$/.test(req.bankCard)) throw refused('bankCard', 'invalid', 'must be 12–19 digits');
        if (s.line.status !== 'active' && s.line.status !== 'frozen')
          throw refused(
            'creditLine',
            'line_not_active',
            `the line is ${s.line.status}; no card can be added`,
          );
      },
    },
  );
  setHandler(loanStanding, ({ loanId, delinquent }) => {
    lineChanged = apply({ type: 'standing', loanId, delinquent }) || lineChanged;
  });
  setHandler(releaseLimit, ({ loanId, reason, clean }) => {
    lineChanged = apply({ type: 'released', loanId, reason, clean }) || lineChanged;
  });

  if (s.phase === 'assess') await assess();
  if (s.phase === 'review') await review();
  if (s.phase === 'serve') await serve();
  await condition(allHandlersFinished);
  return s.line;

  async function assess(): Promise<void> {
    try {
      await assessment.recordApplication({
        id: app.creditLineId,
        customerId: app.customerId,
        productCode: app.productCode,
        currency: app.requestedLimit.currency,
        requestedLimit: app.requestedLimit.amount,
        bureauConsent: app.consents.bureauQuery,
      });
    } catch (err) {
      // The API refuses such input first; should any reach here, the applicant hears a refusal.
      if (isUnstorable(err))
        throw refused(
          'application',
          'unstorable_input',
          'the application holds a value that cannot be stored',
        );
      throw err;
    }
    const [screening, identity] = await Promise.all([
      assessment.screenLists({ applicant: app.applicant }),
      assessment.verifyIdentity({ creditLineId: app.creditLineId, applicant: app.applicant }),
    ]);
    const facts = {
      applicant: { idNumber: app.applicant.idNumber },
      requestedLimit: app.requestedLimit,
      product: creditBoundsFor(product),
      asOf: localDateAt(Date.now(), zone),
      screening,
      identity: identity.matched ? { matched: true } : { matched: false, reasonCode: identity.reasonCode },
    };
    // The hard rules that need no report go first: a refused applicant is not pulled (and billed).
    let decision: Decision | null = asFailure(() => preBureauDecline(facts));
    let bureau: AssessmentRecord['bureau'] = null;
    if (!decision) {
      const pulled = await assessment.pullBureau({
        creditLineId: app.creditLineId,
        customerId: app.customerId,
        applicant: app.applicant,
        consent: app.consents.bureauQuery,
        maxAgeDays: settings.bureauMaxAgeDays,
      });
      bureau = pulled;
      decision = asFailure(() => decideCredit({ ...facts, bureau: pulled }));
    }
    s.assessment = {
      score: decision.score,
      policyVersion: decision.policyVersion,
      screening,
      identity,
      bureau: bureau && {
        reportId: bureau.reportId,
        pulledAt: bureau.pulledAt,
        score: bureau.score,
        currentDebtsMinor: bureau.currentDebtsMinor,
        overdueCountLast24m: bureau.overdueCountLast24m,
        maxDpdLast24m: bureau.maxDpdLast24m,
      },
      age: decision.audit.age,
    };
    apply({
      type: 'assessed',
      decision,
      today: today(),
      review: {
        partyIds: partyIdsOf({ applicantCustomerId: app.customerId, submittedBy: app.submittedBy }),
        deadlineAt: new Date(Date.now() + settings.reviewWindowHours * 3_600_000).toISOString(),
      },
    });
    await persist(answerWhenSaved ? decisionSave : grant);
    await tellApplicant();
  }

  /** Waits for reviewers until the review is final; a missed deadline escalates once, then declines. */
  async function review(): Promise<void> {
    while (s.review && !isFinal(s.review)) {
      const untilDeadline = Date.parse(s.review.deadlineAt) - Date.now();
      const woken =
        untilDeadline > 0 &&
        (await condition(() => reviewChanged || historyIsLong(settings.historyLimit), untilDeadline));
      if (historyIsLong(settings.historyLimit) && !reviewChanged) return continueAsNewNow();
      if (!woken) apply({ type: 'review-deadline', at: nowIso() });
      reviewChanged = false;
      await persist();
    }
    apply({ type: 'review-ended', today: today() });
    await persist();
    await tellApplicant();
  }

  /** Applicants hear the decision by SMS; lines applied before the SMS existed tell no one. */
  async function tellApplicant(): Promise<void> {
    if (!patched(PATCH.notifyApplicantOfDecision)) return;
    await sms.notifyApplicant({
      creditLineId: app.creditLineId,
      phone: app.applicant.phone,
      status: s.line.status,
      reasonCodes: s.line.reasons.map((r) => r.code),
    });
  }

  /** An active line: takes drawdowns and operator controls; after its expiry it closes once nothing is drawn. */
  async function serve(): Promise<void> {
    const wake = () => lineChanged || historyIsLong(settings.historyLimit);
    while (s.line.status !== 'closed') {
      const expiresAt = s.line.expiresOn
        ? instantOfLocal(addDays(s.line.expiresOn, 1), '00:00', zone)
        : Infinity;
      if (expiresAt === Infinity) await condition(wake);
      else if (Date.now() < expiresAt)
        await condition(wake, expiresAt - Date.now(), { summary: 'line expiry' });
      else await condition(() => wake() || nothingDrawn(s));
      if (Date.now() >= expiresAt && nothingDrawn(s))
        lineChanged = apply({ type: 'expired', today: today() });
      if (lineChanged) {
        lineChanged = false;
        await persist();
      } else if (historyIsLong(settings.historyLimit)) {
        return continueAsNewNow();
      }
    }
    s.phase = 'done';
  }

  function today(): string {
    return localDateAt(Date.now(), zone);
  }

  function verifiedCards(): string[] {
    return [app.applicant.bankCard, ...(s.extraCards ?? [])];
  }

  /** The loan lives on its own: it outlives this run (continue-as-new) and even the line's closure. */
  async function startLoan(req: DrawdownRequest): Promise<void> {
    const loanInput: LoanInput = {
      loanId: req.loanId,
      creditLineId: app.creditLineId,
      customerId: app.customerId,
      productCode: app.productCode,
      principal: req.amount,
      termMonths: req.termMonths,
      method: req.method ?? product.method,
      purpose: req.purpose,
      annualRate: s.line.apr ?? priceForGrade(product, 'E'),
      timeZone: zone,
      ...drawdownCards(product, app.applicant.bankCard, req.bankCard),
      borrower: { idNumber: app.applicant.idNumber, phone: app.applicant.phone },
    };
    await startChild('loan', {
      workflowId: loanWorkflowId(req.loanId),
      args: [loanInput],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      staticSummary: `Loan ${req.loanId} · ${formatMoney(req.amount)} over ${req.termMonths} months · line ${app.creditLineId}`,
    });
  }

  async function persist(saves: Pick<CreditGrantActivities, 'saveReview' | 'saveCreditLineState'> = grant) {
    setCurrentDetails(describeLine(s));
    upsertSearchAttributes([
      { key: CreditLineId, value: app.creditLineId },
      { key: CustomerId, value: app.customerId },
      { key: ProductCode, value: app.productCode },
      { key: LoanStatus, value: s.line.status },
      ...(s.review ? [{ key: ReviewStatus, value: s.review.status }] : []),
    ]);
    s.line.review = s.review && reviewSummary(app.creditLineId, s.review);
    if (s.review && s.proposed) {
      await saves.saveReview({
        id: reviewIdFor(app.creditLineId),
        creditLineId: app.creditLineId,
        status: s.review.status,
        reviewersRequired: s.review.reviewersRequired,
        approvals: s.review.approvals,
        proposedLimit: s.proposed.limit.amount,
        currency: s.proposed.limit.currency,
        grade: s.proposed.grade,
        escalations: s.review.escalations,
        dueAt: s.review.deadlineAt,
        outcome: s.review.outcome,
      });
    }
    await saves.saveCreditLineState(s.line);
    persistedStatus = s.line.status;
  }

  function continueAsNewNow(): Promise<never> {
    return continueAsNewOnceHandled<typeof creditLine>([
      { application: app, settings: input.settings, carried: s },
    ]);
  }
}

/** Where the line stands, for the operator looking at it in the Temporal UI (ids and amounts, no PII). */
function describeLine({ line, review, loans }: CarriedState): string {
  const amount = (m: Money | null) => (m ? formatMoney(m) : '—');
  const open = Object.values(loans).filter((l) => !l.released).length;
  return [
    `**${line.status}** · ${line.productCode} · grade ${line.grade ?? '—'} · APR ${line.apr ?? '—'}`,
    `limit ${amount(line.limit)} · available ${amount(line.available)} · open loans ${open}`,
    review
      ? `review ${review.status} · approvals ${review.approvals.length}/${review.reviewersRequired} · due ${review.deadlineAt}`
      : '',
    line.expiresOn ? `valid until ${line.expiresOn}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** What the line's view and the read model show of its review. */
function reviewSummary(creditLineId: string, review: ReviewState): ReviewSummary {
  return {
    id: reviewIdFor(creditLineId),
    status: review.status,
    reviewersRequired: review.reviewersRequired,
    approvals: review.approvals,
    deadlineAt: review.deadlineAt,
    escalations: review.escalations,
    infoRequested: review.status === 'info_requested',
  };
}

function newLineView(app: CreditLineApplication): CreditLineView {
  return {
    id: app.creditLineId,
    ...pendingLine(app.requestedLimit),
    productCode: app.productCode,
    customerId: app.customerId,
    review: null,
    submittedBy: app.submittedBy,
  };
}

const nowIso = () => new Date(Date.now()).toISOString();
