import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { monthsOnBook } from '../../api/routes/portfolio';
import { ledgerRepository } from '../../db/ledger';
import {
  accrualEntry,
  disbursementEntry,
  recoveryEntry,
  refundEntry,
  repaymentEntry,
  reversalEntry,
} from '../../domain/ledger';
import { addDays, localDateAt } from '../../domain/localdate';
import { type ApiHarness, apiHarness } from '../support/api';

let h: ApiHarness;
beforeAll(async () => {
  h = await apiHarness('test-api-portfolio');
  await seed();
});
afterAll(async () => {
  for (const product of [PRODUCT, BY_LOAN]) {
    await h?.pool.query('delete from portfolio_snapshots where product_code = $1', [product]);
    await h?.pool.query('delete from portfolio_loan_positions where product_code = $1', [product]);
  }
  await h?.close();
});

// A product code of this run only, so other test files' snapshots never mix in.
const PRODUCT = `test-${randomUUID()}`;
const BY_LOAN = `test-${randomUUID()}`;
const EARLIER = '2031-02-28';
const DATE = '2031-03-31';

const get = (query: string, apiKey = h.keys.ops) =>
  request(h.app).get(`/v1/portfolio/metrics${query}`).set('Authorization', `Bearer ${apiKey}`);
const cny = (amount: number) => ({ amount, currency: 'CNY' });

type Row = [
  date: string,
  bucket: string,
  vintage: string,
  state: string,
  loans: number,
  outstanding: number,
  principal: number,
  disbursed: number,
];

async function seed() {
  const rows: Row[] = [
    // February: M0 720,000 (vintage 2030-12), M1 80,000 (vintage 2031-01) → receivables 800,000.
    [EARLIER, 'M0', '2030-12', 'open', 4, 750_000, 720_000, 1_320_000],
    [EARLIER, 'M1', '2031-01', 'open', 1, 85_000, 80_000, 60_000],
    // March: M0 850,000, M1 100,000, M2 50,000 → receivables 1,000,000; a closed and a written-off line.
    [DATE, 'M0', '2030-12', 'open', 3, 880_000, 850_000, 1_200_000],
    [DATE, 'M1', '2030-12', 'open', 1, 110_000, 100_000, 120_000],
    [DATE, 'M0', '2030-12', 'closed', 2, 0, 0, 300_000],
    [DATE, 'M2', '2031-01', 'open', 1, 56_000, 50_000, 60_000],
    [DATE, 'M7+', '2030-11', 'written_off', 1, 45_000, 40_000, 50_000],
  ];
  for (const [date, bucket, vintage, state, loans, outstanding, principal, disbursed] of rows) {
    await h.pool.query(
      `insert into portfolio_snapshots (business_date, product_code, bucket, vintage, currency, state, loans,
         outstanding, outstanding_principal, disbursed_principal)
       values ($1, $2, $3, $4, 'CNY', $5, $6, $7, $8, $9)`,
      [date, PRODUCT, bucket, vintage, state, loans, outstanding, principal, disbursed],
    );
  }
}

const zeroBucket = (bucket: string) => ({
  bucket,
  loans: 0,
  outstanding: cny(0),
  outstandingPrincipal: cny(0),
  share: '0.000000',
});

