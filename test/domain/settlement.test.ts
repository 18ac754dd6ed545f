import fc from 'fast-check';
import { addDays } from '../../domain/localdate';
import {
  checkSettlementDecision,
  decideSettlement,
  DEFAULT_SETTLEMENT_POLICY,
  lapseSettlement,
  proposeSettlement,
  type SettlementOffer,
} from '../../domain/settlement';
import { expectDomainError } from '../support/domain-error';

const TODAY = '2024-05-10';
const AT = '2024-05-10T03:00:00.000Z';
const receivable = { principal: 400_000, interest: 60_000, fees: 20_000, penalty: 120_000 };
const ctx = { today: TODAY, outstanding: 600_000, receivable, openOffer: false };
const req = { id: 'o1', amount: 450_000, payBy: '2024-05-20', proposedBy: 'agent-1', reason: 'hardship' };
const propose = (patch: Partial<typeof req> = {}, c: Partial<typeof ctx> = {}) =>
  proposeSettlement({ ...req, ...patch }, { ...ctx, ...c }, DEFAULT_SETTLEMENT_POLICY);
const vote = (reviewerId: string, decision: 'approve' | 'decline' = 'approve') => ({
  reviewerId,
  decision,
  reason: 'ok',
  at: AT,
});

describe('proposeSettlement', () => {
  it('prices the waiver and asks for two reviewers above the threshold', () => {
    expect(propose()).toEqual({
      id: 'o1',
      amount: 450_000,
      payBy: '2024-05-20',
      waived: 150_000,
      status: 'pending_approval',
      reviewersRequired: 2,
      approvals: [],
      proposedBy: 'agent-1',
      reason: 'hardship',
      decisions: [],
    });
    expect(propose({ amount: 500_000 }).reviewersRequired).toBe(1);
    expect(propose({ amount: 499_999 }).reviewersRequired).toBe(2);
  });

  it('waives only interest and penalty: the amount must cover principal and fees', () => {
    expect(propose({ amount: 420_000 }).waived).toBe(180_000);
    expectDomainError(() => propose({ amount: 419_999 }), 'amount.amount', 'below_floor');
  });

  it('is not a settlement when the amount pays everything', () => {
    expectDomainError(() => propose({ amount: 600_000 }), 'amount.amount', 'not_a_settlement');
    for (const amount of [0, -1, 1.5]) expectDomainError(() => propose({ amount }), 'amount.amount');
  });

  it('needs a pay-by date within the window, a reason and no other live offer', () => {
    expect(propose({ payBy: TODAY }).payBy).toBe(TODAY);
    expect(propose({ payBy: addDays(TODAY, 30) }).payBy).toBe(addDays(TODAY, 30));
    expectDomainError(() => propose({ payBy: addDays(TODAY, -1) }), 'payBy', 'date_out_of_range');
    expectDomainError(() => propose({ payBy: addDays(TODAY, 31) }), 'payBy', 'date_out_of_range');
    expectDomainError(() => propose({ payBy: 'soon' }), 'payBy');
    expectDomainError(() => propose({ reason: '  ' }), 'reason', 'reason_required');
    expectDomainError(() => propose({}, { openOffer: true }), 'offer', 'offer_open');
  });

  it('waives exactly outstanding minus amount and never principal or fees', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.integer({ min: 1, max: 10_000_000 }),
        (amount, n) => {
          const c = { ...ctx, outstanding: 420_000 + (n % 180_001) };
          let offer: SettlementOffer;
          try {
            offer = proposeSettlement({ ...req, amount }, c, DEFAULT_SETTLEMENT_POLICY);
          } catch {
            expect(amount < 420_000 || amount >= c.outstanding).toBe(true);
            return;
          }
          expect(offer.waived).toBe(c.outstanding - amount);
          expect(offer.waived).toBeLessThanOrEqual(receivable.interest + receivable.penalty);
          expect(offer.reviewersRequired).toBe(offer.waived > 100_000 ? 2 : 1);
        },
      ),
    );
  });
});

describe('settlement decisions', () => {
  const dual = propose();
  const single = propose({ amount: 550_000 });

  it('approves with one reviewer below the threshold', () => {
    const after = decideSettlement(single, vote('rev-1'));
    expect(after).toMatchObject({ status: 'approved', approvals: ['rev-1'] });
    expect(after.decisions).toEqual([{ reviewerId: 'rev-1', decision: 'approve', reason: 'ok', at: AT }]);
    expect(single.status).toBe('pending_approval');
  });

  it('needs two different reviewers above it (maker-checker)', () => {
    const once = decideSettlement(dual, vote('rev-1'));
    expect(once).toMatchObject({ status: 'pending_approval', approvals: ['rev-1'] });
    expectDomainError(() => checkSettlementDecision(once, vote('rev-1')), 'reviewerId', 'already_decided');
    expect(decideSettlement(once, vote('rev-2'))).toMatchObject({
      status: 'approved',
      approvals: ['rev-1', 'rev-2'],
    });
  });

  it('declines on any decline, even after an approval', () => {
    const once = decideSettlement(dual, vote('rev-1'));
    expect(decideSettlement(once, vote('rev-2', 'decline')).status).toBe('declined');
  });

  it('never lets the proposer review, nor anyone decide a closed offer', () => {
    expectDomainError(() => checkSettlementDecision(dual, vote('agent-1')), 'reviewerId', 'party_to_offer');
    expectDomainError(() => decideSettlement(dual, vote('agent-1')), 'reviewerId', 'party_to_offer');
    const approved = decideSettlement(single, vote('rev-1'));
    expectDomainError(() => checkSettlementDecision(approved, vote('rev-2')), 'offer', 'not_pending');
  });

  it('requires a reviewer, a known decision and a reason', () => {
    expectDomainError(() => checkSettlementDecision(dual, { ...vote(''), reason: 'x' }), 'reviewerId');
    expectDomainError(() => checkSettlementDecision(dual, { ...vote('rev-1'), reason: '' }), 'reason');
    expectDomainError(
      () => checkSettlementDecision(dual, { ...vote('rev-1'), decision: 'maybe' as 'approve' }),
      'decision',
    );
    expectDomainError(() => decideSettlement(dual, { ...vote('rev-1'), at: 'now' }), 'at');
  });
});

describe('lapseSettlement', () => {
  const approved = decideSettlement(propose({ amount: 550_000 }), vote('rev-1'));

  it('lapses an approved offer only after its pay-by date', () => {
    expect(lapseSettlement(approved, '2024-05-20')).toBe(approved);
    expect(lapseSettlement(approved, '2024-05-21')).toEqual({ ...approved, status: 'lapsed' });
    expect(approved.status).toBe('approved');
  });

  it('leaves offers in other states alone', () => {
    const pending = propose();
    expect(lapseSettlement(pending, '2024-06-30')).toBe(pending);
    const paid: SettlementOffer = { ...approved, status: 'paid' };
    expect(lapseSettlement(paid, '2024-06-30')).toBe(paid);
  });
});
