/**
 * Fee definitions. Each fee is either a fixed amount in minor units or a rate of a base amount, rounded
 * half-up once when it is charged.
 *
 * Origination and per-period service fees are certain cash flows: the schedule carries them and the APR
 * includes them. Late and extension fees are contingent (they exist only if the borrower is late or asks
 * for more time), so a quote cannot include them; they are charged by the servicing rules when they occur.
 */
import { DomainError } from './errors';
import { assertMinor, D, parseRate, roundMinor } from './money';

export interface FeeDef {
  /** fixed amount, minor units */
  amount?: number;
  /** rate of the fee's base amount, decimal string ("0.01") */
  rate?: string;
}

export type OriginationMode = 'deducted' | 'financed';

export interface OriginationFeeDef extends FeeDef {
  /** deducted from the disbursement (default), or added to the financed principal */
  mode?: OriginationMode;
}

export interface FeeSchedule {
  /** base: the requested amount */
  origination?: OriginationFeeDef;
  /** base: the requested amount; charged on every installment */
  servicePerPeriod?: FeeDef;
  /** base: the overdue installment amount; charged once per missed installment after grace */
  late?: FeeDef;
  /** base: the outstanding principal; charged once per granted extension */
  extension?: FeeDef;
}

/** The fees a schedule carries, resolved to minor units for one amount. */
export interface ResolvedFees {
  origination: number;
  originationMode: OriginationMode;
  perPeriod: number;
}

export function validateFeeDef(def: unknown, field: string): FeeDef {
  if (typeof def !== 'object' || def === null)
    throw new DomainError(field, `${field} must be an object with amount or rate`);
  const { amount, rate } = def as FeeDef;
  if ((amount === undefined) === (rate === undefined)) {
    throw new DomainError(field, `${field} must give exactly one of amount (minor units) or rate`);
  }
  if (amount !== undefined) {
    assertMinor(amount, `${field}.amount`);
    if (amount < 0)
      throw new DomainError(`${field}.amount`, `${field}.amount must not be negative, got ${amount}`);
  } else {
    parseRate(rate as string, `${field}.rate`);
  }
  return def as FeeDef;
}

/** The fee on a base amount (minor units), rounded half-up once. */
export function feeAmount(def: FeeDef, base: number, field = 'fee'): number {
  validateFeeDef(def, field);
  if (def.amount !== undefined) return def.amount;
  return roundMinor(new D(base).times(parseRate(def.rate as string, `${field}.rate`)));
}

export function resolveFees(fees: FeeSchedule | undefined, amount: number, field = 'fees'): ResolvedFees {
  if (fees === undefined) return { origination: 0, originationMode: 'deducted', perPeriod: 0 };
  if (typeof fees !== 'object' || fees === null) throw new DomainError(field, `${field} must be an object`);
  const mode = fees.origination?.mode ?? 'deducted';
  if (mode !== 'deducted' && mode !== 'financed') {
    throw new DomainError(
      `${field}.origination.mode`,
      `${field}.origination.mode must be deducted or financed, got ${JSON.stringify(mode)}`,
    );
  }
  const origination = fees.origination ? feeAmount(fees.origination, amount, `${field}.origination`) : 0;
  if (mode === 'deducted' && origination >= amount) {
    throw new DomainError(
      `${field}.origination`,
      `${field}.origination ${origination} would leave nothing to disburse from ${amount}`,
    );
  }
  const perPeriod = fees.servicePerPeriod
    ? feeAmount(fees.servicePerPeriod, amount, `${field}.servicePerPeriod`)
    : 0;
  if (fees.late !== undefined) validateFeeDef(fees.late, `${field}.late`);
  if (fees.extension !== undefined) validateFeeDef(fees.extension, `${field}.extension`);
  return { origination, originationMode: mode, perPeriod };
}

/** Late fee for one overdue installment; `overdueAmount` is what remains unpaid on it. */
export function lateFee(def: FeeDef, overdueAmount: number): number {
  assertMinor(overdueAmount, 'overdueAmount');
  return feeAmount(def, overdueAmount, 'late');
}

/** Extension fee for one granted extension on the outstanding principal. */
export function extensionFee(def: FeeDef, outstandingPrincipal: number): number {
  assertMinor(outstandingPrincipal, 'outstandingPrincipal');
  return feeAmount(def, outstandingPrincipal, 'extension');
}
