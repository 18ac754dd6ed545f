import { PAYOFF_HORIZON_DAYS, payoffDate } from '../../api/routes/loans';
import { Problem } from '../../api/problem';
import { addDays } from '../../domain/localdate';
import type { LoanView } from '../../contracts/loan';

const loan = (patch: Partial<LoanView> = {}) =>
  ({
    status: 'active',
    timeZone: 'Asia/Shanghai',
    disbursement: { payoutId: 'po_1', netAmount: 600_000, date: '2026-03-10' },
    installments: [{ dueDate: '2026-04-10' }, { dueDate: '2026-05-10' }],
    payments: [],
    ...patch,
  }) as unknown as LoanView;

function refusal(fn: () => unknown): { status: number; field?: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof Problem) return { status: e.status, field: e.errors[0]?.field };
    throw e;
  }
  throw new Error('expected a problem');
}

// 2026-03-31T17:30Z: already 1 April in Shanghai, still 31 March in New York.
const at = Date.UTC(2026, 2, 31, 17, 30);

test('without a date the payoff is for today in the loan’s zone', () => {
  expect(payoffDate(loan(), undefined, at)).toBe('2026-04-01');
  expect(payoffDate(loan({ timeZone: 'America/New_York' }), undefined, at)).toBe('2026-03-31');
  expect(payoffDate(loan(), '2026-04-20', at)).toBe('2026-04-20');
});

test.each(['disbursing', 'disbursement_failed'] as const)(
  'a %s loan has no payoff: 409 naming the loan',
  (status) => {
    expect(
      refusal(() => payoffDate(loan({ status, disbursement: null, installments: [] }), undefined, at)),
    ).toEqual({
      status: 409,
      field: 'loan',
    });
  },
);

test('a date before the disbursement, or before the last prepayment, is a 422 naming date', () => {
  expect(refusal(() => payoffDate(loan(), '2026-03-09', at))).toEqual({ status: 422, field: 'date' });
  expect(payoffDate(loan(), '2026-03-10', at)).toBe('2026-03-10');
  const prepaid = loan({
    payments: [{ paymentId: 'p1', amount: 1, date: '2026-03-20', kind: 'prepayment', reversed: false }],
  });
  expect(refusal(() => payoffDate(prepaid, '2026-03-19', at))).toEqual({ status: 422, field: 'date' });
  expect(payoffDate(prepaid, '2026-03-20', at)).toBe('2026-03-20');
});

test('a date past the horizon after the later of today and the last due date is a 422 naming date', () => {
  const last = addDays('2026-05-10', PAYOFF_HORIZON_DAYS);
  expect(payoffDate(loan(), last, at)).toBe(last);
  expect(refusal(() => payoffDate(loan(), addDays(last, 1), at))).toEqual({ status: 422, field: 'date' });
  const late = Date.UTC(2027, 0, 1);
  expect(payoffDate(loan(), addDays('2027-01-01', PAYOFF_HORIZON_DAYS), late)).toBeDefined();
});
