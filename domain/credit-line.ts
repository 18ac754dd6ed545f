import { LocalDate } from '@js-joda/core';
import { DEFAULT_CREDIT_POLICY, type ProductBounds } from './decision';
import { DomainError } from './errors';
import type { Money } from './money';
import type { Grade, Product } from './products';

/**
 * Rules of an active credit line: the bounds a product puts on the grant, and the operator controls
 * (freeze, unfreeze, close, change limit) with the states each is allowed from.
 */

export type LineStatus = 'pending' | 'pending_review' | 'active' | 'declined' | 'frozen' | 'closed';

/** A line outlives any one loan, so its limit bounds differ from a loan's amount bounds. */
export function creditBoundsFor(product: Product): ProductBounds {
  return {
    code: product.code,
    minAge: 18,
    maxAge: 60,
    minLimitMinor: product.minAmount,
    maxLimitMinor: 100_000_000,
  };
}

/** How long an approved line stays open before it must be renewed. */
export const LINE_VALIDITY_MONTHS = 12;

export type LineControl =
  | { action: 'freeze'; reason: string }
  | { action: 'unfreeze'; reason: string }
  | { action: 'close'; reason: string }
  | { action: 'change_limit'; reason: string; limit: Money };

export interface LineBalances {
  status: LineStatus;
  limit: Money;
  available: Money;
  /** Loans past due or written off: while any is, no operator can unfreeze the line. */
  heldBy?: readonly string[];
}

/** Applies an operator control, or throws DomainError saying which rule refused it. */
export function applyLineControl(line: LineBalances, control: LineControl): LineBalances {
  if (!control.reason?.trim()) throw new DomainError('reason', 'a reason is required for every line control');
  switch (control.action) {
    case 'freeze':
      if (line.status !== 'active')
        throw new DomainError('action', `only an active line can be frozen; this one is ${line.status}`);
      return { ...line, status: 'frozen' };
    case 'unfreeze':
      if (line.heldBy?.length)
        throw new DomainError(
          'action',
          `the line is held while loan ${line.heldBy[0]} is past due or written off`,
          'line_held',
        );
      if (line.status !== 'frozen')
        throw new DomainError('action', `only a frozen line can be unfrozen; this one is ${line.status}`);
      return { ...line, status: 'active' };
    case 'close':
      if (line.status !== 'active' && line.status !== 'frozen') {
        throw new DomainError(
          'action',
          `only an active or frozen line can be closed; this one is ${line.status}`,
        );
      }
      if (line.available.amount !== line.limit.amount) {
        throw new DomainError(
          'action',
          'the line has drawn balance outstanding; it closes when its loans settle',
        );
      }
      return { ...line, status: 'closed', available: { ...line.available, amount: 0 } };
    case 'change_limit': {
      if (line.status !== 'active' && line.status !== 'frozen') {
        throw new DomainError('action', `the limit of a ${line.status} line cannot change`);
      }
      const { limit } = control;
      if (limit.currency !== line.limit.currency)
        throw new DomainError('limit.currency', `must be ${line.limit.currency}`);
      if (!Number.isSafeInteger(limit.amount) || limit.amount <= 0)
        throw new DomainError('limit.amount', 'must be a positive integer');
      const drawn = line.limit.amount - line.available.amount;
      if (limit.amount < drawn) {
        throw new DomainError('limit.amount', `cannot go below the drawn balance of ${drawn} minor units`);
      }
      return { ...line, limit: { ...limit }, available: { ...limit, amount: limit.amount - drawn } };
    }
    default:
      throw new DomainError(
        'action',
        `unknown line control ${JSON.stringify((control as { action: unknown }).action)}`,
      );
  }
}

export interface LineHold {
  status: LineStatus;
  heldBy: readonly string[];
  /** Why the status changed, for the line's reasons; null when it did not. */
  reason: { code: 'LINE_HELD_DELINQUENT' | 'LINE_RELEASED_CURED'; message: string } | null;
}

/**
 * A loan past due or written off holds its line: the first hold freezes an active line, and the last
 * release makes a frozen line active again. A loan's standing repeated changes nothing.
 */
