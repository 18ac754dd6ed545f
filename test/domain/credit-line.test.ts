import {
  applyLineControl,
  availableOf,
  checkDrawdown,
  checkPayoutCard,
  holdOnStanding,
  lineExpiry,
  renewalCap,
  renewalLimit,
  lineAtExpiry,
  drawdownCards,
} from '../../domain/credit-line';
import { DomainError } from '../../domain/errors';
import { getProduct, offeredProduct } from '../../domain/products';

const cny = (amount: number) => ({ amount, currency: 'CNY' as const });
const active = {
  status: 'active' as const,
  limit: cny(5_000_000),
  available: cny(3_000_000),
  expiresOn: '2027-11-22',
};
const product = getProduct('cash-installment');
const ask = { amount: cny(1_000_000), termMonths: 12, purpose: 'home repair' };

const fieldOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err.field;
    throw err;
  }
  return null;
};

test('a drawdown inside the available limit and the product terms is allowed', () => {
  expect(fieldOf(() => checkDrawdown(active, product, ask, '2026-11-22'))).toBeNull();
  expect(
    fieldOf(() => checkDrawdown(active, product, { ...ask, amount: cny(3_000_000) }, '2027-11-22')),
  ).toBeNull();
});

test.each([
  ['over the available limit', { amount: cny(3_000_001) }, 'amount.amount'],
  ['a term the product does not offer', { termMonths: 7 }, 'termMonths'],
  ['another repayment method', { method: 'bullet' }, 'method'],
  ['no purpose', { purpose: '  ' }, 'purpose'],
  ['another currency', { amount: { amount: 1_000, currency: 'USD' as const } }, 'amount.currency'],
  ['below the product minimum', { amount: cny(1) }, 'amount.amount'],
])('refuses %s, naming the field', (_name, patch, field) => {
  expect(fieldOf(() => checkDrawdown(active, product, { ...ask, ...patch }, '2026-11-22'))).toBe(field);
});

test('a frozen, closed or expired line takes no drawdown', () => {
  expect(fieldOf(() => checkDrawdown({ ...active, status: 'frozen' }, product, ask, '2026-11-22'))).toBe(
    'creditLine',
  );
  expect(fieldOf(() => checkDrawdown({ ...active, status: 'closed' }, product, ask, '2026-11-22'))).toBe(
    'creditLine',
  );
  expect(fieldOf(() => checkDrawdown(active, product, ask, '2027-11-23'))).toBe('creditLine');
});

test('line controls follow their allowed transitions and keep the drawn balance', () => {
  const frozen = applyLineControl(active, { action: 'freeze', reason: 'fraud alert' });
  expect(frozen.status).toBe('frozen');
  expect(() => applyLineControl(frozen, { action: 'freeze', reason: 'again' })).toThrow(
    /only an active line/,
  );
  expect(applyLineControl(frozen, { action: 'unfreeze', reason: 'cleared' }).status).toBe('active');
  // 2,000,000 is drawn: the limit may not go below it, and the line may not close.
  expect(() =>
    applyLineControl(active, { action: 'change_limit', reason: 'r', limit: cny(1_999_999) }),
  ).toThrow(/drawn balance/);
  expect(
    applyLineControl(active, { action: 'change_limit', reason: 'r', limit: cny(2_500_000) }).available,
  ).toEqual(cny(500_000));
  expect(() => applyLineControl(active, { action: 'close', reason: 'r' })).toThrow(/outstanding/);
  expect(() => applyLineControl(active, { action: 'freeze', reason: ' ' })).toThrow(/reason/);
});

