import { DomainError } from '../../domain/errors';
import {
  DEFAULT_REVIEW_POLICY,
  applyDecision,
  decideRefusal,
  isFinal,
  onDeadline,
  onInfoReceived,
  openReview,
  partyIdsOf,
  type ReviewState,
} from '../../domain/review-policy';

const T0 = '2026-11-20T10:00:00.000Z';
const DEADLINE = '2026-11-21T10:00:00.000Z';
const parties = partyIdsOf({ applicantCustomerId: 'cus_1', submittedBy: 'agent_7' });
const open = (reviewersRequired: 1 | 2 = 1) =>
  openReview({ reviewersRequired, partyIds: parties, deadlineAt: DEADLINE });
const approve = (s: ReviewState, reviewerId: string, at = T0) =>
  applyDecision(s, { reviewerId, decision: 'approve', at });

function refusalCode(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e.code;
    throw e;
  }
  return undefined;
}

describe('who may decide', () => {
  test('party = applicant and submitter; neither may review', () => {
    expect(parties).toEqual(['cus_1', 'agent_7']);
    const s = open();
    expect(decideRefusal(s, 'cus_1', parties)?.code).toBe('REVIEWER_IS_PARTY');
    expect(decideRefusal(s, 'agent_7')?.code).toBe('REVIEWER_IS_PARTY');
    expect(decideRefusal(s, 'rev_a')).toBeNull();
    expect(refusalCode(() => approve(s, 'agent_7'))).toBe('REVIEWER_IS_PARTY');
  });

  test('extra party ids passed by the caller count too', () => {
    expect(decideRefusal(open(), 'rev_a', ['rev_a'])?.code).toBe('REVIEWER_IS_PARTY');
  });

  test('an empty reviewer id is refused', () => {
    expect(decideRefusal(open(), '')?.code).toBe('REVIEWER_MISSING');
  });
});

describe('single reviewer', () => {
  test('one approval approves', () => {
    const s = approve(open(), 'rev_a');
    expect(s.status).toBe('approved');
    expect(s.outcome).toEqual({
      decision: 'approve',
      reasons: [{ code: 'REVIEW_APPROVED', message: 'Approved by a credit reviewer.' }],
    });
    expect(isFinal(s)).toBe(true);
    expect(decideRefusal(s, 'rev_b')?.code).toBe('REVIEW_CLOSED');
  });

  test('a decline needs a reason and carries it', () => {
    expect(
      refusalCode(() =>
        applyDecision(open(), { reviewerId: 'rev_a', decision: 'decline', reason: '  ', at: T0 }),
      ),
    ).toBe('invalid');
    const s = applyDecision(open(), {
      reviewerId: 'rev_a',
      decision: 'decline',
      reason: 'income not verifiable',
      at: T0,
    });
    expect(s.status).toBe('declined');
    expect(s.outcome?.reasons).toEqual([
      { code: 'REVIEW_DECLINED', message: 'Declined in credit review: income not verifiable' },
    ]);
  });

  test('applying a decision leaves the previous state untouched', () => {
    const before = open();
    const copy = JSON.parse(JSON.stringify(before));
    approve(before, 'rev_a');
    expect(before).toEqual(copy);
  });
});

describe('maker-checker (two reviewers)', () => {
  test('the first approval waits for a second, different reviewer', () => {
    const one = approve(open(2), 'rev_a');
    expect(one.status).toBe('pending');
    expect(one.approvals).toEqual(['rev_a']);
    const two = approve(one, 'rev_b');
    expect(two.status).toBe('approved');
    expect(two.outcome?.reasons[0]?.message).toBe('Approved by 2 different credit reviewers.');
  });

  test('the same reviewer cannot approve twice', () => {
    const one = approve(open(2), 'rev_a');
    expect(decideRefusal(one, 'rev_a')?.code).toBe('ALREADY_DECIDED');
    expect(refusalCode(() => approve(one, 'rev_a'))).toBe('ALREADY_DECIDED');
  });

  test('nor change their approval into a decline', () => {
    const one = approve(open(2), 'rev_a');
    expect(
      refusalCode(() =>
        applyDecision(one, { reviewerId: 'rev_a', decision: 'decline', reason: 'second thoughts', at: T0 }),
      ),
    ).toBe('ALREADY_DECIDED');
  });

  test('any decline declines, even after one approval', () => {
    const s = applyDecision(approve(open(2), 'rev_a'), {
      reviewerId: 'rev_b',
      decision: 'decline',
      reason: 'debt burden',
      at: T0,
    });
    expect(s.status).toBe('declined');
    expect(s.outcome?.decision).toBe('decline');
  });
});

