import fc from 'fast-check';
import { lineExpiry } from '../../domain/credit-line';
import * as machine from '../../domain/credit-line-machine';
import { DomainError } from '../../domain/errors';
import { priceForGrade } from '../../domain/pricing';
import { type Grade, getProduct } from '../../domain/products';

type LineEvent = machine.LineEvent;
type LineState = machine.LineState;
const { nothingDrawn, pendingLine, refuseDrawdown, stepLine } = machine;

const product = getProduct('cash-installment');
const TODAY = '2026-11-20';
const cny = (amount: number) => ({ amount, currency: 'CNY' as const });

function fresh(): LineState {
  return { phase: 'assess', line: pendingLine(cny(2_000_000)), review: null, proposed: null, loans: {} };
}

const assessed = (
  outcome: 'approve' | 'review' | 'decline',
  grade: Grade | null = 'B',
  reviewersRequired: 0 | 1 | 2 = 1,
): LineEvent => ({
  type: 'assessed',
  decision: { outcome, grade, limit: cny(2_000_000), reviewersRequired, reasons: [] },
  today: TODAY,
  review: { deadlineAt: '2026-11-22T10:00:00.000Z', partyIds: ['cus_1', 'key_agent'] },
});

/** Freezes a state all the way down, so a step that wrote into its input would throw. */
function frozen<T>(value: T): T {
  if (value && typeof value === 'object') {
    Object.values(value).forEach(frozen);
    Object.freeze(value);
  }
  return value;
}

/** What a line may lend, counted here from scratch: nothing once closed, else limit less open holds. */
function expectedAvailable(s: LineState): number {
  if (s.line.status === 'closed') return 0;
  const held = Object.values(s.loans)
    .filter((l) => !l.released)
    .reduce((sum, l) => sum + l.amount.amount, 0);
  return s.line.limit!.amount - held;
}

const loanId = fc.constantFrom('ln_0', 'ln_1', 'ln_2', 'ln_3');
const reason = fc.string({ minLength: 1, maxLength: 8 });
const serveEvent: fc.Arbitrary<LineEvent> = fc.oneof(
  fc.record({
    type: fc.constant('drawdown' as const),
    loanId,
    amount: fc.integer({ min: 50_000, max: 900_000 }).map(cny),
  }),
  fc.record({
    type: fc.constant('released' as const),
    loanId,
    reason: fc.constantFrom('settled' as const, 'disbursement_failed' as const, 'written_off' as const),
    clean: fc.boolean(),
  }),
  fc.record({ type: fc.constant('standing' as const), loanId, delinquent: fc.boolean() }),
  fc.record({
    type: fc.constant('controlled' as const),
    control: fc.oneof(
      fc.record({
        action: fc.constantFrom('freeze' as const, 'unfreeze' as const, 'close' as const),
        reason,
        actor: fc.constant('ops_1'),
      }),
      fc.record({
        action: fc.constant('change_limit' as const),
        reason,
        actor: fc.constant('ops_1'),
        limit: fc.integer({ min: 1, max: 4_000_000 }).map(cny),
      }),
    ),
  }),
  fc.record({
    type: fc.constant('card-verified' as const),
    bankCard: fc.constantFrom('6222020001', '6222020002'),
  }),
  fc.record({ type: fc.constant('expired' as const), today: fc.constant('2027-11-21') }),
);

/** A step as the workflow takes it: a drawdown first passes the validator's check, a refusal changes nothing. */
function take(s: LineState, e: LineEvent) {
  try {
    if (e.type === 'drawdown' && !s.loans[e.loanId])
      refuseDrawdown(product, s, { amount: e.amount, termMonths: 3, purpose: 'test' }, TODAY, []);
    return stepLine(product, s, e);
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return null;
  }
}

