import fc from 'fast-check';
import { addDays } from '../../domain/localdate';
import {
  checkPromise,
  type PromisePolicy,
  type PromiseToPay,
  promiseDeadline,
  resolvePromise,
} from '../../domain/promise';
import { expectDomainError } from '../support/domain-error';

const TODAY = '2024-05-10';
const policy: PromisePolicy = { graceDays: 2, maxDays: 30 };
const ctx = { today: TODAY, outstanding: 50_000, open: false };
const promise: PromiseToPay = {
  id: 'p1',
  date: '2024-05-15',
  amount: 20_000,
  status: 'open',
  receivedAtPromise: 100_000,
};
const resolve = (today: string, receivedTotal = 100_000, overdue = 30_000) =>
  resolvePromise(promise, { today, receivedTotal, overdue }, policy);

describe('checkPromise', () => {
  it('accepts a promise from today up to maxDays ahead, for up to what is owed', () => {
    expect(() => checkPromise({ date: TODAY, amount: 1 }, ctx, policy)).not.toThrow();
    expect(() => checkPromise({ date: addDays(TODAY, 30), amount: 50_000 }, ctx, policy)).not.toThrow();
  });

  it('refuses a second open promise', () => {
    expectDomainError(
      () => checkPromise({ date: TODAY, amount: 1 }, { ...ctx, open: true }, policy),
      'promise',
      'promise_open',
    );
  });

  it('refuses dates in the past or too far ahead', () => {
    expectDomainError(
      () => checkPromise({ date: addDays(TODAY, -1), amount: 1 }, ctx, policy),
      'date',
      'date_out_of_range',
    );
    expectDomainError(
      () => checkPromise({ date: addDays(TODAY, 31), amount: 1 }, ctx, policy),
      'date',
      'date_out_of_range',
    );
    expectDomainError(() => checkPromise({ date: '2024-02-30', amount: 1 }, ctx, policy), 'date');
  });

  it('refuses amounts that are not positive whole minor units or exceed what is owed', () => {
    for (const amount of [0, -5, 1.5, NaN]) {
      expectDomainError(() => checkPromise({ date: TODAY, amount }, ctx, policy), 'amount.amount');
    }
    expectDomainError(
      () => checkPromise({ date: TODAY, amount: 50_001 }, ctx, policy),
      'amount.amount',
      'amount_above_outstanding',
    );
  });
});

describe('promiseDeadline', () => {
  it('adds the grace days to the promised date', () => {
    expect(promiseDeadline(promise, policy)).toBe('2024-05-17');
    expect(promiseDeadline({ date: '2024-02-28' }, { graceDays: 2, maxDays: 30 })).toBe('2024-03-01');
  });
});

describe('resolvePromise', () => {
  it('stays open until the deadline while not enough has arrived', () => {
    expect(resolve('2024-05-12', 110_000)).toBe(promise);
    expect(resolve('2024-05-17', 119_999).status).toBe('open');
  });

  it('is kept by what arrives after the promise, even within grace', () => {
    expect(resolve('2024-05-16', 120_000)).toEqual({ ...promise, status: 'kept', resolvedOn: '2024-05-16' });
  });

  it('is kept when the loan is no longer overdue, however it was cured', () => {
    expect(resolve('2024-05-11', 100_000, 0)).toMatchObject({ status: 'kept', resolvedOn: '2024-05-11' });
  });

  it('is broken the day after the deadline, dated then even when noticed later', () => {
    expect(resolve('2024-05-18')).toEqual({ ...promise, status: 'broken', resolvedOn: '2024-05-18' });
    expect(resolve('2024-06-01')).toMatchObject({ status: 'broken', resolvedOn: '2024-05-18' });
  });

  it('never changes a promise that is already resolved', () => {
    const broken = resolve('2024-05-18');
    expect(resolvePromise(broken, { today: '2024-05-19', receivedTotal: 1e9, overdue: 0 }, policy)).toBe(
      broken,
    );
  });

  it('keeps exactly when enough arrived or nothing is overdue, else breaks only after the deadline', () => {
    const arb = fc.record({
      day: fc.integer({ min: 0, max: 40 }),
      received: fc.integer({ min: 0, max: 40_000 }),
      overdue: fc.integer({ min: 0, max: 5 }),
    });
    fc.assert(
      fc.property(arb, ({ day, received, overdue }) => {
        const today = addDays(TODAY, day);
        const r = resolve(today, promise.receivedAtPromise + received, overdue);
        const kept = received >= promise.amount || overdue === 0;
        const expected = kept ? 'kept' : today > promiseDeadline(promise, policy) ? 'broken' : 'open';
        expect(r.status).toBe(expected);
        expect(promise.status).toBe('open');
      }),
    );
  });
});
