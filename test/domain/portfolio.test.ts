import fc from 'fast-check';
import {
  bucketDistribution,
  coincidentalDelinquency,
  laggedDelinquency,
  type LoanPosition,
  rollRates,
  vintage,
} from '../../domain/portfolio';
import { expectDomainError } from '../support/domain-error';

// A month-end snapshot and the one before it. Balances in minor units.
const march: LoanPosition[] = [
  {
    loanId: 'L1',
    outstandingPrincipal: 100_000,
    dpd: 0,
    disbursedMonth: '2024-01',
    disbursedPrincipal: 120_000,
  },
  {
    loanId: 'L2',
    outstandingPrincipal: 50_000,
    dpd: 10,
    disbursedMonth: '2024-01',
    disbursedPrincipal: 60_000,
  },
  {
    loanId: 'L3',
    outstandingPrincipal: 30_000,
    dpd: 45,
    disbursedMonth: '2023-12',
    disbursedPrincipal: 40_000,
  },
  {
    loanId: 'L4',
    outstandingPrincipal: 20_000,
    bucket: 'M4',
    disbursedMonth: '2023-12',
    disbursedPrincipal: 25_000,
  },
  {
    loanId: 'L5',
    outstandingPrincipal: 200_000,
    dpd: 0,
    disbursedMonth: '2024-02',
    disbursedPrincipal: 200_000,
  },
  {
    loanId: 'L6',
    outstandingPrincipal: 40_000,
    dpd: 200,
    disbursedMonth: '2023-11',
    disbursedPrincipal: 50_000,
    writtenOff: true,
  },
];
const february: LoanPosition[] = [
  { loanId: 'L1', outstandingPrincipal: 110_000, dpd: 0, disbursedMonth: '2024-01' },
  { loanId: 'L2', outstandingPrincipal: 55_000, dpd: 0, disbursedMonth: '2024-01' },
  { loanId: 'L3', outstandingPrincipal: 32_000, dpd: 20, disbursedMonth: '2023-12' },
  { loanId: 'L4', outstandingPrincipal: 21_000, dpd: 70, disbursedMonth: '2023-12' },
  { loanId: 'L6', outstandingPrincipal: 40_000, dpd: 170, disbursedMonth: '2023-11' },
  { loanId: 'L7', outstandingPrincipal: 10_000, dpd: 5, disbursedMonth: '2023-10' }, // repaid by March
];

describe('bucket distribution', () => {
  it('counts loans and balances per bucket, written-off loans on their own line', () => {
    const d = bucketDistribution(march);
    expect(d.receivables).toBe(400_000);
    expect(d.count).toBe(5);
    expect(d.writtenOff).toEqual({ count: 1, balance: 40_000 });
    const by = Object.fromEntries(d.buckets.map((b) => [b.bucket, b]));
    expect(by.M0).toEqual({
      bucket: 'M0',
      count: 2,
      balance: 300_000,
      countShare: '0.400000',
      balanceShare: '0.750000',
    });
    expect(by.M1).toMatchObject({ count: 1, balance: 50_000, balanceShare: '0.125000' });
    expect(by.M2).toMatchObject({ count: 1, balance: 30_000, balanceShare: '0.075000' });
    expect(by.M4).toMatchObject({ count: 1, balance: 20_000, balanceShare: '0.050000' });
    expect(by['M7+']).toMatchObject({ count: 0, balance: 0, balanceShare: '0.000000' });
  });

  it('adds up to the receivables for any book', () => {
    const book = fc.array(
      fc.record({
        outstandingPrincipal: fc.integer({ min: 0, max: 10_000_000 }),
        dpd: fc.integer({ min: 0, max: 400 }),
        writtenOff: fc.boolean(),
      }),
      { maxLength: 40 },
    );
    fc.assert(
      fc.property(book, (rows) => {
        const loans = rows.map((r, i) => ({ ...r, loanId: `L${i}`, disbursedMonth: '2024-01' }));
        const d = bucketDistribution(loans);
        expect(d.buckets.reduce((s, b) => s + b.balance, 0)).toBe(d.receivables);
        expect(d.buckets.reduce((s, b) => s + b.count, 0)).toBe(d.count);
        expect(d.count + d.writtenOff.count).toBe(loans.length);
        const rates = coincidentalDelinquency(loans).rates;
        expect(rates[0]!.cumulativeBalance).toBe(d.receivables);
        expect(rates[0]!.cumulativeRate).toBe(d.receivables === 0 ? null : '1.000000');
      }),
    );
  });
});

describe('delinquency rates', () => {
  it('coincidental: bucket balance ÷ current receivables, with cumulative M1+, M2+… rates', () => {
    const r = coincidentalDelinquency(march);
    expect(r.receivables).toBe(400_000);
    const by = Object.fromEntries(r.rates.map((b) => [b.bucket, b]));
    expect(by.M1).toMatchObject({ rate: '0.125000', cumulativeBalance: 100_000, cumulativeRate: '0.250000' });
    expect(by.M2).toMatchObject({ rate: '0.075000', cumulativeRate: '0.125000' });
    expect(by.M4).toMatchObject({ rate: '0.050000', cumulativeRate: '0.050000' });
  });

  it('lagged: bucket balance ÷ receivables of the earlier snapshot', () => {
    const r = laggedDelinquency(march, february);
    expect(r.receivables).toBe(268_000);
    const by = Object.fromEntries(r.rates.map((b) => [b.bucket, b]));
    expect(by.M1).toMatchObject({ rate: '0.186567', cumulativeRate: '0.373134' }); // 50/268, 100/268
  });

  it('has no rate on an empty book, and rounds to the decimals asked for', () => {
    expect(coincidentalDelinquency([]).rates[1]!.rate).toBeNull();
    expect(laggedDelinquency(march, february, { decimals: 2 }).rates[1]!.rate).toBe('0.19');
  });
});

