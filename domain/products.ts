/**
 * The sample products as data (docs/design.md, "Products"). Plain JSON throughout: a product travels in workflow payloads
 * and is seeded into the database as it stands here.
 *
 * Rates are annual decimal strings. For flat-fee products the annual rate is the flat rate (monthly flat
 * rate × 12) and `rateCap` holds it well below the APR cap, because a flat rate's APR is nearly twice it.
 */
import { type DayCount } from './daycount';
import type { Bucket } from './delinquency';
import { DomainError } from './errors';
import { type FeeDef, type FeeSchedule } from './fees';
import { type Currency } from './money';
import { type Method } from './schedule';

/** Credit grades, best first: the scorecard's bands, the price spreads and the limit caps are keyed by them. */
export const GRADES = ['A', 'B', 'C', 'D', 'E'] as const;
export type Grade = (typeof GRADES)[number];
export type ProductCode =
  'cash-installment' | 'cash-equal-principal' | 'revolving' | 'card-repayment' | 'bill-installment';
export type ProductKind = 'cash-loan' | 'revolving-line' | 'card-repayment' | 'bill-installment';

export interface ExtensionPolicy {
  /** extensions allowed over the life of a loan */
  maxCount: number;
  /** days a single extension may move a due date */
  maxDays: number;
  fee: FeeDef;
  /** installments the borrower must have paid before asking */
  minPaidInstallments: number;
  /** no extension for a loan more than this many days past due */
  maxDpd: number;
}

export interface RevolvingPolicy {
  /** share of the drawn balance due each month, on top of interest and fees */
  minPaymentRate: string;
  /** the minimum payment is at least this (minor units), or the whole balance if smaller */
  minPaymentFloor: number;
  statementDay: number;
  /** days from statement to due date */
  dueDays: number;
}

export interface Product {
  code: ProductCode;
  name: string;
  kind: ProductKind;
  /** `revolving` for lines: daily interest on the drawn balance, no fixed schedule */
  method: Method | 'revolving';
  /** allowed terms in periods; empty for an open-ended line */
  terms: number[];
  period: string;
  currency: Currency;
  dayCount: DayCount;
  baseRate: string;
  gradeSpreads: Record<Grade, string>;
  /** the priced annual rate never exceeds this (defaults to aprCap) */
  rateCap?: string;
  aprCap: string;
  /** minor units */
  minAmount: number;
  maxAmount: number;
  graceDays: number;
  /** annual penalty interest on overdue principal, by `penaltyDayCount` */
  penaltyRate: string;
  penaltyDayCount: DayCount;
  fees: FeeSchedule;
  extension: ExtensionPolicy;
  riskReserveRate: string;
  /** repayment waterfall, first bucket first */
  allocationOrder: string[];
  /** where the disbursement goes */
  disburseTo: 'borrower' | 'card-issuer';
  /** delinquency buckets; the seed's (domain/delinquency.ts DEFAULT_BUCKETS) when absent */
  buckets?: readonly Bucket[];
  /** the borrowers' IANA zone when an application names none */
  timeZone: string;
  revolving?: RevolvingPolicy;
  /** Why new applications are refused; absent for a product on sale. */
  notOffered?: string;
}

export const DEFAULT_ALLOCATION_ORDER: readonly string[] = [
  'penalty',
  'fees',
  'overdue-interest',
  'overdue-principal',
  'current-interest',
  'current-principal',
];

const cashSpreads: Record<Grade, string> = { A: '0', B: '0.02', C: '0.04', D: '0.07', E: '0.10' };
const flatSpreads: Record<Grade, string> = { A: '0', B: '0.012', C: '0.024', D: '0.036', E: '0.048' };
const standardExtension: ExtensionPolicy = {
  maxCount: 1,
  maxDays: 30,
  fee: { rate: '0.01' },
  minPaidInstallments: 1,
  maxDpd: 30,
};

const common = {
  period: 'P1M',
  currency: 'CNY' as const,
  aprCap: '0.36',
  graceDays: 3,
  penaltyDayCount: 'ACT/360' as const,
  riskReserveRate: '0.02',
  disburseTo: 'borrower' as const,
  timeZone: 'Asia/Shanghai',
};

/** Frozen all the way down: products are shared by every quote, and a caller's edit must not leak. */
const deepFreeze = <T>(value: T): T => {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
};

