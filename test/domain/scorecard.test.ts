import fc from 'fast-check';
import { DomainError } from '../../domain/errors';
import {
  DEFAULT_SCORECARD,
  assertScorecard,
  gradeFor,
  gradeRank,
  scoreApplicant,
  type Scorecard,
  type ScorecardInput,
} from '../../domain/scorecard';

const base: ScorecardInput = {
  bureauScore: 720,
  currentDebtsMinor: 1_000_000,
  requestedMinor: 3_000_000,
  overdueCountLast24m: 0,
  age: 30,
};

describe('scoreApplicant', () => {
  test('adds the points of each characteristic and names them', () => {
    const r = scoreApplicant(base);
    expect(r.contributions).toEqual([
      { characteristic: 'bureauScore', value: 720, points: 160 },
      { characteristic: 'debtRatio', value: 1 / 3, points: 100 },
      { characteristic: 'overdueCount', value: 0, points: 100 },
      { characteristic: 'age', value: 30, points: 60 },
    ]);
    expect(r.score).toBe(420);
    expect(r.grade).toBe('A');
    expect(r.scorecardVersion).toBe(DEFAULT_SCORECARD.version);
  });

  test('a bin starts at its `from`: exactly 2× debts falls in the 2–4 bin, one unit less does not', () => {
    const at = scoreApplicant({ ...base, currentDebtsMinor: 6_000_000 });
    const below = scoreApplicant({ ...base, currentDebtsMinor: 5_999_999 });
    expect(at.contributions[1]?.points).toBe(20);
    expect(below.contributions[1]?.points).toBe(50);
  });

  test('grade cut-offs are inclusive', () => {
    expect(gradeFor(420)).toBe('A');
    expect(gradeFor(419)).toBe('B');
    expect(gradeFor(270)).toBe('D');
    expect(gradeFor(269)).toBe('E');
    expect(gradeFor(0)).toBe('E');
  });

  test('a better bureau score never lowers the grade', () => {
    fc.assert(
      fc.property(fc.integer({ min: 300, max: 899 }), fc.integer({ min: 1, max: 100 }), (score, up) => {
        const lower = scoreApplicant({ ...base, bureauScore: score });
        const higher = scoreApplicant({ ...base, bureauScore: Math.min(900, score + up) });
        return higher.score >= lower.score && gradeRank(higher.grade) <= gradeRank(lower.grade);
      }),
    );
  });

  test('more late payments never raise the score', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 20 }),
        (n) =>
          scoreApplicant({ ...base, overdueCountLast24m: n + 1 }).score <=
          scoreApplicant({ ...base, overdueCountLast24m: n }).score,
      ),
    );
  });

  test('refuses inputs it cannot score', () => {
    expect(() => scoreApplicant({ ...base, requestedMinor: 0 })).toThrow(DomainError);
    expect(() => scoreApplicant({ ...base, bureauScore: 950 })).toThrow(DomainError);
    expect(() => scoreApplicant({ ...base, currentDebtsMinor: -1 })).toThrow(DomainError);
    expect(() => scoreApplicant({ ...base, age: Number.NaN })).toThrow(DomainError);
  });

  test('thresholds are data: a stricter card grades the same file lower', () => {
    const strict: Scorecard = {
      ...DEFAULT_SCORECARD,
      grades: [
        { grade: 'A', minScore: 470 },
        { grade: 'C', minScore: 400 },
        { grade: 'E', minScore: 0 },
      ],
    };
    expect(scoreApplicant(base, strict).grade).toBe('C');
  });
});

describe('assertScorecard', () => {
  test('the default card is well-formed', () => {
    expect(() => assertScorecard(DEFAULT_SCORECARD)).not.toThrow();
  });

  test('bins out of order or grades not descending are refused', () => {
    const bins = {
      ...DEFAULT_SCORECARD.bins,
      age: [
        { from: 30, points: 1 },
        { from: 20, points: 2 },
      ],
    };
    expect(() => assertScorecard({ ...DEFAULT_SCORECARD, bins })).toThrow(/ascend/);
    expect(() =>
      assertScorecard({
        ...DEFAULT_SCORECARD,
        grades: [
          { grade: 'A', minScore: 100 },
          { grade: 'B', minScore: 200 },
        ],
      }),
    ).toThrow(/descend/);
  });
});
