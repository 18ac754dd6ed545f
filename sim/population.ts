import { idCheckCharacter, isValidCardNumber } from '../domain/identity';
import type { Grade } from '../domain/products';

/**
 * The simulated borrowers: who applies, and how each behaves once the scorecard has graded their
 * line. Everything is drawn from the run's seed, so a run is repeated exactly by its seed; the
 * shares come from sim/behaviour.json.
 */

export interface Range {
  min: number;
  max: number;
}

export interface BehaviourShares {
  default: number;
  lateThenCure: number;
  prepay: number;
  /** Asks for an extension of the unpaid due dates once an installment is paid. */
  extend: number;
  /** Misses an installment, promises a collector to pay it, and keeps the promise. */
  promiseKept: number;
  /** The same, but breaks the promise and pays weeks later. */
  promiseBroken: number;
}

export interface BehaviourParameters {
  grades: Record<Grade, BehaviourShares>;
  defaultFromInstallment: Range;
  lateInstallment: Range;
  cureDays: Range;
  prepayInMonth: Range;
  /** Days an extension asks for, and after which installment it is asked. */
  extension: { days: Range; afterInstallment: Range };
  /**
   * A promise: the collector reaches the borrower `callAfterDays` after the missed due day, the
   * promise is for `payInDays` later; a broken one is paid `brokenPaidAfterDays` after the due day.
   */
  promise: { callAfterDays: Range; payInDays: Range; brokenPaidAfterDays: Range };
  /** Of the defaulters, the share who pay part of what was written off, some days after the write-off. */
  recovery: { share: number; part: number; afterDays: Range };
  loan: { amountMinor: number; termMonths: number; limitMinor: number };
}

export type Behaviour =
  | { kind: 'on-time' }
  /** Every debit from this installment's due day on is refused: the loan rolls to write-off. */
  | { kind: 'default'; fromInstallment: number; recovers: boolean }
  /** That installment's debits are refused; the borrower pays it in the app `cureDays` after its due day. */
  | { kind: 'late-then-cure'; installment: number; cureDays: number }
  /** The whole loan is repaid in the app a few days after this installment falls due. */
  | { kind: 'prepay'; inMonth: number }
  /** Pays on time, and asks for `days` more a few days after this installment falls due. */
  | { kind: 'extend'; afterInstallment: number; days: number }
  /** Misses this installment; a collector takes a promise `callAfter` days later, due `payIn` days after that. */
  | {
      kind: 'promise';
      installment: number;
      kept: boolean;
      callAfter: number;
      payIn: number;
      brokenPaidAfter: number;
    };

export interface Borrower {
  index: number;
  idNumber: string;
  phone: string;
  card: string;
  name: string;
  /** One uniform draw per borrower: with the grade it picks the behaviour (`behaviourOf`). */
  fate: number;
  /** The behaviour's own parameters, drawn whatever the behaviour turns out to be. */
  draws: {
    defaultFrom: number;
    late: number;
    cure: number;
    prepay: number;
    recovers: number;
    recoverAfter: number;
    extendAfter: number;
    extendDays: number;
    callAfter: number;
    payIn: number;
    brokenPaid: number;
  };
}

/** mulberry32: small, fast and good enough for a simulation's draws; the same seed, the same run. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export const between = (u: number, r: Range): number => r.min + Math.floor(u * (r.max - r.min + 1));
/** Cards ending 0002–0005 are the sandbox bank's fault values (adapters/bank.ts); a borrower never gets one. */
const MAGIC_SUFFIXES = new Set(['0002', '0003', '0004', '0005']);

function digits(u: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += String(Math.floor(u() * 10));
  return s;
}

