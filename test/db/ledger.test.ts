import { randomUUID } from 'node:crypto';
import {
  accrualEntry,
  disbursementEntry,
  loanPosition,
  recoveryEntry,
  repaymentEntry,
  reversalEntry,
  writeOffEntry,
} from '../../domain/ledger';
import { ledgerRepository } from '../../db/ledger';
import { testPool } from '../support/db';
import { NOTHING_OWED } from '../support/ledgered-loan';

const pool = testPool();
const ledger = ledgerRepository(pool);
afterAll(() => pool.end());

const head = (loanId: string, eventId: string) => ({
  loanId,
  eventId,
  date: '2026-03-15',
  currency: 'CNY' as const,
});

test('posting is idempotent by source event id and balances derive the loan position', async () => {
  const loanId = `ln_${randomUUID()}`;
  const d = disbursementEntry({
    ...head(loanId, `${loanId}:disbursement`),
    principal: 1_200_000,
    cashOut: 1_188_000,
    originationFee: 12_000,
    riskReserve: 24_000,
  });
  expect(await ledger.post(d)).toBe('posted');
  expect(await ledger.post(d)).toBe('duplicate');
  await ledger.post(
    accrualEntry({ ...head(loanId, `${loanId}:accrual:1`), interest: 7_200, fees: 0, penalty: 0 }),
  );
  const pay = repaymentEntry({
    ...head(loanId, `${loanId}:payment:1`),
    received: 110_000,
    principal: 100_000,
    interest: 7_200,
    fees: 0,
    penalty: 0,
    toCredit: 2_800,
  });
  await ledger.post(pay);
  expect(loanPosition(await ledger.balances(loanId))).toEqual({
    principal: 1_100_000,
    interest: 0,
    fees: 0,
    penalty: 0,
    credit: 2_800,
    outstanding: 1_097_200,
  });

  await ledger.post(reversalEntry(pay, `${loanId}:payment:1:reversal`, '2026-03-20'));
  expect(loanPosition(await ledger.balances(loanId))).toMatchObject({
    principal: 1_200_000,
    interest: 7_200,
    credit: 0,
  });
  expect((await ledger.entries(loanId)).map((e) => e.kind)).toEqual([
    'disbursement',
    'accrual',
    'repayment',
    'reversal:repayment',
  ]);
});

test('the database refuses an unbalanced entry, an entry written piecemeal, lines of no entry, and any change to posted lines', async () => {
  const loanId = `ln_${randomUUID()}`;
  const { rows } = await pool.query(
    "insert into journal_entries (source_event_id, loan_id, kind, effective_date, currency) values ($1, $2, 'manual', '2026-03-15', 'CNY') returning id",
    [`${loanId}:manual`, loanId],
  );
  const entryId = rows[0].id;
  await expect(
    pool.query(
      "insert into journal_lines (entry_id, loan_id, account, debit, credit) values ($1, $2, 'cash_clearing', 100, 0), ($1, $2, 'fee_income', 0, 99)",
      [entryId, loanId],
    ),
  ).rejects.toThrow(/does not balance/);
  await expect(
    pool.query(
      "insert into journal_lines (entry_id, loan_id, account, debit) values ($1, $2, 'cash_clearing', 100)",
      [entryId, loanId],
    ),
  ).rejects.toThrow(/does not balance/);
  await expect(
    pool.query(
      "insert into journal_lines (entry_id, loan_id, account, debit, credit) values ($1, $2, 'cash_clearing', 100, 0), ($1, $2, 'fee_income', 0, 100)",
      [-1, loanId],
    ),
  ).rejects.toThrow(/entry -1, which does not exist/);
  expect(await ledger.entries(loanId)).toEqual([]);

  await ledger.post(
    accrualEntry({ ...head(loanId, `${loanId}:accrual`), interest: 500, fees: 0, penalty: 0 }),
  );
  await expect(
    pool.query('update journal_lines set debit = debit + 1 where loan_id = $1', [loanId]),
  ).rejects.toThrow(/append-only/);
  await expect(pool.query('delete from journal_entries where loan_id = $1', [loanId])).rejects.toThrow(
    /append-only/,
  );
});

test('a write-off posts to the write-off accounts and balances, and a recovery posts after it', async () => {
  const loanId = `ln_${randomUUID()}`;
  await ledger.post(
    disbursementEntry({
      ...head(loanId, `${loanId}:disbursement`),
      principal: 600_000,
      cashOut: 600_000,
      originationFee: 0,
      riskReserve: 12_000,
    }),
  );
  await ledger.post(
    accrualEntry({ ...head(loanId, `${loanId}:accrual:1`), interest: 6_000, fees: 0, penalty: 1_500 }),
  );
  const off = writeOffEntry({
    ...head(loanId, `${loanId}:write-off`),
    principal: 600_000,
    interest: 6_000,
    fees: 0,
    penalty: 1_500,
    reserve: 12_000,
  });
  expect(await ledger.post(off)).toBe('posted');
  expect(await ledger.post(recoveryEntry({ ...head(loanId, `${loanId}:recovery:r1`), amount: 50_000 }))).toBe(
    'posted',
  );

  const balances = await ledger.balances(loanId);
  expect(loanPosition(balances)).toEqual(NOTHING_OWED);
  expect(balances).toMatchObject({
    risk_reserve_provision: 0,
    write_off_expense: 595_500,
    recovery_income: -50_000,
    cash_clearing: -550_000,
  });
  const { rows } = await pool.query<{ unbalanced: number }>(
    `select count(*)::int as unbalanced from (select entry_id from journal_lines where loan_id = $1
       group by entry_id having sum(debit) <> sum(credit)) x`,
    [loanId],
  );
  expect(rows[0]!.unbalanced).toBe(0);
  expect((await ledger.entries(loanId)).map((e) => e.kind)).toEqual([
    'disbursement',
    'accrual',
    'write-off',
    'recovery',
  ]);
});
