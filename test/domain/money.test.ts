import { D, formatMoney, parseRate, MAX_RATE } from '../../domain/money';
import { quote } from '../../domain/quote';
import { expectDomainError } from '../support/domain-error';

describe('parseRate bounds the text before decimal.js sees it', () => {
  it.each(['0.049', '0', '10', '0.000000000001', ' 0.12 ', '4.9e-2'])('takes %p', (text) => {
    expect(parseRate(text, 'rate').equals(new D(text.trim()))).toBe(true);
  });

  it('takes the long decimals the domain derives itself (an annual rate over 365 days)', () => {
    const daily = new D('0.18').dividedBy(365).toString();
    expect(parseRate(daily, 'dailyRate').toString()).toBe(daily);
  });

  it.each([
    '1e-99999999',
    '1e-3000000',
    '1e999',
    '0.1e-100',
    `0.${'1'.repeat(61)}`,
    '1'.repeat(4),
    '-0.1',
    'abc',
    '',
    'Infinity',
    'NaN',
    '0x10',
    '1_000',
  ])('refuses %p at once, naming the field', (text) => {
    const started = performance.now();
    expectDomainError(() => parseRate(text, 'annualRate'), 'annualRate');
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('refuses a rate over its maximum, MAX_RATE by default', () => {
    expectDomainError(() => parseRate('10.000000000001', 'rate'), 'rate');
    expectDomainError(() => parseRate('0.5', 'rate', 0.36), 'rate');
    expect(parseRate(String(MAX_RATE), 'rate').toNumber()).toBe(MAX_RATE);
  });

  it('takes finite non-negative numbers and refuses the rest', () => {
    expect(parseRate(0.049, 'rate').toString()).toBe('0.049');
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, -0.01, 11])
      expectDomainError(() => parseRate(bad, 'rate'), 'rate');
  });

  it('refuses what is not text or a number instead of throwing a TypeError', () => {
    expectDomainError(() => parseRate(undefined as unknown as string, 'rate'), 'rate');
    expectDomainError(() => parseRate({} as unknown as string, 'rate'), 'rate');
  });
});

describe('quote refuses unbounded rates quickly', () => {
  const input = {
    amount: 1_000_000,
    annualRate: '0.12',
    termCount: 12,
    method: 'annuity' as const,
    startDate: '2026-01-15',
  };

  it.each([
    [{ annualRate: '1e-99999999' }, 'annualRate'],
    [{ fees: { origination: { rate: '1e-99999999' } } }, 'fees.origination.rate'],
    [{ aprCap: '1e-99999999' }, 'aprCap'],
  ])('%p → %s', (patch, field) => {
    const started = performance.now();
    expectDomainError(() => quote({ ...input, ...patch }), field);
    expect(performance.now() - started).toBeLessThan(100);
  });
});

test('formatMoney is the one way an amount reads in summaries: major units and the currency', () => {
  expect(formatMoney({ amount: 530727, currency: 'CNY' })).toBe('5307.27 CNY');
  expect(formatMoney({ amount: 5, currency: 'CNY' })).toBe('0.05 CNY');
  expect(formatMoney({ amount: 0, currency: 'CNY' })).toBe('0.00 CNY');
});
