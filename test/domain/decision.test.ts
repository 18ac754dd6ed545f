import fc from 'fast-check';
import {
  DEFAULT_CREDIT_POLICY,
  assertCreditPolicy,
  decideCredit,
  preBureauDecline,
  type BureauFacts,
  type CreditInput,
  type CreditPolicy,
  type ReasonCode,
} from '../../domain/decision';
import { DomainError } from '../../domain/errors';
import { idCheckCharacter } from '../../domain/identity';

const idFor = (birth: string, region = '110101', seq = '123') =>
  `${region}${birth}${seq}${idCheckCharacter(`${region}${birth}${seq}`)}`;
const AS_OF = '2026-11-20';

const strong: BureauFacts = {
  reportId: 'rpt-1',
  score: 780,
  currentDebtsMinor: 0,
  overdueCountLast24m: 0,
  maxDpdLast24m: 0,
};
const gradeC: BureauFacts = {
  reportId: 'rpt-c',
  score: 700,
  currentDebtsMinor: 10_000_000,
  overdueCountLast24m: 2,
  maxDpdLast24m: 10,
};
const gradeD: BureauFacts = {
  reportId: 'rpt-d',
  score: 650,
  currentDebtsMinor: 3_000_000,
  overdueCountLast24m: 1,
  maxDpdLast24m: 5,
};
const weak: BureauFacts = {
  reportId: 'rpt-e',
  score: 520,
  currentDebtsMinor: 6_000_000,
  overdueCountLast24m: 3,
  maxDpdLast24m: 25,
};

function input(overrides: Partial<CreditInput> & { amount?: number } = {}): CreditInput {
  const { amount = 2_000_000, ...rest } = overrides;
  return {
    applicant: { idNumber: idFor('19960101') },
    requestedLimit: { amount, currency: 'CNY' },
    product: {
      code: 'cash-installment',
      minAge: 18,
      maxAge: 60,
      minLimitMinor: 100_000,
      maxLimitMinor: 50_000_000,
    },
    asOf: AS_OF,
    screening: { listed: null },
    identity: { matched: true },
    bureau: strong,
    ...rest,
  };
}

const codes = (d: { reasons: { code: ReasonCode }[] }) => d.reasons.map((r) => r.code);

describe('approve', () => {
  test('a good file below 50,000.00 is approved for what it asked, with a reason', () => {
    const d = decideCredit(input());
    expect(d).toMatchObject({
      outcome: 'approve',
      reviewersRequired: 0,
      grade: 'A',
      limit: { amount: 2_000_000, currency: 'CNY' },
      whitelisted: false,
    });
    expect(codes(d)).toEqual(['APPROVED']);
    expect(d.reasons[0]?.message).toBe('Approved at grade A with a limit of 20,000.00 CNY.');
    expect(d.audit).toMatchObject({ age: 30, bureauReportId: 'rpt-1', scorecardGrade: 'A' });
    expect(d.policyVersion).toBe(DEFAULT_CREDIT_POLICY.version);
  });

  test('the decision is plain JSON', () => {
    const d = decideCredit(input({ amount: 25_000_000 }));
    expect(JSON.parse(JSON.stringify(d))).toEqual(d);
  });
});