export function population(count: number, seed: number): Borrower[] {
  const u = random(seed);
  const out: Borrower[] = [];
  for (let index = 0; index < count; index++) {
    const year = 1971 + Math.floor(u() * 33);
    const month = String(1 + Math.floor(u() * 12)).padStart(2, '0');
    const day = String(1 + Math.floor(u() * 28)).padStart(2, '0');
    const body = `110101${year}${month}${day}${digits(u, 3)}`;
    let suffix = digits(u, 4);
    while (MAGIC_SUFFIXES.has(suffix)) suffix = digits(u, 4);
    const middle = digits(u, 5);
    let card = '';
    for (let d = 0; d <= 9 && !card; d++)
      if (isValidCardNumber(`622202${d}${middle}${suffix}`)) card = `622202${d}${middle}${suffix}`;
    out.push({
      index,
      idNumber: `${body}${idCheckCharacter(body)}`,
      phone: `139${digits(u, 8)}`,
      card,
      name: `Borrower ${index + 1}`,
      fate: u(),
      draws: {
        defaultFrom: u(),
        late: u(),
        cure: u(),
        prepay: u(),
        recovers: u(),
        recoverAfter: u(),
        extendAfter: u(),
        extendDays: u(),
        callAfter: u(),
        payIn: u(),
        brokenPaid: u(),
      },
    });
  }
  return out;
}

/** The behaviour the borrower's draw lands in for their grade: default, then late-then-cure, then prepay, else on time. */
export function behaviourOf(b: Borrower, grade: Grade, p: BehaviourParameters): Behaviour {
  const shares = p.grades[grade];
  let edge = shares.default;
  if (b.fate < edge)
    return {
      kind: 'default',
      fromInstallment: between(b.draws.defaultFrom, p.defaultFromInstallment),
      recovers: b.draws.recovers < p.recovery.share,
    };
  edge += shares.lateThenCure;
  if (b.fate < edge)
    return {
      kind: 'late-then-cure',
      installment: between(b.draws.late, p.lateInstallment),
      cureDays: between(b.draws.cure, p.cureDays),
    };
  edge += shares.prepay;
  if (b.fate < edge) return { kind: 'prepay', inMonth: between(b.draws.prepay, p.prepayInMonth) };
  edge += shares.extend;
  if (b.fate < edge)
    return {
      kind: 'extend',
      afterInstallment: between(b.draws.extendAfter, p.extension.afterInstallment),
      days: between(b.draws.extendDays, p.extension.days),
    };
  for (const kept of [true, false]) {
    edge += kept ? shares.promiseKept : shares.promiseBroken;
    if (b.fate < edge)
      return {
        kind: 'promise',
        installment: between(b.draws.late, p.lateInstallment),
        kept,
        callAfter: between(b.draws.callAfter, p.promise.callAfterDays),
        payIn: between(b.draws.payIn, p.promise.payInDays),
        brokenPaidAfter: between(b.draws.brokenPaid, p.promise.brokenPaidAfterDays),
      };
  }
  return { kind: 'on-time' };
}

/** Refuses parameters that cannot describe a population, naming the field. */
export function checkParameters(p: BehaviourParameters): BehaviourParameters {
  for (const [grade, s] of Object.entries(p.grades)) {
    for (const [k, v] of Object.entries(s))
      if (!(typeof v === 'number' && v >= 0 && v <= 1))
        throw new Error(`grades.${grade}.${k} must be a share from 0 to 1`);
    if (s.default + s.lateThenCure + s.prepay + s.extend + s.promiseKept + s.promiseBroken > 1)
      throw new Error(`grades.${grade}: the shares add up to more than 1`);
  }
  const ranges = {
    defaultFromInstallment: p.defaultFromInstallment,
    lateInstallment: p.lateInstallment,
    cureDays: p.cureDays,
    prepayInMonth: p.prepayInMonth,
    'extension.days': p.extension.days,
    'extension.afterInstallment': p.extension.afterInstallment,
    'recovery.afterDays': p.recovery.afterDays,
    'promise.callAfterDays': p.promise.callAfterDays,
    'promise.payInDays': p.promise.payInDays,
    'promise.brokenPaidAfterDays': p.promise.brokenPaidAfterDays,
  };
  for (const [k, r] of Object.entries(ranges)) {
    if (!(Number.isInteger(r.min) && Number.isInteger(r.max) && r.min >= 1 && r.max >= r.min))
      throw new Error(`${k} must be whole numbers with 1 ≤ min ≤ max`);
  }
  if (
    Math.max(p.lateInstallment.max, p.defaultFromInstallment.max, p.extension.afterInstallment.max) >=
    p.loan.termMonths
  )
    throw new Error('an installment range reaches the last installment of loan.termMonths');
  for (const k of ['share', 'part'] as const)
    if (!(p.recovery[k] >= 0 && p.recovery[k] <= 1)) throw new Error(`recovery.${k} must be from 0 to 1`);
  return p;
}