describe('credit line machine (domain/credit-line-machine.ts)', () => {
  it('an assessment answers with the line its decision makes, saved and told to the applicant once', () => {
    const approved = stepLine(product, frozen(fresh()), assessed('approve', 'C'));
    expect(approved.state.phase).toBe('serve');
    expect(approved.state.line).toMatchObject({
      status: 'active',
      grade: 'C',
      limit: cny(2_000_000),
      available: cny(2_000_000),
      apr: priceForGrade(product, 'C'),
      expiresOn: lineExpiry(TODAY),
    });
    expect(approved.effects).toEqual([{ type: 'save' }, { type: 'tell-applicant' }]);

    const declined = stepLine(product, fresh(), assessed('decline', null));
    expect([declined.state.phase, declined.state.line.status]).toEqual(['done', 'declined']);
    // A decision without a grade cannot price a line, whatever its outcome says.
    expect(stepLine(product, fresh(), assessed('approve', null)).state.line.status).toBe('declined');

    const reviewed = stepLine(product, fresh(), assessed('review', 'B', 2));
    expect([reviewed.state.phase, reviewed.state.line.status]).toEqual(['review', 'pending_review']);
    expect(reviewed.state.review).toMatchObject({ reviewersRequired: 2, partyIds: ['cus_1', 'key_agent'] });
    expect(reviewed.state.proposed).toEqual({ limit: cny(2_000_000), grade: 'B' });
  });

  it('a review ends in the proposed line only when its reviewers approved; its reasons join the line', () => {
    const opened = stepLine(product, fresh(), assessed('review', 'B', 1)).state;
    const at = '2026-11-20T12:00:00.000Z';
    const approved = stepLine(product, opened, {
      type: 'review-decided',
      decision: { reviewerId: 'rv_1', decision: 'approve', at },
    }).state;
    const granted = stepLine(product, approved, { type: 'review-ended', today: TODAY });
    expect(granted.state.line).toMatchObject({ status: 'active', limit: cny(2_000_000), grade: 'B' });
    expect(granted.state.line.reasons.map((r) => r.code)).toEqual(['REVIEW_APPROVED']);
    expect(granted.effects).toEqual([{ type: 'save' }, { type: 'tell-applicant' }]);

    const missed = stepLine(product, opened, {
      type: 'review-deadline',
      at: '2026-11-22T10:00:00.000Z',
    }).state;
    const expired = stepLine(product, missed, {
      type: 'review-deadline',
      at: '2026-11-24T10:00:00.000Z',
    }).state;
    const ended = stepLine(product, expired, { type: 'review-ended', today: TODAY }).state;
    expect([ended.phase, ended.line.status]).toEqual(['done', 'declined']);
  });

  it('refuses a review message when no review is open, naming the review', () => {
    const served = stepLine(product, fresh(), assessed('approve')).state;
    expect(() =>
      stepLine(product, served, { type: 'info-received', at: '2026-11-20T12:00:00.000Z' }),
    ).toThrow(expect.objectContaining({ field: 'review', code: 'NO_REVIEW' }));
  });

  it('over any sequence of serving events: available never drifts from limit less open holds, never below 0', () => {
    fc.assert(
      fc.property(fc.array(serveEvent, { maxLength: 40 }), (events) => {
        let s = stepLine(product, fresh(), assessed('approve')).state;
        const started = new Map<string, number>();
        for (const e of events) {
          const before = JSON.stringify(frozen(s));
          const taken = take(s, e);
          if (!taken) {
            // A refusal leaves the line exactly as it was (and `frozen` proves nothing wrote into it).
            expect(JSON.stringify(s)).toBe(before);
            continue;
          }
          const { state, effects } = taken;
          for (const effect of effects)
            if (effect.type === 'start-loan')
              started.set(effect.loanId, (started.get(effect.loanId) ?? 0) + 1);
          if (JSON.stringify(state.line) !== JSON.stringify(s.line))
            expect(effects).toContainEqual({ type: 'save' });
          for (const [id, was] of Object.entries(s.loans)) {
            if (was.released) expect(state.loans[id]).toEqual(was);
          }
          expect(state.line.available!.amount).toBe(expectedAvailable(state));
          if (state.line.status !== 'closed') expect(state.line.available!.amount).toBeGreaterThanOrEqual(0);
          if (s.line.status === 'closed') expect(state.line.status).toBe('closed');
          if (state.heldBy?.length) expect(state.line.status).not.toBe('active');
          s = state;
        }
        // Each loan starts once, however often its drawdown arrives.
        for (const count of started.values()) expect(count).toBe(1);
        expect(started.size).toBe(Object.keys(s.loans).length);
      }),
      { numRuns: 300 },
    );
  });

  it('renews a line whose every loan settled on time, and closes one with any other history', () => {
    let s = stepLine(product, fresh(), assessed('approve')).state;
    s = stepLine(product, s, { type: 'drawdown', loanId: 'ln_0', amount: cny(300_000) }).state;
    expect(nothingDrawn(s)).toBe(false);
    const repaid = stepLine(product, s, {
      type: 'released',
      loanId: 'ln_0',
      reason: 'settled',
      clean: true,
    }).state;
    expect(nothingDrawn(repaid)).toBe(true);
    const renewed = stepLine(product, repaid, { type: 'expired', today: '2027-11-21' }).state;
    expect(renewed.line).toMatchObject({
      status: 'active',
      limit: cny(2_400_000),
      available: cny(2_400_000),
    });
    expect(renewed.line.expiresOn).toBe(lineExpiry('2027-11-21'));

    const late = stepLine(product, s, {
      type: 'released',
      loanId: 'ln_0',
      reason: 'settled',
      clean: false,
    }).state;
    const closed = stepLine(product, late, { type: 'expired', today: '2027-11-21' }).state;
    expect(closed.line).toMatchObject({ status: 'closed', available: cny(0) });
  });
});
