/**
 * Extension (展期): the borrower asks for more time and the remaining schedule moves later as a block,
 * for a fee booked when it is granted. Eligibility is the product's ExtensionPolicy; each refusal
 * names its rule so the borrower and the operator see why.
 */
import type { Stage } from './delinquency';
import { DomainError } from './errors';
import { extensionFee } from './fees';
import { accrualEntry } from './ledger';
import { addDays, toLocalDate } from './localdate';
import { type Booked, type LoanBook, type LoanStatus, openOf } from './loan';
import type { ExtensionPolicy } from './products';

/**
 * How an extension request is taken: one already granted is answered again as it was; one that meets
 * a loan whose payout is still out waits for the payout's result, like a repayment
 * (domain/payment-intake.ts); any other is checked by `checkExtension`.
 */
export function extensionStep(status: LoanStatus, granted: boolean): 'replay' | 'wait' | 'check' {
  if (granted) return 'replay';
  return status === 'disbursing' ? 'wait' : 'check';
}

export interface ExtensionContext {
  today: string;
  used: number;
  dpd: number;
  stage: Stage;
  paidInstallments: number;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function checkExtension(
  book: LoanBook,
  policy: ExtensionPolicy,
  req: { days: number },
  ctx: ExtensionContext,
): void {
  const refuse = (code: string, message: string) => {
    throw new DomainError('loan', message, code);
  };
  if (policy.maxCount <= 0) refuse('extension_not_offered', 'this loan offers no extension');
  checkDays(req.days, policy);
  if (ctx.used >= policy.maxCount) {
    refuse(
      'extension_limit',
      `only ${plural(policy.maxCount, 'extension is', 'extensions are')} allowed per loan`,
    );
  }
  // Checked before DPD: a loan in late collection or written off is out of the product's hands by law
  // and practice, whatever the policy's DPD limit says.
  if (ctx.stage === 'late' || ctx.stage === 'written_off') {
    refuse(
      'extension_stage',
      `a loan in ${ctx.stage === 'late' ? 'late-stage collection' : 'write-off'} cannot be extended`,
    );
  }
  if (ctx.dpd > policy.maxDpd) {
    refuse(
      'extension_dpd',
      policy.maxDpd === 0
        ? 'a loan past due cannot be extended'
        : `a loan more than ${plural(policy.maxDpd, 'day', 'days')} past due cannot be extended`,
    );
  }
  if (ctx.paidInstallments < policy.minPaidInstallments) {
    refuse(
      'extension_min_paid',
      `an extension needs at least ${plural(policy.minPaidInstallments, 'installment', 'installments')} paid first`,
    );
  }
  if (!book.installments.some((i) => openOf(i) > 0)) {
    refuse('extension_nothing_due', 'nothing is left to pay, so there is nothing to extend');
  }
}

/**
 * Grants an extension already checked. Every installment from the first unpaid one on moves, so the
 * schedule keeps its spacing and its order even past an installment paid ahead; interest stays as
 * scheduled, the fee is the price of the time.
 */
export function extendBook(
  book: LoanBook,
  policy: ExtensionPolicy,
  req: { extensionId: string; days: number },
  today: string,
): Booked<{ fee: number; dueDates: { seq: number; from: string; to: string }[] }> {
  toLocalDate(today, 'today');
  checkDays(req.days, policy);
  const first = book.installments.findIndex((i) => openOf(i) > 0);
  if (first < 0) throw new DomainError('loan', 'nothing is left to pay', 'extension_nothing_due');
  const outstandingPrincipal = book.installments.reduce((s, i) => s + i.principal - i.paid.principal, 0);
  const fee = extensionFee(policy.fee, outstandingPrincipal);

  const dueDates: { seq: number; from: string; to: string }[] = [];
  const installments = book.installments.map((i, k) => {
    if (k < first) return i;
    const to = addDays(i.dueDate, req.days);
    dueDates.push({ seq: i.seq, from: i.dueDate, to });
    if (k !== first || fee === 0) return { ...i, dueDate: to };
    return {
      ...i,
      dueDate: to,
      fees: i.fees + fee,
      total: i.total + fee,
      accrued: { ...i.accrued, fees: i.accrued.fees + fee },
    };
  });
  const entries =
    fee === 0
      ? []
      : [
          accrualEntry({
            loanId: book.loanId,
            eventId: `${book.loanId}:extension:${req.extensionId}`,
            date: today,
            currency: book.currency,
            interest: 0,
            fees: fee,
            penalty: 0,
          }),
        ];
  return { book: { ...book, installments }, entries, result: { fee, dueDates } };
}

function checkDays(days: number, policy: ExtensionPolicy): void {
  if (!Number.isSafeInteger(days) || days < 1) {
    throw new DomainError(
      'days',
      `days must be a whole number of days ≥ 1, got ${String(days)}`,
      'extension_days',
    );
  }
  if (days > policy.maxDays) {
    throw new DomainError(
      'days',
      `an extension may move a due date by at most ${plural(policy.maxDays, 'day', 'days')}`,
      'extension_days',
    );
  }
}
