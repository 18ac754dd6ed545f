import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getProduct, GRADES, PRODUCTS } from '../../domain/products';
import { quote, quoteForProduct, type QuoteInput } from '../../domain/quote';
import { checkSchedule, expectDomainError, quoteInput } from './_a-helpers';

const mortgage: QuoteInput = {
  amount: 100_000_000,
  annualRate: '0.049',
  termCount: 360,
  method: 'annuity',
  startDate: '2026-01-15',
};

describe('quote', () => {
  it('1,000,000.00 at 4.9% over 360 months: 5,307.27 a month, APR 4.9%', () => {
    const q = quote(mortgage);
    expect(q.installments.slice(0, 359).every((i) => i.total === 530_727)).toBe(true);
    expect(q).toMatchObject({
      currency: 'CNY',
      amount: 100_000_000,
      principal: 100_000_000,
      netDisbursed: 100_000_000,
      method: 'annuity',
      period: 'P1M',
      dayCount: 'ACT/360',
      annualRate: '0.049',
    });
    expect(q.apr.nominal).toBe('0.049000');
    expect(q.totals.principal).toBe(100_000_000);
    expect(q.totals.total).toBe(q.installments.reduce((s, i) => s + i.total, 0));
  });

  it('flat 12,000.00 at 0.6% a month over 12: 1,072.00 a month, nominal APR ≈ 13.03%', () => {
    const q = quote({
      amount: 1_200_000,
      annualRate: '0.072',
      termCount: 12,
      method: 'flat',
      startDate: '2026-01-31',
    });
    expect(q.installments.map((i) => i.total)).toEqual(new Array(12).fill(107_200));
    expect(Math.abs(Number(q.apr.nominal) - 0.1303)).toBeLessThanOrEqual(0.0001);
    expect(Number(q.apr.effective)).toBeGreaterThan(Number(q.apr.nominal));
    expect(q.totals).toEqual({
      principal: 1_200_000,
      interest: 86_400,
      fees: 0,
      total: 1_286_400,
      costOfCredit: 86_400,
    });
  });

  it('holds the schedule invariants and adds its totals up, for every method, period and broken first period', () => {
    fc.assert(
      fc.property(quoteInput, (input) => {
        const q = quote(input);
        checkSchedule(q.installments, q.principal);
        const sum = (k: 'principal' | 'interest' | 'fees' | 'total') =>
          q.installments.reduce((s, i) => s + i[k], 0);
        expect(q.totals.principal).toBe(sum('principal'));
        expect(q.totals.interest).toBe(sum('interest'));
        expect(q.totals.fees).toBe(sum('fees'));
        expect(q.totals.total).toBe(sum('total'));
        expect(q.apr.nominal).toMatch(/^\d+\.\d{6}$/);
        expect(q.apr.effective).toMatch(/^\d+\.\d{6}$/);
        if (input.annualRate === '0' || q.totals.interest === 0) expect(q.apr.nominal).toBe('0.000000');
        expect(JSON.parse(JSON.stringify(q))).toEqual(q);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic and leaves its input alone', () => {
    const input = Object.freeze({
      ...mortgage,
      fees: Object.freeze({ origination: Object.freeze({ rate: '0.01' }) }),
    });
    expect(quote(input)).toEqual(quote(input));
  });

  it('starts on 29 February and keeps month ends', () => {
    const q = quote({ ...mortgage, termCount: 12, startDate: '2024-02-29' });
    expect([q.installments[0]!.dueDate, q.installments[11]!.dueDate]).toEqual(['2024-03-29', '2025-02-28']);
    const e = quote({ ...mortgage, termCount: 3, startDate: '2026-01-31', dayCount: '30/360' });
    expect(e.installments.map((i) => i.dueDate)).toEqual(['2026-02-28', '2026-03-31', '2026-04-30']);
  });

  it('lends 0.01 and prices it', () => {
    const q = quote({ ...mortgage, amount: 1, termCount: 12, annualRate: '0.12' });
    checkSchedule(q.installments, 1);
    expect(q.totals.principal).toBe(1);
  });
});

describe('fees', () => {
  const loan: QuoteInput = {
    amount: 1_000_000,
    annualRate: '0.12',
    termCount: 12,
    method: 'annuity',
    startDate: '2026-01-15',
  };

  it('deducts an origination fee from the disbursement and counts it in fees and APR', () => {
    const plain = quote(loan);
    const q = quote({ ...loan, fees: { origination: { rate: '0.02' } } });
    expect(q.netDisbursed).toBe(980_000);
    expect(q.principal).toBe(1_000_000);
    expect(q.installments).toEqual(plain.installments);
    expect(q.totals.fees).toBe(20_000);
    expect(q.totals.costOfCredit).toBe(plain.totals.interest + 20_000);
    expect(Number(q.apr.nominal)).toBeGreaterThan(Number(plain.apr.nominal) + 0.03);
  });

  it('finances an origination fee into principal', () => {
    const q = quote({ ...loan, fees: { origination: { amount: 10_000, mode: 'financed' } } });
    expect(q.principal).toBe(1_010_000);
    expect(q.netDisbursed).toBe(1_000_000);
    checkSchedule(q.installments, 1_010_000);
    expect(q.totals.costOfCredit).toBe(q.totals.total - 1_000_000);
    expect(Number(q.apr.nominal)).toBeGreaterThan(0.12);
  });

  it('carries a per-period service fee on every installment and into the APR', () => {
    const q = quote({ ...loan, fees: { servicePerPeriod: { rate: '0.001' } } });
    expect(q.installments.every((i) => i.fees === 1_000)).toBe(true);
    expect(q.totals.fees).toBe(12_000);
    expect(Number(q.apr.nominal)).toBeGreaterThan(0.12 + 0.02);
  });

  it('names the fee field that is wrong', () => {
    expectDomainError(
      () => quote({ ...loan, fees: { origination: { amount: 1, rate: '0.01' } } }),
      'fees.origination',
    );
    expectDomainError(() => quote({ ...loan, fees: { origination: {} } }), 'fees.origination');
    expectDomainError(
      () => quote({ ...loan, fees: { origination: { amount: -5 } } }),
      'fees.origination.amount',
    );
    expectDomainError(
      () => quote({ ...loan, fees: { origination: { rate: 'x' } } }),
      'fees.origination.rate',
    );
    expectDomainError(
      () => quote({ ...loan, fees: { origination: { amount: 1_000_000 } } }),
      'fees.origination',
    );
    expectDomainError(
      () => quote({ ...loan, fees: { origination: { amount: 1, mode: 'later' as 'financed' } } }),
      'fees.origination.mode',
    );
    expectDomainError(
      () => quote({ ...loan, fees: { servicePerPeriod: { rate: '-1' } } }),
      'fees.servicePerPeriod.rate',
    );
    expectDomainError(() => quote({ ...loan, fees: { late: { amount: 0.5 } } }), 'fees.late.amount');
  });
});

describe('APR cap', () => {
  const interestOnly: QuoteInput = {
    amount: 1_000_000,
    annualRate: '0.36',
    termCount: 12,
    method: 'interest-only',
    startDate: '2026-01-15',
  };

  it('accepts an APR exactly at the cap', () => {
    const q = quote(interestOnly);
    expect(q.installments[0]!.interest).toBe(30_000);
    expect(q.apr.nominal).toBe('0.360000');
  });

  it('refuses an APR just over the cap, naming apr and the figure', () => {
    const e = expectDomainError(() => quote({ ...interestOnly, annualRate: '0.360012' }), 'apr');
    expect(e.message).toContain('0.360012');
    expect(e.message).toContain('0.36');
  });

  it('counts fees against the cap', () => {
    expect(() => quote({ ...interestOnly, annualRate: '0.30' })).not.toThrow();
    expectDomainError(
      () => quote({ ...interestOnly, annualRate: '0.30', fees: { origination: { rate: '0.1' } } }),
      'apr',
    );
  });

  it('takes a product cap', () => {
    expectDomainError(() => quote({ ...interestOnly, aprCap: '0.24' }), 'apr', /0\.360000/);
    expect(quote({ ...interestOnly, annualRate: '0.48', aprCap: '0.48' }).apr.nominal).toBe('0.480000');
  });
});

describe('validation names the field', () => {
  it.each([
    [{ amount: 0 }, 'amount'],
    [{ amount: -1 }, 'amount'],
    [{ amount: 10.5 }, 'amount'],
    [{ amount: Number.NaN }, 'amount'],
    [{ amount: undefined }, 'amount'],
    [{ termCount: 0 }, 'termCount'],
    [{ termCount: -3 }, 'termCount'],
    [{ annualRate: 'abc' }, 'annualRate'],
    [{ annualRate: '' }, 'annualRate'],
    [{ method: 'balloon' }, 'method'],
    [{ startDate: '15/01/2026' }, 'startDate'],
    [{ dayCount: 'ACT/ACT' }, 'dayCount'],
    [{ period: 'monthly' }, 'period'],
    [{ firstDueDate: '2026-01-01' }, 'firstDueDate'],
    [{ currency: 'JPY' }, 'currency'],
    [{ aprCap: 'abc' }, 'aprCap'],
    [{ annualRate: '0.37' }, 'apr'],
    [{ amount: 1e14, annualRate: '10', termCount: 1200, method: 'bullet', aprCap: '10' }, 'amount'],
  ])('%p → %s', (patch, field) => {
    expectDomainError(() => quote({ ...mortgage, ...(patch as object) } as QuoteInput), field);
  });

  it('refuses a non-object', () => {
    expectDomainError(() => quote(null as unknown as QuoteInput), 'input');
  });
});

describe('quoteForProduct', () => {
  const schedulable = PRODUCTS.filter((p) => p.method !== 'revolving');

  it.each(schedulable.map((p) => p.code))(
    '%s: the largest amount at the longest term and the worst grade stays within the cap',
    (code) => {
      const p = getProduct(code);
      const term = Math.max(...p.terms);
      const q = quoteForProduct(p, {
        amount: p.maxAmount,
        termCount: term,
        grade: 'E',
        startDate: '2026-01-31',
      });
      checkSchedule(q.installments, q.principal);
      expect(q.amount).toBe(p.maxAmount);
      expect(Number(q.apr.nominal)).toBeLessThanOrEqual(Number(p.aprCap));
    },
  );

  it('every product, term and grade quotes at the smallest amount within the cap', () => {
    for (const p of schedulable) {
      for (const termCount of p.terms) {
        for (const grade of GRADES) {
          const q = quoteForProduct(p.code, {
            amount: p.minAmount,
            termCount,
            grade,
            startDate: '2026-02-28',
          });
          expect(q.method).toBe(p.method);
          expect(Number(q.apr.nominal)).toBeLessThanOrEqual(Number(p.aprCap));
        }
      }
    }
  });

  it('refuses what the product does not offer', () => {
    const p = getProduct('cash-installment');
    const ok = { amount: p.minAmount, termCount: 12, grade: 'A' as const, startDate: '2026-01-15' };
    expectDomainError(() => quoteForProduct(p, { ...ok, amount: p.maxAmount + 1 }), 'amount', /between/);
    expectDomainError(() => quoteForProduct(p, { ...ok, amount: p.minAmount - 1 }), 'amount');
    expectDomainError(() => quoteForProduct(p, { ...ok, termCount: 5 }), 'termCount', /3, 6, 12, 24/);
    expectDomainError(() => quoteForProduct(p, { ...ok, grade: 'F' as 'A' }), 'grade');
    expectDomainError(() => quoteForProduct('revolving', ok), 'productCode', /revolving/);
    expectDomainError(() => quoteForProduct('mortgage' as 'revolving', ok), 'productCode');
  });
});

describe('purity and speed', () => {
  const mine = [
    'daycount',
    'calendar',
    'schedule',
    'fees',
    'apr',
    'pricing',
    'payoff',
    'prepayment',
    'quote',
    'products',
  ];

  it.each(mine)('domain/%s.ts has no clock, randomness or I/O', (name) => {
    const code = readFileSync(join(__dirname, '../../domain', `${name}.ts`), 'utf8');
    expect(code).not.toMatch(
      /Date\.now|new Date\(\s*\)|Math\.random|process\.|require\(|from '(node:|fs|path|pg|express|@temporalio)/,
    );
  });

  it('quotes a 360-installment annuity in milliseconds, not tens of them (the bench measures it properly)', () => {
    for (let i = 0; i < 50; i++) quote({ ...mortgage, amount: mortgage.amount + i });
    const start = performance.now();
    for (let i = 0; i < 500; i++) quote({ ...mortgage, amount: mortgage.amount + i });
    expect((performance.now() - start) / 500).toBeLessThan(5);
  });
});
