/**
 * Trial calculation (试算): schedule, totals and APR for an amount, term and method; no side effects.
 * Every input is validated here and a bad one throws DomainError naming the field, so the API and the CLI
 * can point at it. A price whose APR (fees included) exceeds the cap is refused, not quoted.
 */
import { apr, assertAprWithinCap, DEFAULT_APR_CAP, type Apr } from './apr';
import { type DayCount } from './daycount';
import { DomainError } from './errors';
import { resolveFees, type FeeSchedule, type ResolvedFees } from './fees';
import { CURRENCIES, parseRate, type Currency } from './money';
import { priceForGrade } from './pricing';
import { getProduct, type Grade, type Product, type ProductCode } from './products';
import { amortise, parseLoanTerms, planGrid, type Installment, type Method } from './schedule';

export interface QuoteInput {
  /** requested amount, minor units */
  amount: number;
  currency?: Currency;
  annualRate: string;
  termCount: number;
  method: Method;
  startDate: string;
  dayCount?: DayCount;
  /** ISO-8601 duration, P1M by default */
  period?: string;
  firstDueDate?: string;
  fees?: FeeSchedule;
  /**
   * The product's cap on nominal APR, DEFAULT_APR_CAP (the regulatory one) when absent. Caps come from
   * the product and regulation only: the API and the CLI never take one from the caller.
   */
  aprCap?: string;
}

export interface QuoteTotals {
  /** scheduled principal: the amount, plus the origination fee when it is financed */
  principal: number;
  interest: number;
  /** installment fees plus an origination fee deducted upfront */
  fees: number;
  /** everything the borrower pays: principal + interest + fees */
  total: number;
  /** total − amount: what the credit costs */
  costOfCredit: number;
}

export interface Quote {
  currency: Currency;
  amount: number;
  /** financed principal the schedule amortises */
  principal: number;
  /** what reaches the borrower at t0 */
  netDisbursed: number;
  annualRate: string;
  method: Method;
  termCount: number;
  dayCount: DayCount;
  period: string;
  startDate: string;
  firstDueDate?: string;
  fees: ResolvedFees;
  installments: Installment[];
  totals: QuoteTotals;
  apr: Apr;
}

export function quote(input: QuoteInput): Quote {
  const terms = parseLoanTerms(input);
  const currency = input.currency ?? 'CNY';
  if (!CURRENCIES.includes(currency)) {
    throw new DomainError(
      'currency',
      `currency must be one of ${CURRENCIES.join(', ')}, got ${JSON.stringify(currency)}`,
    );
  }
  const cap = parseRate(input.aprCap ?? DEFAULT_APR_CAP, 'aprCap');
  const fees = resolveFees(input.fees, terms.amount);
  const financed = fees.originationMode === 'financed';
  const principal = financed ? terms.amount + fees.origination : terms.amount;
  const netDisbursed = financed ? terms.amount : terms.amount - fees.origination;

  const grid = planGrid(terms);
  const installments = amortise(principal, terms.method, grid, fees.perPeriod);

  let interest = 0;
  let installmentFees = 0;
  for (const i of installments) {
    interest += i.interest;
    installmentFees += i.fees;
  }
  const feesTotal = installmentFees + (financed ? 0 : fees.origination);
  const total = principal + interest + feesTotal;
  if (!Number.isSafeInteger(total))
    throw new DomainError('amount', `amount ${terms.amount} at this rate and term overflows the totals`);

  const payments = new Array<number>(grid.dueDates.length).fill(0);
  if (installments.length === payments.length) installments.forEach((i, k) => (payments[k] = i.total));
  else payments[payments.length - 1] = installments[0]!.total;
  const rates = apr(netDisbursed, payments, grid.periodsPerYear, grid.firstOffset);
  assertAprWithinCap(rates, cap);

  const out: Quote = {
    currency,
    amount: terms.amount,
    principal,
    netDisbursed,
    annualRate: terms.annual.toFixed(),
    method: terms.method,
    termCount: terms.termCount,
    dayCount: terms.dayCount,
    period: terms.period.text,
    startDate: terms.startDate,
    fees,
    installments,
    totals: { principal, interest, fees: feesTotal, total, costOfCredit: total - terms.amount },
    apr: rates,
  };
  if (terms.firstDueDate !== undefined) out.firstDueDate = terms.firstDueDate;
  return out;
}

export interface ProductQuoteInput {
  amount: number;
  termCount: number;
  grade: Grade;
  startDate: string;
  firstDueDate?: string;
}

/** A quote on a product's terms: its amount range, terms, method, price for the grade, fees and cap. */
export function quoteForProduct(product: Product | ProductCode, input: ProductQuoteInput): Quote {
  const p = typeof product === 'string' ? getProduct(product) : product;
  if (p.method === 'revolving') {
    throw new DomainError(
      'productCode',
      `${p.code} is a revolving line: interest accrues daily on the drawn balance, there is no schedule to quote`,
    );
  }
  if (typeof input.amount === 'number' && (input.amount < p.minAmount || input.amount > p.maxAmount)) {
    throw new DomainError(
      'amount',
      `amount must be between ${p.minAmount} and ${p.maxAmount} minor units for ${p.code}, got ${input.amount}`,
    );
  }
  if (!p.terms.includes(input.termCount)) {
    throw new DomainError(
      'termCount',
      `termCount must be one of ${p.terms.join(', ')} for ${p.code}, got ${JSON.stringify(input.termCount)}`,
    );
  }
  const q: QuoteInput = {
    amount: input.amount,
    currency: p.currency,
    annualRate: priceForGrade(p, input.grade),
    termCount: input.termCount,
    method: p.method,
    startDate: input.startDate,
    dayCount: p.dayCount,
    period: p.period,
    fees: p.fees,
    aprCap: p.aprCap,
  };
  if (input.firstDueDate !== undefined) q.firstDueDate = input.firstDueDate;
  return quote(q);
}
