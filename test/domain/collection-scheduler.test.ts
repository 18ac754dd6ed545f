import fc from 'fast-check';
import {
  collectionEndedAs,
  collectionStatusWhile,
  type CollectionTurn,
  dueAfterWait,
  planCollectionTurn,
} from '../../domain/collection-scheduler';
import type { LoanStatus } from '../../domain/loan';

const NOW = Date.parse('2026-06-01T02:00:00Z');
const instant = fc.oneof(fc.integer({ min: NOW - 1e8, max: NOW + 1e9 }), fc.constant(Infinity));
const turn = fc.record<CollectionTurn>({
  historyLong: fc.boolean(),
  promiseOpen: fc.boolean(),
  promiseDeadline: instant,
  payBy: instant,
});
const next = fc.option(fc.record({ step: fc.string(), at: fc.integer({ min: NOW - 1e8, max: NOW + 1e9 }) }), {
  nil: null,
});

describe('planCollectionTurn', () => {
  test('a long history hands over before any step is weighed', () => {
    fc.assert(
      fc.property(turn, next, (t, n) => {
        let asked = false;
        const plan = planCollectionTurn({ ...t, historyLong: true }, () => ((asked = true), n));
        expect(plan.kind).toBe('continue_as_new');
        expect(asked).toBe(false);
      }),
    );
  });

  test('an open promise pauses escalation: no step is planned, only its deadline and the pay-by day wake', () => {
    fc.assert(
      fc.property(turn, next, (t, n) => {
        const plan = planCollectionTurn({ ...t, historyLong: false, promiseOpen: true }, () => n);
        expect(plan).toEqual({
          kind: 'wait',
          wakeAt: Math.min(t.promiseDeadline, t.payBy),
          wakeFor: 'deadline',
          next: null,
        });
        expect(collectionStatusWhile(true)).toBe('paused');
      }),
    );
  });

  test('the loop wakes at the earliest of the step, the promise deadline and the pay-by day', () => {
    fc.assert(
      fc.property(turn, next, (t, n) => {
        const plan = planCollectionTurn({ ...t, historyLong: false, promiseOpen: false }, () => n);
        if (plan.kind !== 'wait') throw new Error('expected a wait');
        const earliest = Math.min(n?.at ?? Infinity, t.promiseDeadline, t.payBy);
        expect(plan.wakeAt).toBe(earliest);
        expect(plan.next).toBe(n);
        expect(plan.wakeFor).toBe(n && n.at === earliest ? 'step' : 'deadline');
        expect(collectionStatusWhile(false)).toBe('active');
      }),
    );
  });
});

describe('dueAfterWait', () => {
  test('a step is performed only once its instant has come, and a contact only inside its slot', () => {
    fc.assert(
      fc.property(
        next,
        fc.option(fc.integer({ min: NOW - 1e8, max: NOW + 1e9 }), { nil: null }),
        (n, slot) => {
          const due = dueAfterWait(n, NOW, slot === null ? null : () => slot);
          if (!n || n.at > NOW) expect(due).toBe('none');
          else if (slot !== null && slot > NOW) expect(due).toBe('late');
          else expect(due).toBe('perform');
        },
      ),
    );
  });
});

describe('collectionEndedAs', () => {
  test('the loan cured, closed, settled or written off ends the collection; a late loan keeps it', () => {
    expect(collectionEndedAs({ status: 'active' })).toBe('cured');
    expect(collectionEndedAs({ status: 'closed' })).toBe('closed');
    expect(collectionEndedAs({ status: 'closed', settledBy: 'so_1' })).toBe('settled');
    expect(collectionEndedAs({ status: 'written_off', settledBy: 'so_1' })).toBe('written_off');
    for (const status of ['delinquent', 'disbursing', 'disbursement_failed'] as LoanStatus[])
      expect(collectionEndedAs({ status })).toBeNull();
  });
});
