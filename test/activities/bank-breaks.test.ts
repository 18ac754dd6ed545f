import type { StatementItem } from '../../contracts/providers/bank';
import { bankBreaks } from '../../activities/operations';
import type { CashEntry } from '../../db/operations';

const DAY = '2030-05-10';
const item = (kind: StatementItem['kind'], idempotencyKey: string, amountMinor: number): StatementItem => ({
  kind,
  reference: `bank-${idempotencyKey}`,
  idempotencyKey,
  amountMinor,
  currency: 'CNY',
  at: `${DAY}T04:00:00Z`,
});
const booked = (sourceEventId: string, kind: string, cash: number): CashEntry => ({
  sourceEventId,
  loanId: sourceEventId.split(':')[0]!,
  kind,
  effectiveDate: DAY,
  cash,
});

// Every kind of key the loan sends its bank, each booked under the event the loan names it by.
const atBank = [
  item('payout', 'ln_a:disbursement', 500_000),
  item('debit', 'ln_a:autopay:3:1', 90_000),
  item('debit', 'ln_a:autopay:retry:2030-04-15:M1:dpd7', 90_000),
  item('payout', 'ln_a:refund:1', 1_234),
];
const ledger = [
  booked('ln_a:disbursement', 'disbursement', 500_000),
  booked('ln_a:payment:autopay:3:1', 'repayment', 90_000),
  booked('ln_a:payment:autopay:retry:2030-04-15:M1:dpd7', 'repayment', 90_000),
  booked('ln_a:refund:1', 'refund', 1_234),
];

test('disbursements, scheduled and collection-retry debits and refunds each match their ledger entry', () => {
  expect(bankBreaks(atBank, ledger, atBank, ledger)).toEqual([]);
});

test('a refund the bank paid but the ledger lacks, and one booked but not paid, are breaks of that loan', () => {
  const unbooked = bankBreaks(atBank, ledger.slice(0, 3), atBank, ledger.slice(0, 3));
  expect(unbooked).toEqual([
    expect.objectContaining({ loanId: 'ln_a', kind: 'bank_item_not_booked', actual: null }),
  ]);
  const unpaid = bankBreaks(atBank.slice(0, 3), ledger, atBank.slice(0, 3), ledger);
  expect(unpaid).toEqual([
    expect.objectContaining({
      loanId: 'ln_a',
      kind: 'booked_not_at_bank',
      expected: { sourceEventId: 'ln_a:refund:1', cash: 1_234 },
    }),
  ]);
  const differs = bankBreaks(
    atBank,
    [...ledger.slice(0, 3), booked('ln_a:refund:1', 'refund', 1_200)],
    atBank,
    ledger,
  );
  expect(differs).toEqual([expect.objectContaining({ loanId: 'ln_a', kind: 'bank_amount_mismatch' })]);
});