export function holdOnStanding(
  line: { status: LineStatus; heldBy: readonly string[] },
  loanId: string,
  delinquent: boolean,
): LineHold {
  const before = line.heldBy.length;
  const known = line.heldBy.includes(loanId);
  const heldBy = delinquent
    ? [...line.heldBy, ...(known ? [] : [loanId])]
    : line.heldBy.filter((id) => id !== loanId);
  if (before === 0 && heldBy.length > 0 && line.status === 'active')
    return {
      status: 'frozen',
      heldBy,
      reason: { code: 'LINE_HELD_DELINQUENT', message: `loan ${loanId} is past due` },
    };
  if (before > 0 && heldBy.length === 0 && line.status === 'frozen')
    return {
      status: 'active',
      heldBy,
      reason: { code: 'LINE_RELEASED_CURED', message: 'no loan on the line is past due' },
    };
  return { status: line.status, heldBy, reason: null };
}

/** The last day an approved line may be drawn on: its validity counted from the approval date. */
export function lineExpiry(approvedOn: string): string {
  return LocalDate.parse(approvedOn).plusMonths(LINE_VALIDITY_MONTHS).toString();
}

export interface DrawdownAsk {
  amount: Money;
  termMonths: number;
  purpose: string;
  method?: string;
}

/**
 * Whether a drawdown may be taken from a line today; throws DomainError naming the field that
 * refuses it. Every drawdown names a purpose (docs/design.md, "Business rules") and stays inside the product's terms.
 */
export function checkDrawdown(
  line: LineBalances & { expiresOn: string | null },
  product: Pick<Product, 'terms' | 'method' | 'minAmount' | 'maxAmount' | 'currency' | 'notOffered'>,
  ask: DrawdownAsk,
  today: string,
): void {
  // A line granted before its product was withdrawn must not start a loan that can only fail.
  if (product.notOffered) throw new DomainError('creditLine', product.notOffered, 'product_not_offered');
  if (line.status === 'frozen')
    throw new DomainError(
      'creditLine',
      'the line is frozen; no drawdown until it is unfrozen',
      'line_frozen',
    );
  if (line.status !== 'active')
    throw new DomainError(
      'creditLine',
      `the line is ${line.status}; only an active line can be drawn`,
      'line_not_active',
    );
  if (line.expiresOn && today > line.expiresOn)
    throw new DomainError('creditLine', `the line expired on ${line.expiresOn}`, 'line_expired');
  if (ask.amount.currency !== line.available.currency)
    throw new DomainError('amount.currency', `must be ${line.available.currency}`);
  if (!Number.isSafeInteger(ask.amount.amount) || ask.amount.amount <= 0)
    throw new DomainError('amount.amount', 'must be a positive integer of minor units');
  if (ask.amount.amount > line.available.amount) {
    throw new DomainError(
      'amount.amount',
      `exceeds the available limit of ${line.available.amount} minor units`,
      'over_limit',
    );
  }
  if (ask.amount.amount < product.minAmount || ask.amount.amount > product.maxAmount) {
    throw new DomainError(
      'amount.amount',
      `must be between ${product.minAmount} and ${product.maxAmount} minor units for this product`,
    );
  }
  if (product.terms.length > 0 && !product.terms.includes(ask.termMonths)) {
    throw new DomainError('termMonths', `must be one of ${product.terms.join(', ')} for this product`);
  }
  if (ask.method !== undefined && ask.method !== product.method) {
    throw new DomainError('method', `this product repays by ${product.method}`);
  }
  if (!ask.purpose?.trim()) throw new DomainError('purpose', 'every drawdown names its purpose');
}

/**
 * A cash payout goes only to a card the bank confirmed is this customer's with the four elements
 * (name, ID number, phone, card): a card merely named in a drawdown could be anyone's.
 */
export function checkPayoutCard(verifiedCards: readonly string[], requested: string | undefined): void {
  if (requested === undefined || verifiedCards.includes(requested)) return;
  throw new DomainError(
    'bankCard',
    `the card ending ${requested.slice(-4)} is not verified for this customer; verify it on the line first`,
    'card_not_verified',
  );
}

