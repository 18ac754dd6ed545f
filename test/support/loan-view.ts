import type { LoanView } from '../../contracts/loan';

export interface ViewTerms {
  id: string;
  creditLineId: string;
  customerId: string;
  principal: number;
  /** All of it principal, none of it due yet. */
  outstanding: number;
  productCode?: string;
  status?: LoanView['status'];
  version?: number;
}

/**
 * A loan's read-model row as its workflow would save it, for the repository tests that need no
 * workflow behind it: a 12-month CNY annuity at 12%, current, with no schedule or payments yet.
 */
export function loanView(t: ViewTerms): LoanView {
  const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
  return {
    id: t.id,
    creditLineId: t.creditLineId,
    customerId: t.customerId,
    productCode: t.productCode ?? 'cash-installment',
    method: 'annuity',
    annualRate: '0.12',
    termMonths: 12,
    timeZone: 'Asia/Shanghai',
    status: t.status ?? 'active',
    principal: cny(t.principal),
    outstanding: cny(t.outstanding),
    creditBalance: cny(0),
    receivable: { principal: t.outstanding, interest: 0, fees: 0, penalty: 0 },
    dpd: 0,
    bucket: 'M0',
    stage: 'current',
    nextDue: null,
    installments: [],
    autopayAttempts: [],
    reminders: [],
    payments: [],
    disbursement: null,
    failure: null,
    exceptions: [],
    ledgerPending: 0,
    version: t.version ?? 1,
  };
}
