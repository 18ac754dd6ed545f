import { DAY_COUNTS } from '../../domain/daycount';
import { resolveFees } from '../../domain/fees';
import { D } from '../../domain/money';
import { DEFAULT_ALLOCATION_ORDER, getProduct, GRADES, PRODUCTS } from '../../domain/products';
import { METHODS } from '../../domain/schedule';
import { parsePeriod } from '../../domain/calendar';
import { expectDomainError } from './_a-helpers';

describe('sample products (docs/design.md, "Products")', () => {
  it('has the five codes with their kinds and methods', () => {
    expect(PRODUCTS.map((p) => [p.code, p.method])).toEqual([
      ['cash-installment', 'annuity'],
      ['cash-equal-principal', 'equal-principal'],
      ['revolving', 'revolving'],
      ['card-repayment', 'flat'],
      ['bill-installment', 'flat'],
    ]);
    expect(getProduct('cash-installment').terms).toEqual([3, 6, 12, 24]);
    expect(getProduct('cash-equal-principal').terms).toEqual([6, 12, 24, 36]);
    expect(getProduct('card-repayment').terms).toEqual([3, 6, 12]);
    expect(getProduct('bill-installment').terms).toEqual([3, 6, 12]);
    expect(getProduct('revolving').terms).toEqual([]);
    expect(getProduct('card-repayment').disburseTo).toBe('card-issuer');
  });

  it.each(PRODUCTS.map((p) => p.code))('%s is well-formed plain data', (code) => {
    const p = getProduct(code);
    expect(JSON.parse(JSON.stringify(p))).toEqual(p);
    expect(p.currency).toBe('CNY');
    expect(p.aprCap).toBe('0.36');
    expect(p.graceDays).toBe(3);
    expect(DAY_COUNTS).toContain(p.dayCount);
    expect(DAY_COUNTS).toContain(p.penaltyDayCount);
    expect([...METHODS, 'revolving']).toContain(p.method);
    expect(() => parsePeriod(p.period)).not.toThrow();
    expect(Number.isSafeInteger(p.minAmount) && p.minAmount > 0 && p.maxAmount > p.minAmount).toBe(true);
    expect(Object.keys(p.gradeSpreads).sort()).toEqual([...GRADES]);
    for (const r of [p.baseRate, p.penaltyRate, p.riskReserveRate, ...Object.values(p.gradeSpreads)])
      expect(new D(r).gte(0)).toBe(true);
    expect(new D(p.riskReserveRate).toNumber()).toBeGreaterThanOrEqual(0.02);
    expect([...p.allocationOrder].sort()).toEqual([...DEFAULT_ALLOCATION_ORDER].sort());
    expect(() => resolveFees(p.fees, p.maxAmount)).not.toThrow();
    if (p.method === 'revolving') expect(p.revolving).toBeDefined();
  });

  it('is frozen, so no caller can change a product for everyone else', () => {
    const p = getProduct('cash-installment');
    expect(() => (p.terms as number[]).push(36)).toThrow(TypeError);
    expect(() => ((p as { baseRate: string }).baseRate = '0.5')).toThrow(TypeError);
    expect(getProduct('cash-installment').terms).toEqual([3, 6, 12, 24]);
  });

  it('refuses an unknown code naming productCode', () => {
    expectDomainError(() => getProduct('mortgage'), 'productCode', /cash-installment/);
    expectDomainError(() => getProduct(undefined), 'productCode');
  });
});
