import { D } from '../../domain/money';
import { priceForGrade } from '../../domain/pricing';
import { getProduct, GRADES, PRODUCTS, type Product } from '../../domain/products';
import { expectDomainError } from './_a-helpers';

describe('priceForGrade', () => {
  it('is base rate plus the grade spread', () => {
    const p = getProduct('cash-installment');
    for (const g of GRADES) {
      expect(new D(priceForGrade(p, g)).equals(new D(p.baseRate).plus(p.gradeSpreads[g]))).toBe(true);
    }
    expect(priceForGrade(p, 'A')).toBe('0.072');
  });

  it('never decreases from grade A to E', () => {
    for (const p of PRODUCTS) {
      const rates = GRADES.map((g) => Number(priceForGrade(p, g)));
      expect([...rates].sort((a, b) => a - b)).toEqual(rates);
    }
  });

  it('caps the rate at the product APR cap, or at its lower rate cap', () => {
    const steep: Product = {
      ...getProduct('cash-installment'),
      baseRate: '0.30',
      gradeSpreads: { A: '0', B: '0.05', C: '0.1', D: '0.2', E: '0.3' },
    };
    expect(GRADES.map((g) => priceForGrade(steep, g))).toEqual(['0.3', '0.35', '0.36', '0.36', '0.36']);
    const flat: Product = {
      ...getProduct('card-repayment'),
      baseRate: '0.12',
      gradeSpreads: { A: '0', B: '0.02', C: '0.04', D: '0.06', E: '0.08' },
    };
    expect(priceForGrade(flat, 'E')).toBe(flat.rateCap);
  });

  it('refuses an unknown grade', () => {
    expectDomainError(() => priceForGrade(getProduct('cash-installment'), 'F' as 'A'), 'grade');
  });
});
