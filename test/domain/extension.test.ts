import { DomainError } from '../../domain/errors';
import { checkExtension, type ExtensionContext, extendBook, extensionStep } from '../../domain/extension';
import { assertBalanced } from '../../domain/ledger';
import { applyPayment, fallDue, type LoanBook } from '../../domain/loan';
import { addDays } from '../../domain/localdate';
import { type ExtensionPolicy, getProduct } from '../../domain/products';
import { type LedgeredLoan, openLedgeredLoan } from '../support/ledgered-loan';

const START = '2026-01-15';
const product = getProduct('cash-installment');
const policy = product.extension;

/** The first installment paid on its due date; the second due and unpaid. */
function afterOnePaid(): LedgeredLoan {
  const l = openLedgeredLoan({ loanId: 'ln_x', start: START, product, amount: 1_234_567, termCount: 6 });
  const first = l.book.installments[0]!;
  l.apply(fallDue(l.book, 1, first.dueDate));
  l.apply(applyPayment(l.book, { paymentId: 'p1', amount: first.total, date: first.dueDate }));
  return l;
}

const ok: ExtensionContext = { today: '2026-02-20', used: 0, dpd: 0, stage: 'current', paidInstallments: 1 };

function refusal(fn: () => void): DomainError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DomainError);
    return e as DomainError;
  }
  throw new Error('expected a refusal');
}

describe('checkExtension', () => {
  test('the standard policy: one extension of up to 30 days, DPD ≤ 30, one installment paid first', () => {
    expect(policy).toMatchObject({ maxCount: 1, maxDays: 30, maxDpd: 30, minPaidInstallments: 1 });
    const { book } = afterOnePaid();
    expect(() => checkExtension(book, policy, { days: 30 }, ok)).not.toThrow();
    expect(() => checkExtension(book, policy, { days: 1 }, { ...ok, dpd: 30, stage: 'early' })).not.toThrow();
  });

  const { book } = afterOnePaid();
  const settled: LoanBook = {
    ...book,
    installments: book.installments.map((i) => ({
      ...i,
      paid: { penalty: i.penalty, fees: i.fees, interest: i.interest, principal: i.principal },
    })),
  };
  const none: ExtensionPolicy = { ...policy, maxCount: 0 };
  test.each<[string, () => void, string, string, RegExp]>([
    [
      'zero days',
      () => checkExtension(book, policy, { days: 0 }, ok),
      'days',
      'extension_days',
      /whole number/,
    ],
    ['part days', () => checkExtension(book, policy, { days: 1.5 }, ok), 'days', 'extension_days', /whole/],
    [
      'too many days',
      () => checkExtension(book, policy, { days: 31 }, ok),
      'days',
      'extension_days',
      /30 days/,
    ],
    [
      'not offered',
      () => checkExtension(book, none, { days: 10 }, ok),
      'loan',
      'extension_not_offered',
      /offers no extension/,
    ],
    [
      'used up',
      () => checkExtension(book, policy, { days: 10 }, { ...ok, used: 1 }),
      'loan',
      'extension_limit',
      /^only 1 extension is allowed per loan$/,
    ],
    [
      'too late',
      () => checkExtension(book, policy, { days: 10 }, { ...ok, dpd: 31, stage: 'middle' }),
      'loan',
      'extension_dpd',
      /more than 30 days past due/,
    ],
    [
      'late stage',
      () => checkExtension(book, { ...policy, maxDpd: 365 }, { days: 10 }, { ...ok, dpd: 95, stage: 'late' }),
      'loan',
      'extension_stage',
      /late-stage collection/,
    ],
    [
      'written off',
      () => checkExtension(book, policy, { days: 10 }, { ...ok, dpd: 200, stage: 'written_off' }),
      'loan',
      'extension_stage',
      /write-off/,
    ],
    [
      'nothing paid yet',
      () => checkExtension(book, policy, { days: 10 }, { ...ok, paidInstallments: 0 }),
      'loan',
      'extension_min_paid',
      /at least 1 installment paid/,
    ],
    [
      'nothing due',
      () => checkExtension(settled, policy, { days: 10 }, ok),
      'loan',
      'extension_nothing_due',
      /nothing is left to pay/,
    ],
  ])('refuses %s, naming its rule', (_, fn, field, code, message) => {
    const e = refusal(fn);
    expect({ field: e.field, code: e.code }).toEqual({ field, code });
    expect(e.message).toMatch(message);
  });

  test('a limit of more than one reads in the plural', () => {
    const e = refusal(() =>
      checkExtension(book, { ...policy, maxCount: 2 }, { days: 5 }, { ...ok, used: 2 }),
    );
    expect(e.message).toBe('only 2 extensions are allowed per loan');
  });
});