test('ops reads buckets, coincidental and lagged delinquency, roll rates and vintages of a date', async () => {
  const res = await get(`?date=${DATE}&productCode=${PRODUCT}&lagMonths=1`);
  expect(res.status).toBe(200);
  const body = res.body;
  expect(body).toMatchObject({
    date: DATE,
    lagDate: EARLIER,
    productCode: PRODUCT,
    currency: 'CNY',
    loans: 5,
    receivables: cny(1_000_000),
    writtenOff: { loans: 1, outstanding: cny(45_000), outstandingPrincipal: cny(40_000) },
  });
  // Closed and written-off rows stay out of the buckets.
  expect(body.buckets).toEqual([
    {
      bucket: 'M0',
      loans: 3,
      outstanding: cny(880_000),
      outstandingPrincipal: cny(850_000),
      share: '0.850000',
    },
    {
      bucket: 'M1',
      loans: 1,
      outstanding: cny(110_000),
      outstandingPrincipal: cny(100_000),
      share: '0.100000',
    },
    {
      bucket: 'M2',
      loans: 1,
      outstanding: cny(56_000),
      outstandingPrincipal: cny(50_000),
      share: '0.050000',
    },
    ...['M3', 'M4', 'M5', 'M6', 'M7+'].map(zeroBucket),
  ]);

  // Coincidental: ÷ 1,000,000 of today.
  const co = body.delinquency.coincidental;
  expect(co.date).toBe(DATE);
  expect(co.receivables).toEqual(cny(1_000_000));
  expect(co.buckets.slice(0, 3)).toEqual([
    {
      bucket: 'M0',
      balance: cny(850_000),
      rate: '0.850000',
      cumulativeBalance: cny(1_000_000),
      cumulativeRate: '1.000000',
    },
    {
      bucket: 'M1',
      balance: cny(100_000),
      rate: '0.100000',
      cumulativeBalance: cny(150_000),
      cumulativeRate: '0.150000',
    },
    {
      bucket: 'M2',
      balance: cny(50_000),
      rate: '0.050000',
      cumulativeBalance: cny(50_000),
      cumulativeRate: '0.050000',
    },
  ]);
  expect(co.delinquent).toEqual({ balance: cny(150_000), rate: '0.150000' });

  // Lagged: today's balances ÷ February's 800,000.
  const lag = body.delinquency.lagged;
  expect(lag.date).toBe(EARLIER);
  expect(lag.receivables).toEqual(cny(800_000));
  expect(lag.buckets.slice(1, 3).map((b: { rate: string }) => b.rate)).toEqual(['0.125000', '0.062500']);
  expect(lag.delinquent).toEqual({ balance: cny(150_000), rate: '0.187500' });

  // Roll rates, cohort by cohort: M0 720,000 → M1 100,000; M1 80,000 → M2 50,000; nothing in M2 before.
  expect(body.rollRateBasis).toBe('cohorts');
  expect(body.rollRates.slice(0, 3)).toEqual([
    { from: 'M0', to: 'M1', fromBalance: cny(720_000), rolledBalance: cny(100_000), rate: '0.138889' },
    { from: 'M1', to: 'M2', fromBalance: cny(80_000), rolledBalance: cny(50_000), rate: '0.625000' },
    { from: 'M2', to: 'M3', fromBalance: cny(0), rolledBalance: cny(0), rate: null },
  ]);
  expect(body.rollRates).toHaveLength(7);

  // Vintages: closed loans keep their disbursed principal in the cohort; written-off is its own line.
  expect(body.vintages).toEqual([
    {
      vintage: '2030-11',
      monthsOnBook: 4,
      loans: 1,
      disbursed: cny(50_000),
      outstanding: cny(0),
      delinquent: cny(0),
      delinquentRate: null,
      disbursedRate: '0.000000',
      writtenOff: cny(40_000),
    },
    {
      vintage: '2030-12',
      monthsOnBook: 3,
      loans: 6,
      disbursed: cny(1_620_000),
      outstanding: cny(950_000),
      delinquent: cny(100_000),
      delinquentRate: '0.105263',
      disbursedRate: '0.061728',
      writtenOff: cny(0),
    },
    {
      vintage: '2031-01',
      monthsOnBook: 2,
      loans: 1,
      disbursed: cny(60_000),
      outstanding: cny(50_000),
      delinquent: cny(50_000),
      delinquentRate: '1.000000',
      disbursedRate: '0.833333',
      writtenOff: cny(0),
    },
  ]);
});