test('available is the limit less the holds of loans not yet released, and nothing on a closed line', () => {
  const loans = [
    { amount: cny(1_000_000), released: false },
    { amount: cny(700_000), released: true, reason: 'settled' as const, clean: true },
    { amount: cny(500_000), released: false },
  ];
  expect(availableOf('active', cny(5_000_000), loans)).toEqual(cny(3_500_000));
  expect(availableOf('frozen', cny(5_000_000), loans)).toEqual(cny(3_500_000));
  expect(availableOf('active', cny(5_000_000), [])).toEqual(cny(5_000_000));
  expect(availableOf('closed', cny(5_000_000), [])).toEqual(cny(0));
  // A limit lowered to exactly what is held leaves nothing to draw, never a negative figure from a stale balance.
  expect(availableOf('active', cny(1_500_000), loans)).toEqual(cny(0));
});

describe('hold on loan standing', () => {
  test('the first late loan freezes an active line, the last cure releases it, repeats change nothing', () => {
    const held = holdOnStanding({ status: 'active', heldBy: [] }, 'ln_a', true);
    expect(held).toEqual({
      status: 'frozen',
      heldBy: ['ln_a'],
      reason: { code: 'LINE_HELD_DELINQUENT', message: 'loan ln_a is past due' },
    });
    const twice = holdOnStanding({ status: 'frozen', heldBy: ['ln_a', 'ln_b'] }, 'ln_a', true);
    expect(twice).toEqual({ status: 'frozen', heldBy: ['ln_a', 'ln_b'], reason: null });
    const one = holdOnStanding({ status: 'frozen', heldBy: ['ln_a', 'ln_b'] }, 'ln_a', false);
    expect(one).toEqual({ status: 'frozen', heldBy: ['ln_b'], reason: null });
    expect(holdOnStanding({ status: 'frozen', heldBy: ['ln_b'] }, 'ln_b', false)).toEqual({
      status: 'active',
      heldBy: [],
      reason: { code: 'LINE_RELEASED_CURED', message: 'no loan on the line is past due' },
    });
  });

  test('a closed line stays closed, and an operator cannot unfreeze a held line', () => {
    expect(holdOnStanding({ status: 'closed', heldBy: [] }, 'ln_a', true)).toEqual({
      status: 'closed',
      heldBy: ['ln_a'],
      reason: null,
    });
    const frozen = { ...active, status: 'frozen' as const, heldBy: ['ln_a'] };
    expect(() => applyLineControl(frozen, { action: 'unfreeze', reason: 'cleared' })).toThrow(
      expect.objectContaining({ field: 'action', code: 'line_held' }),
    );
    expect(
      applyLineControl({ ...frozen, heldBy: [] }, { action: 'unfreeze', reason: 'cleared' }).status,
    ).toBe('active');
  });
});

test('a line is valid for twelve months, month-end aware', () => {
  expect(lineExpiry('2026-11-22')).toBe('2027-11-22');
  expect(lineExpiry('2028-02-29')).toBe('2029-02-28');
});

describe('renewal', () => {
  test("the cap is the grade's ceiling in the credit policy, within the product's maximum", () => {
    const cash = getProduct('cash-installment');
    expect(renewalCap(cash, 'A')).toBe(50_000_000); // grade A's 500,000.00, under the product's 1,000,000.00
    expect(renewalCap(cash, 'D')).toBe(3_000_000);
    expect(renewalCap(cash, 'E')).toBe(0);
  });

  const limit = cny(2_000_000);
  test('a line whose loans all settled on time renews 20% higher, in whole hundreds, under the cap', () => {
    expect(renewalLimit(limit, [{ released: true, reason: 'settled', clean: true }], 10_000_000)).toEqual(
      cny(2_400_000),
    );
    expect(
      renewalLimit(cny(1_234_567), [{ released: true, reason: 'settled', clean: true }], 10_000_000),
    ).toEqual(cny(1_480_000));
    expect(renewalLimit(limit, [{ released: true, reason: 'settled', clean: true }], 2_100_000)).toEqual(
      cny(2_100_000),
    );
  });
  test('an unused line, a late loan, an open loan or a write-off closes instead', () => {
    expect(renewalLimit(limit, [], 10_000_000)).toBeNull();
    expect(renewalLimit(limit, [{ released: true, reason: 'disbursement_failed' }], 10_000_000)).toBeNull();
    expect(renewalLimit(limit, [{ released: true, reason: 'settled', clean: false }], 10_000_000)).toBeNull();
    expect(renewalLimit(limit, [{ released: false }], 10_000_000)).toBeNull();
    expect(
      renewalLimit(limit, [{ released: true, reason: 'written_off', clean: false }], 10_000_000),
    ).toBeNull();
  });
});

