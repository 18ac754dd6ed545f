import fc from 'fast-check';
import { allocationOrderOf, openBook, type LoanBook, type ServicingCalendar } from '../../domain/loan';
import { type LoanTurn, nextLoanAction, statusOfBook } from '../../domain/loan-scheduler';
import { instantOfLocal } from '../../domain/localdate';
import { getProduct } from '../../domain/products';
import { buildSchedule } from '../../domain/schedule';
import { LOAN_STATUSES } from './_a-helpers';

const NOW = Date.parse('2026-06-01T02:00:00Z');
const turn = fc.record<LoanTurn>({
  status: fc.constantFrom(...LOAN_STATUSES),
  changed: fc.boolean(),
  historyLong: fc.boolean(),
  runServed: fc.boolean(),
  pendingRetry: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: undefined }),
  recoveryEnd: fc.option(fc.integer({ min: NOW - 1e9, max: NOW + 1e9 }), { nil: undefined }),
  now: fc.constant(NOW),
});
const step = fc.option(fc.record({ at: fc.integer({ min: NOW, max: NOW + 1e9 }), seq: fc.nat(36) }), {
  nil: null,
});

describe('nextLoanAction', () => {
  test('a settled loan closes, whatever else is pending', () => {
    fc.assert(
      fc.property(turn, step, (t, s) => {
        expect(nextLoanAction({ ...t, status: 'closed' }, () => s).kind).toBe('close');
      }),
    );
  });

  test('a change is saved before any step, retry, recovery wait or hand-over', () => {
    fc.assert(
      fc.property(turn, step, (t, s) => {
        if (t.status === 'closed') return;
        expect(nextLoanAction({ ...t, changed: true }, () => s).kind).toBe('save');
      }),
    );
  });

  test('a long history or a served run hands over, and only with nothing unsaved', () => {
    fc.assert(
      fc.property(turn, step, (t, s) => {
        const action = nextLoanAction(t, () => s);
        if (action.kind === 'continue_as_new') expect(t.changed).toBe(false);
        if ((t.historyLong || t.runServed) && !t.changed && t.status !== 'closed')
          expect(action.kind).toBe('continue_as_new');
      }),
    );
  });

  test('the agenda is asked only when nothing else decides, and a written-off loan never asks it', () => {
    fc.assert(
      fc.property(turn, step, (t, s) => {
        let asked = false;
        const action = nextLoanAction(t, () => ((asked = true), s));
        const agendaDecides =
          t.status !== 'closed' &&
          t.status !== 'written_off' &&
          !t.changed &&
          !t.historyLong &&
          !t.runServed &&
          t.pendingRetry === undefined;
        expect(asked).toBe(agendaDecides);
        if (agendaDecides) expect(action).toEqual(s ? { kind: 'step', step: s } : { kind: 'await_change' });
      }),
    );
  });

  test('a debit collection asked for goes before the agenda, under its retry id', () => {
    fc.assert(
      fc.property(turn, fc.string({ minLength: 1 }), (t, retryId) => {
        const quiet = { ...t, changed: false, historyLong: false, runServed: false, pendingRetry: retryId };
        if (t.status === 'closed') return;
        expect(nextLoanAction(quiet, () => null)).toEqual({ kind: 'retry_debit', retryId });
      }),
    );
  });

  test('a written-off loan waits out its recovery window, then completes', () => {
    const quiet: LoanTurn = {
      status: 'written_off',
      changed: false,
      historyLong: false,
      runServed: false,
      pendingRetry: undefined,
      recoveryEnd: NOW + 1,
      now: NOW,
    };
    expect(nextLoanAction(quiet, () => null)).toEqual({ kind: 'await_recoveries', until: NOW + 1 });
    expect(nextLoanAction({ ...quiet, recoveryEnd: NOW }, () => null)).toEqual({ kind: 'complete' });
    expect(nextLoanAction({ ...quiet, recoveryEnd: undefined }, () => null)).toEqual({ kind: 'complete' });
  });
});

describe('statusOfBook', () => {
  const cal: ServicingCalendar = {
    timeZone: 'Asia/Shanghai',
    reminderDaysBefore: 3,
    reminderTime: '10:00',
    autopayTimes: ['09:00', '14:00', '19:00'],
  };
  const book = (): LoanBook => {
    const schedule = buildSchedule({
      amount: 300_000,
      annualRate: '0.12',
      termCount: 3,
      method: 'annuity',
      startDate: '2026-01-10',
    });
    return openBook({
      loanId: 'ln_status',
      currency: 'CNY',
      annualRate: '0.12',
      method: 'annuity',
      dayCount: 'ACT/365',
      period: 'P1M',
      startDate: '2026-01-10',
      order: allocationOrderOf(getProduct('cash-installment').allocationOrder),
      schedule,
    });
  };

  test('only an active or delinquent loan follows its book', () => {
    for (const status of LOAN_STATUSES.filter((s) => s !== 'active' && s !== 'delinquent'))
      expect(statusOfBook(status, book(), cal, NOW)).toBe(status);
    expect(statusOfBook('active', null, cal, NOW)).toBe('active');
  });

  test('a loan is active before its first due day and delinquent once that day ends unpaid', () => {
    const b = book();
    const due = b.installments[0]!.dueDate;
    expect(statusOfBook('active', b, cal, instantOfLocal(due, '18:59', cal.timeZone))).toBe('active');
    expect(statusOfBook('delinquent', b, cal, instantOfLocal(due, '18:59', cal.timeZone))).toBe('active');
    expect(statusOfBook('active', b, cal, instantOfLocal(due, '19:00', cal.timeZone))).toBe('delinquent');
    expect(statusOfBook('active', b, cal, instantOfLocal('2026-04-30', '08:00', cal.timeZone))).toBe(
      'delinquent',
    );
  });
});
