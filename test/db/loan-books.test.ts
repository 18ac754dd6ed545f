import { randomUUID } from 'node:crypto';
import { loanBooks } from '../../db/loan-books';
import { ledgerRepository } from '../../db/ledger';
import { loanRepository } from '../../db/loans';
import { disbursementEntry, repaymentEntry } from '../../domain/ledger';
import type { LoanView } from '../../contracts/loan';
import { testPool } from '../support/db';
import { loanView } from '../support/loan-view';

const pool = testPool();
const books = loanBooks(pool);
const ledger = ledgerRepository(pool);
const loans = loanRepository(pool);
afterAll(() => pool.end());

const view = (id: string, version: number, outstanding: number): LoanView =>
  loanView({
    id,
    creditLineId: `cl_${randomUUID().replace(/-/g, '')}`,
    customerId: 'cust_hash_books',
    principal: 1_200_000,
    outstanding,
    version,
  });

const head = (loanId: string, eventId: string) => ({
  loanId,
  eventId,
  date: '2026-03-15',
  currency: 'CNY' as const,
});
const disbursed = (loanId: string) =>
  disbursementEntry({
    ...head(loanId, `${loanId}:disbursement`),
    principal: 1_200_000,
    cashOut: 1_188_000,
    originationFee: 12_000,
    riskReserve: 24_000,
  });

test('the entries and the view land together, and a retry of the same record changes nothing', async () => {
  const loanId = `ln_${randomUUID()}`;
  const entries = [disbursed(loanId)];
  await books.record(entries, view(loanId, 1, 1_200_000));
  await books.record(entries, view(loanId, 1, 1_200_000));
  expect((await ledger.entries(loanId)).map((e) => e.sourceEventId)).toEqual([`${loanId}:disbursement`]);
  expect(await loans.find(loanId)).toMatchObject({ id: loanId, outstanding: 1_200_000 });
  expect((await ledger.trialBalance()).unbalancedEntries).toBe(0);
});

test('a view the database refuses takes its entries with it: the books never run ahead of the read model', async () => {
  const loanId = `ln_${randomUUID()}`;
  await books.record([disbursed(loanId)], view(loanId, 1, 1_200_000));
  const pay = repaymentEntry({
    ...head(loanId, `${loanId}:payment:1`),
    received: 100_000,
    principal: 100_000,
    interest: 0,
    fees: 0,
    penalty: 0,
    toCredit: 0,
  });
  // A DPD its integer column cannot hold: the save fails inside the transaction that posts the payment.
  const refused = { ...view(loanId, 2, 1_100_000), dpd: 1.5 };
  await expect(books.record([pay], refused)).rejects.toThrow();
  expect((await ledger.entries(loanId)).map((e) => e.sourceEventId)).toEqual([`${loanId}:disbursement`]);
  expect(await loans.find(loanId)).toMatchObject({ outstanding: 1_200_000 });
});