describe('payout card', () => {
  const verified = ['6222020200112233446'];
  test('the verified card, or none named (the verified one is used), is paid', () => {
    expect(fieldOf(() => checkPayoutCard(verified, verified[0]))).toBeNull();
    expect(fieldOf(() => checkPayoutCard(verified, undefined))).toBeNull();
  });
  test('any other card is refused until it is verified, naming only its last four digits', () => {
    const other = '6222020200112234003';
    expect(() => checkPayoutCard(verified, other)).toThrow(
      expect.objectContaining({
        field: 'bankCard',
        code: 'card_not_verified',
        message: expect.stringMatching(/4003/),
      }),
    );
    expect(() => checkPayoutCard(verified, other)).not.toThrow(/622202020011/);
    expect(fieldOf(() => checkPayoutCard([...verified, other], other))).toBeNull();
  });
});

describe('products not on sale', () => {
  test('a revolving line cannot be applied for, nor drawn on if one was granted before', () => {
    expect(() => offeredProduct('revolving')).toThrow(
      expect.objectContaining({ code: 'product_not_offered' }),
    );
    expect(offeredProduct('cash-installment').code).toBe('cash-installment');
    const revolving = getProduct('revolving');
    expect(() => checkDrawdown(active, revolving, { ...ask, amount: cny(100_000) }, '2026-11-22')).toThrow(
      expect.objectContaining({ field: 'creditLine', code: 'product_not_offered' }),
    );
  });
});

describe('lineAtExpiry', () => {
  const repaid = [{ released: true, reason: 'settled' as const, clean: true }];
  test('an active line repaid on time renews from today for another term, with the raised limit', () => {
    const at = lineAtExpiry(active, repaid, 10_000_000, '2027-11-23');
    expect(at).toMatchObject({
      status: 'active',
      limit: cny(6_000_000),
      expiresOn: lineExpiry('2027-11-23'),
    });
    expect(at.reason.code).toBe('LINE_RENEWED');
  });
  test('a frozen line, an unused one or one with a late loan closes', () => {
    const late = [{ released: true, reason: 'settled' as const, clean: false }];
    for (const [line, loans] of [
      [{ ...active, status: 'frozen' as const }, repaid],
      [active, []],
      [active, late],
    ] as const) {
      const at = lineAtExpiry(line, [...loans], 10_000_000, '2027-11-23');
      expect(at).toEqual({
        status: 'closed',
        reason: { code: 'LINE_EXPIRED', message: 'The line expired after 2027-11-22.' },
      });
    }
  });
});

describe('drawdownCards', () => {
  test("a card-bill loan pays the issuer's card and collects from the card verified at application", () => {
    expect(drawdownCards({ disburseTo: 'card-issuer' }, '6222000011112222', '4111000022223333')).toEqual({
      payee: { kind: 'card-issuer', bankCard: '4111000022223333' },
      repaymentCard: '6222000011112222',
    });
  });
  test('a cash loan pays and collects from the card named, or the application card', () => {
    expect(drawdownCards({ disburseTo: 'borrower' }, '6222000011112222', '6222000099998888')).toEqual({
      payee: { kind: 'borrower', bankCard: '6222000099998888' },
      repaymentCard: '6222000099998888',
    });
    expect(drawdownCards({ disburseTo: 'borrower' }, '6222000011112222', undefined).repaymentCard).toBe(
      '6222000011112222',
    );
  });
});