describe('review thresholds on the granted limit', () => {
  test.each([
    [4_999_999, 'approve', 0, 'APPROVED'],
    [5_000_000, 'review', 1, 'REVIEW_ONE_REVIEWER'],
    [19_999_999, 'review', 1, 'REVIEW_ONE_REVIEWER'],
    [20_000_000, 'review', 2, 'REVIEW_TWO_REVIEWERS'],
    [50_000_000, 'review', 2, 'REVIEW_TWO_REVIEWERS'],
  ] as const)('%i minor units → %s with %i reviewer(s)', (amount, outcome, reviewers, code) => {
    const d = decideCredit(input({ amount }));
    expect(d.outcome).toBe(outcome);
    expect(d.reviewersRequired).toBe(reviewers);
    expect(d.limit.amount).toBe(amount);
    expect(codes(d)).toContain(code);
  });

  test('the review message states the amount and who must approve', () => {
    const d = decideCredit(input({ amount: 20_000_000 }));
    expect(d.reasons[0]?.message).toBe(
      'A limit of 200,000.00 CNY (200,000.00 CNY or more) is approved by two different credit reviewers.',
    );
  });

  test('a request capped by grade is reviewed on the capped amount', () => {
    const d = decideCredit(
      input({ amount: 25_000_000, bureau: { ...gradeC, currentDebtsMinor: 15_000_000 } }),
    );
    expect(d.grade).toBe('C');
    expect(d.limit.amount).toBe(10_000_000);
    expect(d.reviewersRequired).toBe(1);
    expect(codes(d)).toEqual(['LIMIT_CAPPED', 'REVIEW_ONE_REVIEWER']);
    expect(d.reasons[0]?.message).toBe(
      'You asked for 250,000.00 CNY; the most we offer at grade C is 100,000.00 CNY.',
    );
  });

  test('the product maximum caps too, and says so', () => {
    const d = decideCredit(
      input({
        amount: 4_000_000,
        product: { minAge: 18, maxAge: 60, minLimitMinor: 100_000, maxLimitMinor: 3_000_000 },
      }),
    );
    expect(d.limit.amount).toBe(3_000_000);
    expect(d.reasons[1]?.message).toContain('for this product');
  });

  test('thresholds are policy parameters', () => {
    const policy: CreditPolicy = {
      ...DEFAULT_CREDIT_POLICY,
      review: { oneReviewerFromMinor: 1_000_000, twoReviewersFromMinor: 2_000_000 },
    };
    expect(decideCredit(input({ amount: 1_000_000 }), policy).reviewersRequired).toBe(1);
    expect(decideCredit(input({ amount: 2_000_000 }), policy).reviewersRequired).toBe(2);
  });
});

describe('hard rules', () => {
  test('blacklist declines with a generic message; the auditor sees the matched element', () => {
    const d = decideCredit(input({ screening: { listed: 'blacklist', matchedOn: 'phone' } }));
    expect(d).toMatchObject({ outcome: 'decline', grade: null, score: null, limit: { amount: 0 } });
    expect(codes(d)).toEqual(['BLACKLISTED']);
    expect(d.reasons[0]?.message).not.toMatch(/blacklist|phone/i);
    expect(d.audit.listMatchedOn).toBe('phone');
  });

  test('identity mismatch declines', () => {
    const d = decideCredit(input({ identity: { matched: false, reasonCode: 'IDENTITY_MISMATCH' } }));
    expect(codes(d)).toEqual(['IDENTITY_MISMATCH']);
    expect(d.audit.identityReasonCode).toBe('IDENTITY_MISMATCH');
  });

  test('every failing hard rule is reported, in order', () => {
    const d = decideCredit(
      input({
        screening: { listed: 'blacklist' },
        identity: { matched: false },
        applicant: { idNumber: idFor('20100101') },
        bureau: { ...weak, maxDpdLast24m: 120, score: 400 },
      }),
    );
    expect(codes(d)).toEqual([
      'BLACKLISTED',
      'IDENTITY_MISMATCH',
      'AGE_OUT_OF_RANGE',
      'BUREAU_SEVERE_DELINQUENCY',
      'BUREAU_SCORE_BELOW_MINIMUM',
    ]);
  });

  test.each([
    ['20081121', 'decline'], // 17: eighteenth birthday is tomorrow
    ['20081120', 'approve'], // 18 today
    ['19661120', 'approve'], // 60 today
    ['19651120', 'decline'], // 61 today
  ])('age bounds are inclusive (born %s → %s)', (birth, outcome) => {
    const d = decideCredit(input({ applicant: { idNumber: idFor(birth) } }));
    expect(d.outcome).toBe(outcome);
    if (outcome === 'decline') {
      expect(codes(d)).toEqual(['AGE_OUT_OF_RANGE']);
      expect(d.reasons[0]?.message).toMatch(/aged 18 to 60; you are (17|61)\./);
    }
  });

  test.each([
    [{ maxDpdLast24m: 90 }, 'decline'],
    [{ maxDpdLast24m: 89 }, 'approve'],
    [{ overdueCountLast24m: 6 }, 'decline'],
  ])('severe delinquency %o → %s', (patch, outcome) => {
    const d = decideCredit(input({ bureau: { ...strong, ...patch } }));
    expect(d.outcome).toBe(outcome);
    if (outcome === 'decline') expect(codes(d)).toEqual(['BUREAU_SEVERE_DELINQUENCY']);
  });

  test('a bureau score under the floor declines before scoring', () => {
    const d = decideCredit(input({ bureau: { ...strong, score: 449 } }));
    expect(codes(d)).toEqual(['BUREAU_SCORE_BELOW_MINIMUM']);
    expect(d.score).toBeNull();
    expect(codes(decideCredit(input({ bureau: { ...strong, score: 450 } })))).not.toContain(
      'BUREAU_SCORE_BELOW_MINIMUM',
    );
  });
});

