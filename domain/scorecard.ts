import { DomainError } from './errors';

/**
 * A points scorecard: each characteristic falls in one bin, bins give points, points add up to a
 * score, and the score maps to a grade. Bins and grade cut-offs are data so risk can re-tune them
 * (and version them) without touching the decision logic, and every point is explainable.
 */

export type Grade = 'A' | 'B' | 'C' | 'D' | 'E';
export const GRADES: readonly Grade[] = ['A', 'B', 'C', 'D', 'E'];

export type Characteristic = 'bureauScore' | 'debtRatio' | 'overdueCount' | 'age';

/** A value falls in the last bin whose `from` is ≤ the value; bins are listed in ascending `from`. */
export interface Bin {
  from: number;
  points: number;
}

export interface Scorecard {
  version: string;
  bins: Record<Characteristic, readonly Bin[]>;
  /** Best grade first; a score takes the first grade whose `minScore` it reaches. */
  grades: readonly { grade: Grade; minScore: number }[];
}

export interface ScorecardInput {
  /** Bureau score, 300–900. */
  bureauScore: number;
  currentDebtsMinor: number;
  requestedMinor: number;
  overdueCountLast24m: number;
  age: number;
}

export interface Contribution {
  characteristic: Characteristic;
  value: number;
  points: number;
}

export interface ScoreResult {
  scorecardVersion: string;
  score: number;
  grade: Grade;
  contributions: Contribution[];
}

export const DEFAULT_SCORECARD: Scorecard = {
  version: 'sc-2024.1',
  bins: {
    bureauScore: [
      { from: 0, points: 0 },
      { from: 550, points: 40 },
      { from: 600, points: 80 },
      { from: 650, points: 120 },
      { from: 700, points: 160 },
      { from: 750, points: 190 },
      { from: 800, points: 220 },
    ],
    // Existing debts relative to the new limit: a borrower already carrying several times the
    // requested amount is stretched, whatever the bureau score says.
    debtRatio: [
      { from: 0, points: 100 },
      { from: 0.5, points: 80 },
      { from: 1, points: 50 },
      { from: 2, points: 20 },
      { from: 4, points: 0 },
    ],
    overdueCount: [
      { from: 0, points: 100 },
      { from: 1, points: 70 },
      { from: 2, points: 40 },
      { from: 4, points: 15 },
      { from: 6, points: 0 },
    ],
    age: [
      { from: 0, points: 20 },
      { from: 22, points: 40 },
      { from: 26, points: 60 },
      { from: 36, points: 70 },
      { from: 51, points: 50 },
      { from: 61, points: 30 },
    ],
  },
  grades: [
    { grade: 'A', minScore: 420 },
    { grade: 'B', minScore: 370 },
    { grade: 'C', minScore: 320 },
    { grade: 'D', minScore: 270 },
    { grade: 'E', minScore: 0 },
  ],
};

export function scoreApplicant(input: ScorecardInput, card: Scorecard = DEFAULT_SCORECARD): ScoreResult {
  checkInput(input);
  // A ratio of two integers, only ever compared with bin edges; no money is computed from it.
  const debtRatio = input.currentDebtsMinor / input.requestedMinor;
  const contributions: Contribution[] = [
    contribution(card, 'bureauScore', input.bureauScore),
    contribution(card, 'debtRatio', debtRatio),
    contribution(card, 'overdueCount', input.overdueCountLast24m),
    contribution(card, 'age', input.age),
  ];
  let score = 0;
  for (const c of contributions) score += c.points;
  return { scorecardVersion: card.version, score, grade: gradeFor(score, card), contributions };
}

export function gradeFor(score: number, card: Scorecard = DEFAULT_SCORECARD): Grade {
  for (const g of card.grades) if (score >= g.minScore) return g.grade;
  const worst = card.grades[card.grades.length - 1];
  if (!worst) throw new DomainError('scorecard.grades', 'scorecard has no grades');
  return worst.grade;
}

/** Grade order for comparisons: lower is better. */
export function gradeRank(grade: Grade): number {
  return GRADES.indexOf(grade);
}

/** Refuses a scorecard whose bins or cut-offs are out of order, which would silently mis-score. */
export function assertScorecard(card: Scorecard): void {
  for (const [name, bins] of Object.entries(card.bins)) {
    if (bins.length === 0) throw new DomainError(`scorecard.bins.${name}`, `${name} has no bins`);
    for (let i = 1; i < bins.length; i++) {
      if ((bins[i]?.from ?? 0) <= (bins[i - 1]?.from ?? 0))
        throw new DomainError(`scorecard.bins.${name}`, `${name} bins must ascend`);
    }
  }
  if (card.grades.length === 0) throw new DomainError('scorecard.grades', 'scorecard has no grades');
  for (let i = 1; i < card.grades.length; i++) {
    if ((card.grades[i]?.minScore ?? 0) >= (card.grades[i - 1]?.minScore ?? 0)) {
      throw new DomainError('scorecard.grades', 'grade cut-offs must descend');
    }
  }
}

function contribution(card: Scorecard, characteristic: Characteristic, value: number): Contribution {
  const bins = card.bins[characteristic];
  let points = bins[0]?.points ?? 0;
  for (const bin of bins) {
    if (value < bin.from) break;
    points = bin.points;
  }
  return { characteristic, value, points };
}

function checkInput(input: ScorecardInput): void {
  if (!Number.isSafeInteger(input.requestedMinor) || input.requestedMinor <= 0) {
    throw new DomainError('requestedMinor', 'requested amount must be a positive integer of minor units');
  }
  if (!Number.isSafeInteger(input.currentDebtsMinor) || input.currentDebtsMinor < 0) {
    throw new DomainError('currentDebtsMinor', 'current debts must be a non-negative integer of minor units');
  }
  if (!Number.isInteger(input.bureauScore) || input.bureauScore < 300 || input.bureauScore > 900) {
    throw new DomainError('bureauScore', 'bureau score must be an integer 300–900');
  }
  if (!Number.isInteger(input.overdueCountLast24m) || input.overdueCountLast24m < 0) {
    throw new DomainError('overdueCountLast24m', 'overdue count must be a non-negative integer');
  }
  if (!Number.isInteger(input.age) || input.age < 0)
    throw new DomainError('age', 'age must be a non-negative integer');
}