describe('request for information', () => {
  test('moves to info_requested, blocks decisions, and returns to pending when info arrives', () => {
    const asked = applyDecision(open(2), {
      reviewerId: 'rev_a',
      decision: 'request_info',
      reason: 'payslips for 3 months',
      at: T0,
    });
    expect(asked.status).toBe('info_requested');
    expect(decideRefusal(asked, 'rev_b')?.code).toBe('AWAITING_INFO');

    const back = onInfoReceived(asked, '2026-11-20T12:00:00.000Z');
    expect(back.status).toBe('pending');
    // request_info is not a decision: the same reviewer may now approve, and a second one complete it.
    const done = approve(approve(back, 'rev_a'), 'rev_b');
    expect(done.status).toBe('approved');
    expect(done.history.map((e) => e.type)).toEqual(['decision', 'info_received', 'decision', 'decision']);
  });

  test('needs a reason, and info cannot arrive when none was asked for', () => {
    expect(
      refusalCode(() => applyDecision(open(), { reviewerId: 'rev_a', decision: 'request_info', at: T0 })),
    ).toBe('invalid');
    expect(refusalCode(() => onInfoReceived(open(), T0))).toBe('NOT_AWAITING_INFO');
  });
});

describe('deadline', () => {
  test('first miss escalates once with a new deadline; second miss expires as a decline', () => {
    const s = open(2);
    const escalated = onDeadline(s, DEADLINE);
    expect(escalated.status).toBe('pending');
    expect(escalated.escalations).toBe(1);
    expect(escalated.deadlineAt).toBe('2026-11-22T10:00:00.000Z');
    expect(escalated.history.at(-1)).toEqual({
      type: 'escalated',
      at: DEADLINE,
      deadlineAt: '2026-11-22T10:00:00.000Z',
      to: DEFAULT_REVIEW_POLICY.escalateTo,
    });

    const expired = onDeadline(escalated, '2026-11-22T10:00:00.000Z');
    expect(expired.status).toBe('expired');
    expect(expired.outcome).toEqual({
      decision: 'decline',
      reasons: [
        {
          code: 'REVIEW_EXPIRED',
          message: 'Declined: the credit review was not completed in time, even after escalation.',
        },
      ],
    });
    expect(decideRefusal(expired, 'rev_a')?.code).toBe('REVIEW_CLOSED');
  });

  test('a half-approved maker-checker review still expires as a decline, never an approval', () => {
    const half = approve(open(2), 'rev_a');
    const expired = onDeadline(onDeadline(half, DEADLINE), '2026-11-23T00:00:00.000Z');
    expect(expired.outcome?.decision).toBe('decline');
  });

  test('an unanswered request for information expires too', () => {
    const asked = applyDecision(open(), {
      reviewerId: 'rev_a',
      decision: 'request_info',
      reason: 'proof of address',
      at: T0,
    });
    const expired = onDeadline(onDeadline(asked, DEADLINE), '2026-11-22T10:00:00.000Z');
    expect(expired.status).toBe('expired');
  });

  test('an early or late timer changes nothing it should not', () => {
    const s = open();
    expect(onDeadline(s, '2026-11-21T09:59:59.999Z')).toBe(s);
    const decided = approve(s, 'rev_a');
    expect(onDeadline(decided, '2026-12-01T00:00:00.000Z')).toBe(decided);
    const escalated = onDeadline(s, DEADLINE);
    expect(onDeadline(escalated, DEADLINE)).toBe(escalated); // the old timer firing again after escalation
  });

  test('a late-firing first timer does not stretch the escalation window', () => {
    expect(onDeadline(open(), '2026-11-21T15:00:00.000Z').deadlineAt).toBe('2026-11-22T10:00:00.000Z');
  });

  test('state stays plain JSON through the whole life', () => {
    const s = onDeadline(approve(open(2), 'rev_a'), DEADLINE);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  test('malformed instants are refused', () => {
    expect(() => openReview({ reviewersRequired: 1, partyIds: [], deadlineAt: 'tomorrow' })).toThrow(
      DomainError,
    );
    expect(() => onDeadline(open(), '2026-11-21')).toThrow(DomainError);
  });
});