describe('scorecard', () => {
  test('the decline band declines with the score and the main factors', () => {
    const d = decideCredit(input({ amount: 1_000_000, bureau: weak }));
    expect(d).toMatchObject({ outcome: 'decline', grade: 'E', limit: { amount: 0 } });
    expect(codes(d)).toEqual(['SCORE_TOO_LOW']);
    expect(d.reasons[0]?.message).toBe(
      'Your application scored 100 points; at least 270 are needed. Main factors: credit bureau score; existing debts compared with the amount requested.',
    );
    expect(d.score?.contributions).toHaveLength(4);
  });

  test('grade review band sends grade D to one reviewer when policy says so', () => {
    const policy: CreditPolicy = { ...DEFAULT_CREDIT_POLICY, reviewGrades: ['D'] };
    const d = decideCredit(input({ bureau: gradeD }), policy);
    expect(d).toMatchObject({ outcome: 'review', reviewersRequired: 1, grade: 'D' });
    expect(codes(d)).toEqual(['REVIEW_GRADE']);
  });

  test('a grade cap under the product minimum declines', () => {
    const d = decideCredit(
      input({
        amount: 4_000_000,
        bureau: { ...gradeD, currentDebtsMinor: 6_000_000 },
        product: { minAge: 18, maxAge: 60, minLimitMinor: 3_500_000, maxLimitMinor: 50_000_000 },
      }),
    );
    expect(d.outcome).toBe('decline');
    expect(codes(d)).toEqual(['LIMIT_BELOW_PRODUCT_MINIMUM']);
    expect(d.reasons[0]?.message).toBe(
      "The most we can offer at grade D is 30,000.00 CNY, below this product's minimum of 35,000.00 CNY.",
    );
  });
});

describe('whitelist fast-track', () => {
  const white = { listed: 'whitelist' as const, matchedOn: 'phone' };

  test('skips the scorecard decline band at the floor grade, keeping the real grade for the auditor', () => {
    const d = decideCredit(input({ amount: 1_000_000, bureau: weak, screening: white }));
    expect(d).toMatchObject({
      outcome: 'approve',
      grade: 'D',
      whitelisted: true,
      limit: { amount: 1_000_000 },
    });
    expect(d.audit.scorecardGrade).toBe('E');
    expect(codes(d)).toEqual(['APPROVED', 'WHITELIST_FAST_TRACK']);
  });

  test('skips the grade review band', () => {
    const policy: CreditPolicy = { ...DEFAULT_CREDIT_POLICY, reviewGrades: ['D'] };
    expect(decideCredit(input({ bureau: gradeD, screening: white }), policy).outcome).toBe('approve');
  });

  test('still needs review above the amount thresholds', () => {
    expect(decideCredit(input({ amount: 5_000_000, screening: white })).reviewersRequired).toBe(1);
    expect(decideCredit(input({ amount: 20_000_000, screening: white })).reviewersRequired).toBe(2);
    const policy: CreditPolicy = { ...DEFAULT_CREDIT_POLICY, whitelist: { floorGrade: 'C' } };
    const d = decideCredit(
      input({ amount: 6_000_000, bureau: { ...weak, currentDebtsMinor: 60_000_000 }, screening: white }),
      policy,
    );
    expect(d).toMatchObject({ outcome: 'review', reviewersRequired: 1, grade: 'C' });
  });

  test('never skips identity, age or bureau hard rules', () => {
    expect(codes(decideCredit(input({ screening: white, identity: { matched: false } })))).toEqual([
      'IDENTITY_MISMATCH',
    ]);
    expect(
      codes(decideCredit(input({ screening: white, bureau: { ...strong, maxDpdLast24m: 120 } }))),
    ).toEqual(['BUREAU_SEVERE_DELINQUENCY']);
    expect(
      codes(decideCredit(input({ screening: white, applicant: { idNumber: idFor('20100101') } }))),
    ).toEqual(['AGE_OUT_OF_RANGE']);
  });
});