test('with loan positions on both dates, roll rates follow each loan, not its cohort', async () => {
  // Both loans of one vintage: L1 rolls M1 → M2; L2 pays part and stays in M2. A cohort's net flow
  // would count L2's M2 balance as rolled from M1 (70,000 ÷ 50,000, over 100%); per loan it is 1.0.
  // L3 rolls from M6 into write-off, which still counts as a roll.
  const positions: [string, string, string, string, number][] = [
    [EARLIER, 'L1', 'M1', 'open', 50_000],
    [EARLIER, 'L2', 'M2', 'open', 30_000],
    [EARLIER, 'L3', 'M6', 'open', 40_000],
    [EARLIER, 'L4', 'M0', 'open', 200_000],
    [DATE, 'L1', 'M2', 'open', 50_000],
    [DATE, 'L2', 'M2', 'open', 20_000],
    [DATE, 'L3', 'M7+', 'written_off', 40_000],
    [DATE, 'L4', 'M0', 'open', 180_000],
  ];
  for (const [date, loan, bucket, state, principal] of positions) {
    await h.pool.query(
      `insert into portfolio_loan_positions (business_date, loan_id, product_code, bucket, vintage, currency, state,
         outstanding_principal)
       values ($1, $2, $3, $4, '2030-12', 'CNY', $5, $6)`,
      [date, `${BY_LOAN}:${loan}`, BY_LOAN, bucket, state, principal],
    );
  }
  const aggregate = (date: string, bucket: string, state: string, loans: number, principal: number) =>
    h.pool.query(
      `insert into portfolio_snapshots (business_date, product_code, bucket, vintage, currency, state, loans,
         outstanding, outstanding_principal, disbursed_principal)
       values ($1, $2, $3, '2030-12', 'CNY', $4, $5, $6, $6, $6)`,
      [date, BY_LOAN, bucket, state, loans, principal],
    );
  await aggregate(EARLIER, 'M0', 'open', 1, 200_000);
  await aggregate(EARLIER, 'M1', 'open', 1, 50_000);
  await aggregate(EARLIER, 'M2', 'open', 1, 30_000);
  await aggregate(EARLIER, 'M6', 'open', 1, 40_000);
  await aggregate(DATE, 'M0', 'open', 1, 180_000);
  await aggregate(DATE, 'M2', 'open', 2, 70_000);
  await aggregate(DATE, 'M7+', 'written_off', 1, 40_000);

  const res = await get(`?date=${DATE}&productCode=${BY_LOAN}&lagMonths=1`);
  expect(res.status).toBe(200);
  expect(res.body.rollRateBasis).toBe('loans');
  const by = Object.fromEntries(
    res.body.rollRates.map((r: { from: string; to: string }) => [`${r.from}>${r.to}`, r]),
  );
  expect(by['M0>M1']).toEqual({
    from: 'M0',
    to: 'M1',
    fromBalance: cny(200_000),
    rolledBalance: cny(0),
    rate: '0.000000',
  });
  expect(by['M1>M2']).toMatchObject({
    fromBalance: cny(50_000),
    rolledBalance: cny(50_000),
    rate: '1.000000',
  });
  expect(by['M2>M3']).toMatchObject({ fromBalance: cny(30_000), rolledBalance: cny(0), rate: '0.000000' });
  expect(by['M6>M7+']).toMatchObject({
    fromBalance: cny(40_000),
    rolledBalance: cny(40_000),
    rate: '1.000000',
  });
});

test('without the earlier snapshot, lagged rates and roll rates are null', async () => {
  const res = await get(`?date=${DATE}&productCode=${PRODUCT}&lagMonths=2`);
  expect(res.status).toBe(200);
  expect(res.body.lagDate).toBeNull();
  expect(res.body.delinquency.lagged.receivables).toBeNull();
  expect(res.body.delinquency.lagged.delinquent.rate).toBeNull();
  expect(res.body.delinquency.lagged.buckets.every((b: { rate: unknown }) => b.rate === null)).toBe(true);
  expect(res.body.rollRates.every((r: { rate: unknown }) => r.rate === null)).toBe(true);
  expect(res.body.rollRateBasis).toBeNull();
  expect(res.body.delinquency.coincidental.delinquent.rate).toBe('0.150000');
});

test('the date defaults to the latest snapshot of the product', async () => {
  const res = await get(`?productCode=${PRODUCT}`);
  expect(res.status).toBe(200);
  expect(res.body.date).toBe(DATE);
  expect(res.body.lagDate).toBe(EARLIER);
});

test('roles other than ops get 403', async () => {
  for (const role of ['client', 'reviewer', 'collector'] as const) {
    const res = await get(`?date=${DATE}&productCode=${PRODUCT}`, h.keys[role]);
    expect(res.status).toBe(403);
    expect(res.type).toBe('application/problem+json');
  }
  expect((await get(`?date=${DATE}&productCode=${PRODUCT}`, h.keys.admin)).status).toBe(200);
});

test('a bad query is a 400 naming the field', async () => {
  for (const date of ['2031-02-30', '31-03-2031', 'yesterday']) {
    const res = await get(`?date=${date}&productCode=${PRODUCT}`);
    expect(res.status).toBe(400);
    expect(res.type).toBe('application/problem+json');
    expect(res.body.field).toBe('date');
  }
  const lag = await get(`?date=${DATE}&productCode=${PRODUCT}&lagMonths=0`);
  expect(lag.status).toBe(400);
  expect(lag.body.field).toBe('lagMonths');
  const unknown = await get(`?date=${DATE}&product=${PRODUCT}`);
  expect(unknown.status).toBe(400);
});

test('a date without a snapshot is a 404 naming date', async () => {
  const res = await get(`?date=2031-03-30&productCode=${PRODUCT}`);
  expect(res.status).toBe(404);
  expect(res.type).toBe('application/problem+json');
  expect(res.body.field).toBe('date');
});