export interface LoanOnLine {
  released: boolean;
  reason?: 'settled' | 'disbursement_failed' | 'written_off';
  clean?: boolean;
}

/** A loan's hold on its line: its principal, held from drawdown until the loan releases it. */
export interface Reservation extends LoanOnLine {
  amount: Money;
}

/**
 * What a line can still lend: its limit less what its loans hold and have not released. A closed line
 * lends nothing, however it closed. The one place this figure is made: the line stores only the
 * limit and its loans' holds, so the two can never drift apart.
 */
export function availableOf(status: LineStatus, limit: Money, loans: readonly Reservation[]): Money {
  if (status === 'closed') return { ...limit, amount: 0 };
  const held = loans.reduce((sum, l) => (l.released ? sum : sum + l.amount.amount), 0);
  return { ...limit, amount: limit.amount - held };
}

/** The highest limit a renewal may reach: the grade's ceiling in the credit policy, within the product's. */
export function renewalCap(product: Product, grade: Grade): number {
  return Math.min(DEFAULT_CREDIT_POLICY.maxLimitByGradeMinor[grade], creditBoundsFor(product).maxLimitMinor);
}

/** Renewal raises the limit by this share, rounded down to whole hundreds of major units. */
export const RENEWAL_STEP = 0.2;

/**
 * At the end of its validity a line whose every loan settled on time (and that was used at all)
 * renews for another term with a higher limit, capped; otherwise it closes. Answers the new limit,
 * or null to close.
 */
export function renewalLimit(limit: Money, loans: LoanOnLine[], capMinor: number): Money | null {
  const used = loans.filter((l) => l.reason !== 'disbursement_failed');
  if (used.length === 0) return null;
  if (!used.every((l) => l.released && l.reason === 'settled' && l.clean === true)) return null;
  const raised = Math.floor((limit.amount * (1 + RENEWAL_STEP)) / 10_000) * 10_000;
  return { ...limit, amount: Math.max(limit.amount, Math.min(raised, capMinor)) };
}

/** Why a line is as it is: a stable code for machines and a sentence for people. */
export interface LineReason {
  code: string;
  message: string;
}

/** What a line becomes when its validity ends with nothing drawn: renewed for another term, or closed. */
export type LineAtExpiry =
  | { status: 'active'; limit: Money; expiresOn: string; reason: LineReason }
  | { status: 'closed'; reason: LineReason };

/**
 * The line at the end of its validity (`today`, the borrower's date): an active line whose loans all
 * settled on time renews from today with the raised limit (`renewalLimit`); a frozen one, or any
 * other, closes.
 */
export function lineAtExpiry(
  line: { status: LineStatus; limit: Money | null; expiresOn: string | null },
  loans: LoanOnLine[],
  capMinor: number,
  today: string,
): LineAtExpiry {
  const renewed = line.limit && line.status === 'active' ? renewalLimit(line.limit, loans, capMinor) : null;
  if (!renewed)
    return {
      status: 'closed',
      reason: { code: 'LINE_EXPIRED', message: `The line expired after ${line.expiresOn}.` },
    };
  const expiresOn = lineExpiry(today);
  return {
    status: 'active',
    limit: renewed,
    expiresOn,
    reason: {
      code: 'LINE_RENEWED',
      message: `Renewed until ${expiresOn} with a limit of ${renewed.amount} minor units after loans repaid on time.`,
    },
  };
}

/**
 * Where a drawdown's money goes and which card repays it. A card-bill product pays the card issuer,
 * so the loan collects from the card verified at application (four elements); a cash loan pays the
 * borrower's chosen card (the application's unless another verified one is named) and collects from it.
 */
export function drawdownCards(
  product: Pick<Product, 'disburseTo'>,
  applicationCard: string,
  requestedCard: string | undefined,
): { payee: { kind: 'borrower' | 'card-issuer'; bankCard: string }; repaymentCard: string } {
  const chosen = requestedCard ?? applicationCard;
  return product.disburseTo === 'card-issuer'
    ? { payee: { kind: 'card-issuer', bankCard: chosen }, repaymentCard: applicationCard }
    : { payee: { kind: 'borrower', bankCard: chosen }, repaymentCard: chosen };
}