describe('preBureauDecline', () => {
  test('declines without a bureau report when an earlier rule fails, else says go on', () => {
    const { bureau: _bureau, ...pre } = input();
    expect(preBureauDecline(pre)).toBeNull();
    const d = preBureauDecline({ ...pre, screening: { listed: 'blacklist', matchedOn: 'deviceId' } });
    expect(d && codes(d)).toEqual(['BLACKLISTED']);
    expect(d?.audit.bureauReportId).toBeUndefined();
  });
});

describe('input and policy errors are not declines', () => {
  test('wrong currency, non-integer amount, bad date or id throw DomainError naming the field', () => {
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof DomainError ? e.field : 'not a DomainError';
      }
      return 'no error';
    };
    expect(field(() => decideCredit({ ...input(), requestedLimit: { amount: 100, currency: 'USD' } }))).toBe(
      'requestedLimit.currency',
    );
    expect(field(() => decideCredit(input({ amount: 10.5 })))).toBe('requestedLimit.amount');
    expect(field(() => decideCredit(input({ amount: 0 })))).toBe('requestedLimit.amount');
    expect(field(() => decideCredit(input({ asOf: '20/11/2026' })))).toBe('asOf');
    expect(field(() => decideCredit(input({ applicant: { idNumber: '110101199613451231' } })))).toBe(
      'applicant.idNumber',
    );
  });

  test('contradictory policies are refused', () => {
    expect(() => assertCreditPolicy(DEFAULT_CREDIT_POLICY)).not.toThrow();
    expect(() => decideCredit(input(), { ...DEFAULT_CREDIT_POLICY, whitelist: { floorGrade: 'E' } })).toThrow(
      DomainError,
    );
    expect(() =>
      decideCredit(input(), {
        ...DEFAULT_CREDIT_POLICY,
        review: { oneReviewerFromMinor: 5, twoReviewersFromMinor: 4 },
      }),
    ).toThrow(DomainError);
  });
});

describe('invariants over arbitrary files', () => {
  const bureau = fc.record({
    score: fc.integer({ min: 300, max: 900 }),
    currentDebtsMinor: fc.integer({ min: 0, max: 100_000_000 }),
    overdueCountLast24m: fc.integer({ min: 0, max: 12 }),
    maxDpdLast24m: fc.integer({ min: 0, max: 200 }),
  });
  const arb = fc.record({
    bureau,
    amount: fc.integer({ min: 1, max: 80_000_000 }),
    listed: fc.constantFrom('blacklist' as const, 'whitelist' as const, null),
    matched: fc.boolean(),
    birth: fc.constantFrom('19500101', '19800615', '20000229', '20081121'),
  });

  test('outcome, limit, reviewers and reasons always agree', () => {
    fc.assert(
      fc.property(arb, ({ bureau: b, amount, listed, matched, birth }) => {
        const d = decideCredit(
          input({
            amount,
            bureau: b,
            screening: { listed },
            identity: { matched },
            applicant: { idNumber: idFor(birth) },
          }),
        );
        expect(d.reasons.length).toBeGreaterThan(0);
        for (const r of d.reasons) expect(r.message.length).toBeGreaterThan(10);
        if (listed === 'blacklist' || !matched) expect(d.outcome).toBe('decline');
        if (d.outcome === 'decline') expect(d.limit.amount).toBe(0);
        else {
          expect(d.limit.amount).toBeGreaterThan(0);
          expect(d.limit.amount).toBeLessThanOrEqual(amount);
        }
        expect(d.reviewersRequired > 0).toBe(d.outcome === 'review');
        if (d.outcome !== 'decline')
          expect(d.reviewersRequired).toBe(
            d.limit.amount >= 20_000_000 ? 2 : d.limit.amount >= 5_000_000 ? 1 : 0,
          );
      }),
      { numRuns: 500 },
    );
  });
});
