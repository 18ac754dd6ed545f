import fc from 'fast-check';
import { DomainError } from '../../domain/errors';
import type { Currency } from '../../domain/money';
import { applyPayment, fallDue, isSettled, payoffOf } from '../../domain/loan';
import {
  bookPayment,
  callbackStep,
  type IntakeState,
  type KnownPayment,
  refuseOverPayoff,
  repaymentStatuses,
  repaymentStep,
  settlementStep,
} from '../../domain/payment-intake';
import { openLedgeredLoan } from '../support/ledgered-loan';
import { LOAN_STATUSES } from './_a-helpers';

const currency = fc.constantFrom<Currency>('CNY', 'USD');
const state = fc.record<IntakeState>({
  status: fc.constantFrom(...LOAN_STATUSES),
  currency: fc.option(currency, { nil: null }),
  collects: fc.boolean(),
  lateReceiptsOpen: fc.boolean(),
});
const known = fc.option(
  fc.record<KnownPayment>({ amount: fc.integer({ min: 1, max: 10_000_000 }), reversed: fc.boolean() }),
  {
    nil: undefined,
  },
);
const callback = fc.record({
  kind: fc.constantFrom<'success' | 'reversal'>('success', 'reversal'),
  paymentId: fc.string({ minLength: 1, maxLength: 12 }),
  amount: fc.record({ amount: fc.integer({ min: -5, max: 10_000_000 }), currency }),
});
const refusalOf = (fn: () => unknown): DomainError | undefined => {
  try {
    fn();
    return undefined;
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
};

describe('a provider callback', () => {
  test('books money only into a loan that can hold it, in its currency, and never twice', () => {
    fc.assert(
      fc.property(state, callback, known, (s, cb, k) => {
        const step = callbackStep(s, cb, k).step;
        // Nothing is decided while the payout is out: the loan asks again once it has a result.
        expect(step === 'wait').toBe(s.status === 'disbursing');
        if (step === 'take') {
          expect(cb.kind).toBe('success');
          expect(k).toBeUndefined();
          expect(cb.amount.amount).toBeGreaterThan(0);
          expect(cb.amount.currency).toBe(s.currency);
          const inService = s.status === 'active' || s.status === 'delinquent';
          const recovery = s.status === 'written_off' && s.collects;
          const lateReceipt = s.status === 'closed' && s.lateReceiptsOpen;
          expect(inService || recovery || lateReceipt).toBe(true);
        }
        if (step === 'reverse') {
          expect(cb.kind).toBe('reversal');
          expect(k).toEqual({ amount: cb.amount.amount, reversed: false });
          expect(['active', 'delinquent']).toContain(s.status);
        }
        // Once booked, the same success is a no-op or a disagreement, never a second booking.
        if (step === 'take') {
          const again = callbackStep(s, cb, { amount: cb.amount.amount, reversed: false });
          expect(again).toEqual({ step: 'ignore' });
        }
      }),
    );
  });

  test('a disagreement names both amounts for the person who resolves it', () => {
    const s: IntakeState = { status: 'active', currency: 'CNY', collects: true, lateReceiptsOpen: false };
    const cb = {
      kind: 'success' as const,
      paymentId: 'p1',
      amount: { amount: 500, currency: 'CNY' as const },
    };
    expect(callbackStep(s, cb, { amount: 700, reversed: false })).toEqual({
      step: 'refuse',
      reason: 'a success of 500 does not match the payment of 700',
    });
    expect(callbackStep(s, { ...cb, kind: 'reversal' }, { amount: 500, reversed: true })).toEqual({
      step: 'ignore',
    });
    expect(
      callbackStep(
        { ...s, status: 'closed', lateReceiptsOpen: true },
        { ...cb, kind: 'reversal' },
        undefined,
      ),
    ).toEqual({
      step: 'refuse',
      reason: 'the loan is closed',
    });
  });
});

describe('a repayment request', () => {
  const request = fc.record({
    paymentId: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('autopay:1', ' credit:x', 'app-1')),
    amount: fc.record({ amount: fc.oneof(fc.integer({ min: -5, max: 10_000_000 }), fc.double()), currency }),
  });

  test('is answered again for a known payment id, refused for another amount, and otherwise checked', () => {
    fc.assert(
      fc.property(state, request, known, (s, req, k) => {
        const refused = refusalOf(() => repaymentStep(s, req, k));
        if (k) {
          if (k.amount === req.amount.amount) expect(repaymentStep(s, req, k)).toBe('replay');
          else expect(refused?.code).toBe('conflict');
          return;
        }
        if (refused) return;
        const step = repaymentStep(s, req, k);
        expect(step === 'wait').toBe(s.status === 'disbursing');
        if (step === 'wait') return;
        expect(step).toBe('new');
        expect(req.paymentId.trim()).not.toBe('');
        expect(req.paymentId).not.toMatch(/^\s*(autopay|credit):/);
        expect(repaymentStatuses(s.collects)).toContain(s.status);
        expect(req.amount.currency).toBe(s.currency);
        expect(Number.isSafeInteger(req.amount.amount) && req.amount.amount > 0).toBe(true);
      }),
    );
  });

  test('names the field a client must change', () => {
    const s: IntakeState = { status: 'active', currency: 'CNY', collects: false, lateReceiptsOpen: false };
    const money = (amount: number, c: Currency = 'CNY') => ({ amount, currency: c });
    expect(
      refusalOf(() => repaymentStep(s, { paymentId: 'autopay:1', amount: money(1) }, undefined))?.field,
    ).toBe('paymentId');
    expect(
      refusalOf(() => repaymentStep(s, { paymentId: 'p', amount: money(1, 'USD') }, undefined))?.field,
    ).toBe('amount.currency');
    expect(refusalOf(() => repaymentStep(s, { paymentId: 'p', amount: money(0.5) }, undefined))?.field).toBe(
      'amount.amount',
    );
    const writtenOff = { ...s, status: 'written_off' as const };
    expect(
      refusalOf(() => repaymentStep(writtenOff, { paymentId: 'p', amount: money(1) }, undefined))?.code,
    ).toBe('loan_not_in_service');
    expect(
      repaymentStep({ ...writtenOff, collects: true }, { paymentId: 'p', amount: money(1) }, undefined),
    ).toBe('new');
    expect(
      repaymentStep(
        { ...s, status: 'disbursing', currency: null },
        { paymentId: 'p', amount: money(1) },
        undefined,
      ),
    ).toBe('wait');
    expect(
      refusalOf(() =>
        repaymentStep({ ...s, status: 'disbursing' }, { paymentId: 'credit:1', amount: money(1) }, undefined),
      )?.field,
    ).toBe('paymentId');
  });
});