export const PRODUCTS: readonly Product[] = deepFreeze([
  {
    ...common,
    code: 'cash-installment',
    name: 'Cash installment loan',
    kind: 'cash-loan',
    method: 'annuity',
    terms: [3, 6, 12, 24],
    dayCount: 'ACT/360',
    baseRate: '0.0720',
    gradeSpreads: cashSpreads,
    minAmount: 50_000,
    maxAmount: 20_000_000,
    penaltyRate: '0.18',
    fees: { late: { amount: 5_000 }, extension: { rate: '0.01' } },
    extension: standardExtension,
    allocationOrder: [...DEFAULT_ALLOCATION_ORDER],
  },
  {
    ...common,
    code: 'cash-equal-principal',
    name: 'Cash loan, equal principal',
    kind: 'cash-loan',
    method: 'equal-principal',
    terms: [6, 12, 24, 36],
    dayCount: 'ACT/360',
    baseRate: '0.0600',
    gradeSpreads: cashSpreads,
    minAmount: 100_000,
    maxAmount: 30_000_000,
    penaltyRate: '0.15',
    fees: {
      origination: { rate: '0.01', mode: 'deducted' },
      late: { amount: 5_000 },
      extension: { rate: '0.01' },
    },
    extension: standardExtension,
    allocationOrder: [...DEFAULT_ALLOCATION_ORDER],
  },
  {
    ...common,
    code: 'revolving',
    name: 'Revolving credit line',
    kind: 'revolving-line',
    method: 'revolving',
    terms: [],
    dayCount: 'ACT/360',
    baseRate: '0.1080',
    gradeSpreads: cashSpreads,
    minAmount: 10_000,
    maxAmount: 5_000_000,
    penaltyRate: '0.18',
    fees: { late: { rate: '0.05' } },
    extension: { ...standardExtension, maxCount: 0 },
    allocationOrder: [...DEFAULT_ALLOCATION_ORDER],
    revolving: { minPaymentRate: '0.10', minPaymentFloor: 10_000, statementDay: 1, dueDays: 20 },
    // Daily interest, statements and minimum payments are not serviced yet: no loan could be drawn.
    notOffered: 'revolving lines are not offered until their daily-interest servicing is built',
  },
  {
    ...common,
    code: 'card-repayment',
    name: 'Credit-card bill repayment',
    kind: 'card-repayment',
    method: 'flat',
    terms: [3, 6, 12],
    dayCount: 'ACT/360',
    baseRate: '0.0720',
    gradeSpreads: flatSpreads,
    rateCap: '0.15',
    minAmount: 100_000,
    maxAmount: 10_000_000,
    penaltyRate: '0.18',
    fees: { late: { amount: 3_000 } },
    extension: { ...standardExtension, maxCount: 0 },
    allocationOrder: [...DEFAULT_ALLOCATION_ORDER],
    disburseTo: 'card-issuer',
  },
  {
    ...common,
    code: 'bill-installment',
    name: 'Bill installment',
    kind: 'bill-installment',
    method: 'flat',
    terms: [3, 6, 12],
    dayCount: 'ACT/360',
    baseRate: '0.0600',
    gradeSpreads: flatSpreads,
    rateCap: '0.15',
    minAmount: 50_000,
    maxAmount: 5_000_000,
    penaltyRate: '0.18',
    fees: { late: { amount: 3_000 } },
    extension: standardExtension,
    allocationOrder: [...DEFAULT_ALLOCATION_ORDER],
  },
] satisfies Product[]);

export function getProduct(code: unknown): Product {
  const found = PRODUCTS.find((p) => p.code === code);
  if (!found) {
    throw new DomainError(
      'productCode',
      `unknown product ${JSON.stringify(code)}; known: ${PRODUCTS.map((p) => p.code).join(', ')}`,
      'unknown_product',
    );
  }
  return found;
}

/** The product a new application may name: known, and on sale. */
export function offeredProduct(code: unknown): Product {
  const product = getProduct(code);
  if (product.notOffered) throw new DomainError('productCode', product.notOffered, 'product_not_offered');
  return product;
}

export function parseGrade(value: unknown, field = 'grade'): Grade {
  if (typeof value === 'string' && (GRADES as readonly string[]).includes(value)) return value as Grade;
  throw new DomainError(field, `${field} must be one of ${GRADES.join(', ')}, got ${JSON.stringify(value)}`);
}