describe('extendBook', () => {
  test('moves the unpaid schedule, charges 1% of the principal outstanding, books it at once', () => {
    const l = afterOnePaid();
    const { book } = l;
    const today = '2026-02-20';
    const r = extendBook(book, policy, { extensionId: 'ext1', days: 30 }, today);
    const outstanding = book.installments.reduce((s, i) => s + i.principal - i.paid.principal, 0);
    // 1% of the outstanding principal, rounded half-up once.
    expect(r.result.fee).toBe(Math.round(outstanding / 100));
    expect(r.result.dueDates).toEqual(
      book.installments.slice(1).map((i) => ({ seq: i.seq, from: i.dueDate, to: addDays(i.dueDate, 30) })),
    );
    const [paid, next, ...rest] = r.book.installments;
    expect(paid).toEqual(book.installments[0]);
    const was = book.installments[1]!;
    expect(next).toEqual({
      ...was,
      dueDate: addDays(was.dueDate, 30),
      fees: was.fees + r.result.fee,
      total: was.total + r.result.fee,
      accrued: { ...was.accrued, fees: was.accrued.fees + r.result.fee },
    });
    rest.forEach((i, k) => {
      const before = book.installments[k + 2]!;
      expect(i).toEqual({ ...before, dueDate: addDays(before.dueDate, 30) });
    });
    // Interest stays as scheduled: the fee is the price of the extra time.
    expect(r.book.installments.map((i) => i.interest)).toEqual(book.installments.map((i) => i.interest));

    expect(r.entries).toHaveLength(1);
    const entry = r.entries[0]!;
    assertBalanced(entry);
    expect(entry).toMatchObject({
      sourceEventId: 'ln_x:extension:ext1',
      kind: 'accrual',
      effectiveDate: today,
    });
    expect(entry.lines).toEqual([
      { account: 'fee_receivable', debit: r.result.fee, credit: 0 },
      { account: 'fee_income', debit: 0, credit: r.result.fee },
    ]);
    l.apply(r);
    l.reconcile();
  });

  test('the fee is exact to the cent, half-up', () => {
    const { book } = afterOnePaid();
    const outstanding = book.installments.reduce((s, i) => s + i.principal - i.paid.principal, 0);
    const r = extendBook(
      book,
      { ...policy, fee: { rate: '0.0125' } },
      { extensionId: 'e', days: 7 },
      ok.today,
    );
    const exact = (outstanding * 125) / 10_000;
    expect(r.result.fee).toBe(Math.floor(exact) + (exact % 1 >= 0.5 ? 1 : 0));
  });

  test('a fixed fee of zero books nothing; bad days are refused here too', () => {
    const { book } = afterOnePaid();
    const r = extendBook(book, { ...policy, fee: { amount: 0 } }, { extensionId: 'e', days: 10 }, ok.today);
    expect(r.entries).toEqual([]);
    expect(r.book.installments[1]!.fees).toBe(book.installments[1]!.fees);
    expect(refusal(() => extendBook(book, policy, { extensionId: 'e', days: 45 }, ok.today)).code).toBe(
      'extension_days',
    );
  });
});

describe('extensionStep', () => {
  test('a granted request is answered again, one meeting a payout still out waits, any other is checked', () => {
    expect(extensionStep('disbursing', true)).toBe('replay');
    expect(extensionStep('active', true)).toBe('replay');
    expect(extensionStep('disbursing', false)).toBe('wait');
    for (const status of ['active', 'delinquent', 'closed', 'written_off', 'disbursement_failed'] as const)
      expect(extensionStep(status, false)).toBe('check');
  });
});