describe('a payment towards an agreed settlement', () => {
  test('completes on exactly the payment that reaches the agreed amount by its date', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 400_000 }), { minLength: 1, maxLength: 8 }),
        (agreed, payments) => {
          const terms = {
            amount: { amount: agreed, currency: 'CNY' as const },
            payBy: '2026-12-31',
            received: 0,
          };
          let completedAt = -1;
          payments.forEach((amount, i) => {
            if (completedAt >= 0) return;
            const step = settlementStep(terms, amount, '2026-12-20');
            if (step.step === 'partial') {
              expect(step.received).toBeLessThan(agreed);
              terms.received = step.received;
            } else completedAt = i;
          });
          const total = payments.reduce((a, b) => a + b, 0);
          const reaching = payments.findIndex(
            (_, i) => payments.slice(0, i + 1).reduce((a, b) => a + b, 0) >= agreed,
          );
          expect(completedAt).toBe(total >= agreed ? reaching : -1);
        },
      ),
    );
  });

  test('after its pay-by date, or with no terms, a payment is an ordinary repayment', () => {
    const terms = { amount: { amount: 100, currency: 'CNY' as const }, payBy: '2026-12-31', received: 90 };
    expect(settlementStep(terms, 50, '2027-01-01')).toEqual({ step: 'none' });
    expect(settlementStep(null, 50, '2026-12-01')).toEqual({ step: 'none' });
    expect(settlementStep(terms, 10, '2026-12-31')).toEqual({ step: 'complete' });
  });
});

describe('booking a payment against open settlement terms (bookPayment)', () => {
  const START = '2026-01-15';
  /** A loan whose first two installments fell due unpaid, as a settlement is offered on. */
  function lateBook() {
    const l = openLedgeredLoan({ loanId: 'ln_s', start: START });
    for (const k of [0, 1]) {
      const { seq, dueDate } = l.book.installments[k]!;
      l.apply(fallDue(l.book, seq, dueDate));
    }
    return l.book;
  }
  const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
  const date = '2026-04-01';

  it('books an ordinary repayment by the allocation order when no terms are open, or they lapsed', () => {
    const book = lateBook();
    const p = { paymentId: 'pay_1', amount: 10_000, date };
    const plain = bookPayment(book, null, p);
    expect(plain.settlement).toEqual({ effect: 'none' });
    expect(plain.booked).toEqual(applyPayment(book, p));
    const lapsed = bookPayment(book, { amount: cny(1), payBy: '2026-03-31', received: 0 }, p);
    expect(lapsed.settlement).toEqual({ effect: 'none' });
  });

  it('counts a payment towards the agreed amount, then settles with the rest waived when it is reached', () => {
    const book = lateBook();
    const floor = payoffOf(book, date);
    const { dueInterest, accruedInterest, penalties } = floor.breakdown;
    const agreed = floor.amount - dueInterest - accruedInterest - penalties;
    const terms = { amount: cny(agreed), payBy: '2026-04-30', received: 0 };
    const first = bookPayment(book, terms, { paymentId: 'pay_1', amount: 1_000, date });
    expect(first.settlement).toEqual({ effect: 'towards', received: 1_000 });
    // The completing payment covers what the waiver leaves: principal and fees still owed after the first.
    const after = payoffOf(first.booked.book, date);
    const { dueInterest: due, accruedInterest: accrued, penalties: penalty } = after.breakdown;
    const rest = after.amount - due - accrued - penalty;
    const last = bookPayment(
      first.booked.book,
      { ...terms, received: 1_000 },
      { paymentId: 'pay_2', amount: rest, date },
    );
    expect(last.settlement).toEqual({ effect: 'settled', waived: { interest: due + accrued, penalty } });
    expect(isSettled(last.booked.book)).toBe(true);
  });

  it('books a completing payment the waiver refuses as a repayment, and says why', () => {
    const book = lateBook();
    // Terms for less than the principal still owed: the waiver covers interest and penalty only.
    const terms = { amount: cny(1_000), payBy: '2026-04-30', received: 0 };
    const p = { paymentId: 'pay_1', amount: 1_000, date };
    const refused = bookPayment(book, terms, p);
    expect(refused.settlement).toMatchObject({ effect: 'refused', received: 1_000 });
    expect(refused.booked).toEqual(applyPayment(book, p));
    expect(isSettled(refused.booked.book)).toBe(false);
  });

  it('refuses a client repayment above what settles the loan today, naming the amount', () => {
    const book = lateBook();
    const payoff = payoffOf(book, date).amount;
    expect(() => refuseOverPayoff(book, payoff, date)).not.toThrow();
    expect(refusalOf(() => refuseOverPayoff(book, payoff + 1, date))).toMatchObject({
      field: 'amount.amount',
      code: 'over_payoff',
    });
  });
});