describe('roll rates', () => {
  it('share of each bucket balance that moved to the next bucket, following loans by id', () => {
    const by = Object.fromEntries(rollRates(february, march).map((r) => [`${r.from}>${r.to}`, r]));
    expect(by['M0>M1']).toEqual({
      from: 'M0',
      to: 'M1',
      fromBalance: 165_000,
      rolledBalance: 50_000,
      rate: '0.303030',
    });
    // L7 left M1 by repaying, so only L3 rolled.
    expect(by['M1>M2']).toMatchObject({ fromBalance: 42_000, rolledBalance: 30_000, rate: '0.714286' });
    expect(by['M2>M3']).toMatchObject({ fromBalance: 0, rate: null });
    expect(by['M3>M4']).toMatchObject({ fromBalance: 21_000, rolledBalance: 20_000, rate: '0.952381' });
    // Written off after M6: still a roll.
    expect(by['M6>M7+']).toMatchObject({ fromBalance: 40_000, rolledBalance: 40_000, rate: '1.000000' });
    expect(Object.keys(by)).toHaveLength(7);
  });
});

describe('vintage', () => {
  it('groups by disbursement month', () => {
    const rows = vintage(march);
    expect(rows.map((r) => r.month)).toEqual(['2023-11', '2023-12', '2024-01', '2024-02']);
    const by = Object.fromEntries(rows.map((r) => [r.month, r]));
    expect(by['2023-11']).toMatchObject({
      count: 1,
      outstanding: 0,
      writtenOffBalance: 40_000,
      delinquentRate: null,
    });
    expect(by['2023-12']).toMatchObject({
      count: 2,
      disbursedPrincipal: 65_000,
      outstanding: 50_000,
      delinquentBalance: 50_000,
      delinquentRate: '1.000000',
      disbursedRate: '0.769231',
    });
    expect(by['2024-01']).toMatchObject({
      delinquentBalance: 50_000,
      delinquentRate: '0.333333',
      disbursedRate: '0.277778',
    });
    expect(by['2024-02']).toMatchObject({ delinquentBalance: 0, delinquentRate: '0.000000' });
    expect(by['2024-01']!.buckets.find((b) => b.bucket === 'M1')).toEqual({
      bucket: 'M1',
      count: 1,
      balance: 50_000,
    });
  });

  it('counts delinquency from the bucket asked for, and needs every disbursed principal for the vintage rate', () => {
    const m2 = Object.fromEntries(vintage(march, { delinquentFrom: 'M2' }).map((r) => [r.month, r]));
    expect(m2['2024-01']!.delinquentBalance).toBe(0);
    expect(m2['2023-12']!.delinquentBalance).toBe(50_000);
    expect(vintage(february)[0]!.disbursedPrincipal).toBeNull();
  });
});

describe('bad input', () => {
  const base = march[0]!;
  it('names the offending field', () => {
    expectDomainError(() => bucketDistribution('x' as never), 'loans');
    expectDomainError(() => bucketDistribution([base, { ...base }]), 'loans[1].loanId');
    expectDomainError(() => bucketDistribution([{ ...base, loanId: '' }]), 'loans[0].loanId');
    expectDomainError(
      () => bucketDistribution([{ ...base, outstandingPrincipal: -1 }]),
      'loans[0].outstandingPrincipal',
    );
    expectDomainError(
      () => bucketDistribution([{ ...base, outstandingPrincipal: 1.5 }]),
      'loans[0].outstandingPrincipal',
    );
    expectDomainError(
      () => bucketDistribution([{ ...base, disbursedMonth: '2024-13' }]),
      'loans[0].disbursedMonth',
    );
    expectDomainError(
      () => bucketDistribution([{ ...base, disbursedPrincipal: -5 }]),
      'loans[0].disbursedPrincipal',
    );
    expectDomainError(() => bucketDistribution([{ ...base, dpd: -1 }]), 'loans[0].dpd');
    expectDomainError(
      () => bucketDistribution([{ ...base, dpd: undefined, bucket: 'M9' }]),
      'loans[0].bucket',
    );
    expectDomainError(() => bucketDistribution([{ ...base, dpd: 40, bucket: 'M1' }]), 'loans[0].bucket');
    expectDomainError(() => bucketDistribution([{ ...base, dpd: undefined }]), 'loans[0].dpd');
    expectDomainError(() => bucketDistribution(march, { decimals: -1 }), 'decimals');
    expectDomainError(
      () => laggedDelinquency(march, [{ ...base, disbursedMonth: '24-01' }]),
      'earlier[0].disbursedMonth',
    );
    expectDomainError(() => rollRates(february, [{ ...base, dpd: 1.5 }]), 'current[0].dpd');
    expectDomainError(() => vintage(march, { delinquentFrom: 'M99' }), 'delinquentFrom');
  });
});
