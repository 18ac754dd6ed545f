import fc from 'fast-check';
import type { Parts } from '../../domain/allocation';
import { DomainError } from '../../domain/errors';
import {
  accrualEntry,
  assertBalanced,
  disbursementEntry,
  type JournalEntry,
  type LedgerAccount,
  loanPosition,
  repaymentEntry,
  recoveryEntry,
  reversalEntry,
  waiverEntry,
  writeOffEntry,
} from '../../domain/ledger';

const head = { loanId: 'ln_1', date: '2026-03-15', currency: 'CNY' as const };
const sum = (e: JournalEntry, side: 'debit' | 'credit') => e.lines.reduce((s, l) => s + l[side], 0);

function balancesOf(entries: JournalEntry[]): Partial<Record<LedgerAccount, number>> {
  const out: Partial<Record<LedgerAccount, number>> = {};
  for (const e of entries)
    for (const l of e.lines) out[l.account] = (out[l.account] ?? 0) + l.debit - l.credit;
  return out;
}

/** Any receivables a loan can carry, in minor units; properties add what their entry needs beside. */
const receivables = {
  principal: fc.nat(10_000_000),
  interest: fc.nat(1_000_000),
  fees: fc.nat(100_000),
  penalty: fc.nat(100_000),
};

/** A loan paid out in full with `r` booked as owed and `riskReserve` set aside at disbursement. */
const openedWith = (r: Parts, riskReserve = 0) => [
  disbursementEntry({
    ...head,
    eventId: 'd',
    principal: r.principal,
    cashOut: r.principal,
    originationFee: 0,
    riskReserve,
  }),
  accrualEntry({ ...head, eventId: 'a', interest: r.interest, fees: r.fees, penalty: r.penalty }),
];

test('disbursement with a deducted fee and a reserve balances and leaves the principal owed', () => {
  const e = disbursementEntry({
    ...head,
    eventId: 'ln_1:disbursement',
    principal: 1_000_000,
    cashOut: 990_000,
    originationFee: 10_000,
    riskReserve: 20_000,
  });
  expect(sum(e, 'debit')).toBe(sum(e, 'credit'));
  expect(loanPosition(balancesOf([e]))).toMatchObject({ principal: 1_000_000, outstanding: 1_000_000 });
  expect(e.lines.every((l) => l.debit > 0 || l.credit > 0)).toBe(true);
});

test('any split of a payment balances, and the outstanding drops by exactly the amount received', () => {
  fc.assert(
    fc.property(fc.record({ ...receivables, toCredit: fc.nat(100_000) }), (p) => {
      const received = p.principal + p.interest + p.fees + p.penalty + p.toCredit;
      const entries = openedWith(p);
      const before = loanPosition(balancesOf(entries));
      const pay = repaymentEntry({ ...head, eventId: 'p', received, ...p });
      expect(sum(pay, 'debit')).toBe(sum(pay, 'credit'));
      const after = loanPosition(balancesOf([...entries, pay]));
      expect(after.principal + after.interest + after.fees + after.penalty).toBe(0);
      expect(after.credit).toBe(p.toCredit);
      expect(before.outstanding - after.outstanding).toBe(received);
    }),
  );
});

test('credit held from an overpayment can settle a later installment', () => {
  const over = repaymentEntry({
    ...head,
    eventId: 'p1',
    received: 1_000,
    principal: 0,
    interest: 0,
    fees: 0,
    penalty: 0,
    toCredit: 1_000,
  });
  const due = accrualEntry({ ...head, eventId: 'a2', interest: 600, fees: 0, penalty: 0 });
  const use = repaymentEntry({
    ...head,
    eventId: 'p2',
    received: 0,
    fromCredit: 600,
    principal: 0,
    interest: 600,
    fees: 0,
    penalty: 0,
    toCredit: 0,
  });
  expect(loanPosition(balancesOf([over, due, use]))).toMatchObject({
    interest: 0,
    credit: 400,
    outstanding: -400,
  });
});

test('a reversal mirrors its original exactly, so the pair nets to nothing', () => {
  const pay = repaymentEntry({
    ...head,
    eventId: 'p1',
    received: 5_000,
    principal: 3_000,
    interest: 1_500,
    fees: 0,
    penalty: 0,
    toCredit: 500,
  });
  const back = reversalEntry(pay, 'p1:reversal', '2026-03-20');
  expect(back.kind).toBe('reversal:repayment');
  const net = balancesOf([pay, back]);
  expect(Object.values(net).every((v) => v === 0)).toBe(true);
});

test('an unbalanced or negative entry is refused with the field', () => {
  const bad: JournalEntry = {
    ...head,
    sourceEventId: 'x',
    kind: 'manual',
    effectiveDate: head.date,
    lines: [{ account: 'cash_clearing', debit: 10, credit: 0 }],
  };
  expect(() => assertBalanced(bad)).toThrow(DomainError);
  expect(() => accrualEntry({ ...head, eventId: 'n', interest: -1, fees: 0, penalty: 0 })).toThrow(
    /non-negative/,
  );
});

test('a write-off clears every receivable, the provision absorbing the loss before any expense', () => {
  fc.assert(
    fc.property(fc.record({ ...receivables, reserve: fc.nat(1_000_000) }), (p) => {
      const opened = openedWith(p, p.reserve);
      const off = writeOffEntry({ ...head, eventId: 'w', ...p });
      expect(sum(off, 'debit')).toBe(sum(off, 'credit'));
      const b = balancesOf([...opened, off]);
      expect(loanPosition(b)).toMatchObject({
        principal: 0,
        interest: 0,
        fees: 0,
        penalty: 0,
        outstanding: 0,
      });
      const total = p.principal + p.interest + p.fees + p.penalty;
      expect(b.risk_reserve_provision ?? 0).toBe(Math.min(0, total - p.reserve));
      expect(b.write_off_expense ?? 0).toBe(Math.max(0, total - p.reserve));
    }),
  );
});

test('a recovery is cash and income, and touches no receivable', () => {
  const e = recoveryEntry({ ...head, eventId: 'r', amount: 12_345 });
  expect(e.kind).toBe('recovery');
  expect(balancesOf([e])).toEqual({ cash_clearing: 12_345, recovery_income: -12_345 });
});

test('a waiver takes forgiven interest and penalty back out of income', () => {
  const booked = accrualEntry({ ...head, eventId: 'a', interest: 900, fees: 50, penalty: 300 });
  const w = waiverEntry({ ...head, eventId: 'w', interest: 400, penalty: 300 });
  expect(sum(w, 'debit')).toBe(700);
  const b = balancesOf([booked, w]);
  expect(loanPosition(b)).toMatchObject({ interest: 500, fees: 50, penalty: 0 });
  expect(b).toMatchObject({ interest_income: -500, penalty_income: 0, fee_income: -50 });
  expect(waiverEntry({ ...head, eventId: 'w0', interest: 0, penalty: 0 }).lines).toEqual([]);
});