describe('cash flows per business day', () => {
  // Far-future days and loans of this file only. Workflow tests on the time-skipping server post
  // real entries years ahead (a file's skipped months add up; CI saw entries dated 2041-05), never this far.
  const [D1, D2, D3] = ['2098-03-30', '2098-03-31', '2098-04-01'];
  const loanId = () => `ln_${randomUUID().replace(/-/g, '').slice(0, 22)}`;
  const [CASH, BILL, DOLLARS] = [loanId(), loanId(), loanId()];
  const flows = (query: string, apiKey = h.keys.ops) =>
    request(h.app).get(`/v1/portfolio/cashflows${query}`).set('Authorization', `Bearer ${apiKey}`);
  const day = (date: string, d: Partial<Record<'disbursed' | 'paidOut' | 'collected', number>>, n = {}) => ({
    date,
    disbursed: cny(d.disbursed ?? 0),
    paidOut: cny(d.paidOut ?? 0),
    loans: 0,
    collected: cny(d.collected ?? 0),
    payments: 0,
    ...n,
  });

  // Read-model rows name the products; closed, and only in yuan, so other files' snapshots of the whole
  // book (one currency) and their reconciliations (of loans still open) never meet them.
  beforeAll(async () => {
    for (const [id, product] of [
      [CASH, 'card-repayment'],
      [BILL, 'bill-installment'],
    ] as const)
      await h.pool.query(
        `insert into loans (id, credit_line_id, customer_id, product_code, status, currency, principal, outstanding)
         values ($1, 'cl_cashflows', 'cust_hash_cashflows', $2, 'closed', 'CNY', 1000000, 0)`,
        [id, product],
      );
    const ledger = ledgerRepository(h.pool);
    const at = (loanId: string, event: string, date: string, currency: 'CNY' | 'USD' = 'CNY') => ({
      loanId,
      eventId: `${loanId}:${event}`,
      date,
      currency,
    });
    const pay = (loanId: string, event: string, date: string, received: number, fromCredit = 0) =>
      repaymentEntry({
        ...at(loanId, event, date),
        received,
        fromCredit,
        principal: received + fromCredit - 1_000,
        interest: 1_000,
        fees: 0,
        penalty: 0,
        toCredit: 0,
      });
    const billPayment = pay(BILL, 'pay-1', D2, 50_000);
    for (const e of [
      disbursementEntry({
        ...at(CASH, 'disbursement', D1),
        principal: 1_000_000,
        cashOut: 990_000,
        originationFee: 10_000,
        riskReserve: 20_000,
      }),
      disbursementEntry({
        ...at(BILL, 'disbursement', D1),
        principal: 500_000,
        cashOut: 500_000,
        originationFee: 0,
        riskReserve: 10_000,
      }),
      disbursementEntry({
        ...at(DOLLARS, 'disbursement', D2, 'USD'),
        principal: 300_000,
        cashOut: 300_000,
        originationFee: 0,
        riskReserve: 6_000,
      }),
      accrualEntry({ ...at(CASH, 'accrual-1', D2), interest: 12_000, fees: 500, penalty: 0 }),
      pay(CASH, 'pay-1', D2, 100_000),
      // Credit held pays an installment: no money moves.
      pay(CASH, 'credit-1', D2, 0, 20_000),
      billPayment,
      // The bill payment comes back the next day, a recovery and a refund of credit go out.
      reversalEntry(billPayment, `${BILL}:reversal:pay-1`, D3),
      recoveryEntry({ ...at(CASH, 'recovery-1', D3), amount: 7_000 }),
      refundEntry({ ...at(CASH, 'refund-1', D3), amount: 3_000 }),
    ])
      expect(await ledger.post(e)).toBe('posted');
  });

  afterAll(() => h?.pool.query('delete from loans where id = any($1)', [[CASH, BILL]]));

  test('ops reads every day of the range: principal lent, cash paid out, cash collected net of reversals', async () => {
    const res = await flows(`?from=${D1}&to=${D3}`);
    expect(res.status).toBe(200);
    expect(res.body.from).toBe(D1);
    expect(res.body.to).toBe(D3);
    expect(res.body.productCode).toBeNull();
    expect(res.body.series).toEqual([
      {
        currency: 'CNY',
        disbursed: cny(1_500_000),
        collected: cny(107_000),
        days: [
          day(D1, { disbursed: 1_500_000, paidOut: 1_490_000 }, { loans: 2 }),
          day(D2, { collected: 150_000 }, { payments: 2 }),
          day(D3, { collected: 7_000 - 50_000 }, { payments: 1 }),
        ],
      },
      {
        currency: 'USD',
        disbursed: { amount: 300_000, currency: 'USD' },
        collected: { amount: 0, currency: 'USD' },
        days: [D1, D2, D3].map((date) => ({
          date,
          disbursed: { amount: date === D2 ? 300_000 : 0, currency: 'USD' },
          paidOut: { amount: date === D2 ? 300_000 : 0, currency: 'USD' },
          loans: date === D2 ? 1 : 0,
          collected: { amount: 0, currency: 'USD' },
          payments: 0,
        })),
      },
    ]);
  });

  test("a product's cash flows are its loans' alone; a range that nothing moved in has no series", async () => {
    const bill = await flows(`?from=${D1}&to=${D3}&productCode=bill-installment`);
    expect(bill.status).toBe(200);
    expect(bill.body.productCode).toBe('bill-installment');
    expect(bill.body.series).toEqual([
      {
        currency: 'CNY',
        disbursed: cny(500_000),
        collected: cny(0),
        days: [
          day(D1, { disbursed: 500_000, paidOut: 500_000 }, { loans: 1 }),
          day(D2, { collected: 50_000 }, { payments: 1 }),
          day(D3, { collected: -50_000 }),
        ],
      },
    ]);
    const quiet = await flows('?from=2099-05-01&to=2099-05-31');
    expect(quiet.status).toBe(200);
    expect(quiet.body.series).toEqual([]);
  });

  test('by default the 30 days up to today on the business calendar; `from` alone runs to today', async () => {
    const today = localDateAt(Date.now(), 'Asia/Shanghai');
    const res = await flows('');
    expect(res.status).toBe(200);
    expect([res.body.from, res.body.to]).toEqual([addDays(today, -29), today]);
    for (const s of res.body.series) expect(s.days).toHaveLength(30);
    const fromOnly = await flows(`?from=${addDays(today, -6)}`);
    expect([fromOnly.body.from, fromOnly.body.to]).toEqual([addDays(today, -6), today]);
    const toOnly = await flows(`?to=${D3}`);
    expect([toOnly.body.from, toOnly.body.to]).toEqual([addDays(D3, -29), D3]);
    expect(toOnly.body.series[0].days).toHaveLength(30);
  });

  test('the range is bounded: from after to, or over 366 days, is a 422 naming from', async () => {
    const full = await flows(`?from=2097-04-01&to=2098-03-31`);
    expect(full.status).toBe(200);
    expect(full.body.series.find((s: { currency: string }) => s.currency === 'CNY').days).toHaveLength(365);
    const leap = await flows(`?from=2096-01-01&to=2096-12-31`);
    expect(leap.status).toBe(200);
    for (const [query, detail] of [
      [`?from=${D3}&to=${D1}`, /must not be after to/],
      ['?from=2096-01-01&to=2097-01-01', /at most 366 days.*asked for 367/],
      ['?from=1900-01-01', /at most 366 days/],
    ] as const) {
      const res = await flows(query);
      expect([query, res.status, res.type, res.body.field]).toEqual([
        query,
        422,
        'application/problem+json',
        'from',
      ]);
      expect(res.body.detail).toMatch(detail);
    }
  });

  test('a bad query is a 400 naming the field, and only ops may read it', async () => {
    for (const [query, field] of [
      ['?from=2098-02-30', 'from'],
      ['?to=41-03-31', 'to'],
      ['?productCode=no-such-product', 'productCode'],
      ['?days=30', 'days'],
    ] as const) {
      const res = await flows(query);
      expect([query, res.status, res.type, res.body.field]).toEqual([
        query,
        400,
        'application/problem+json',
        field,
      ]);
    }
    for (const role of ['client', 'reviewer', 'collector'] as const)
      expect((await flows(`?from=${D1}&to=${D3}`, h.keys[role])).status).toBe(403);
    expect((await flows(`?from=${D1}&to=${D3}`, h.keys.admin)).status).toBe(200);
  });
});

test('months on book count calendar months from the vintage month, 0 in it, across years', async () => {
  expect(monthsOnBook('2031-03', '2031-03-01')).toBe(0);
  expect(monthsOnBook('2030-11', '2031-03-31')).toBe(4);
  expect(monthsOnBook('2026-12', '2039-06-03')).toBe(150);
  const earlier = await get(`?date=${EARLIER}&productCode=${PRODUCT}`);
  expect(earlier.status).toBe(200);
  expect(
    earlier.body.vintages.map((v: { vintage: string; monthsOnBook: number }) => [v.vintage, v.monthsOnBook]),
  ).toEqual([
    ['2030-12', 2],
    ['2031-01', 1],
  ]);
});
