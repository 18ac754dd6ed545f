import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import puppeteer from 'puppeteer-core';
import { benchStack, type BenchStack } from '../../bench/stack';
import { SimulatedBank } from '../../sim/bank';
import { type BehaviourParameters, checkParameters } from '../../sim/population';
import { writeReport } from '../../sim/report';
import { defaulted } from '../../sim/figures';
import { runSimulation, type SimResult } from '../../sim/run';
import { getLoan, loanWorkflowId } from '../../contracts/loan';
import { collectionWorkflowId, getCollection } from '../../contracts/collection';

/**
 * A small portfolio on the real workflows, the simulation's honesty checks asserted: with 35% of
 * every grade set to default from their first installment, about 35% default, are written off and
 * pay some of it back; the ledger balances; the read model agrees with every loan's workflow; and the
 * report draws every chart.
 */
const parameters: BehaviourParameters = checkParameters({
  ...(JSON.parse(
    readFileSync(path.join(__dirname, '..', '..', 'sim', 'behaviour.json'), 'utf8'),
  ) as BehaviourParameters),
  grades: Object.fromEntries(
    ['A', 'B', 'C', 'D', 'E'].map((g) => [
      g,
      {
        default: 0.35,
        lateThenCure: 0.1,
        prepay: 0.1,
        extend: 0.1,
        promiseKept: 0.1,
        promiseBroken: 0.1,
      },
    ]),
  ) as BehaviourParameters['grades'],
  defaultFromInstallment: { min: 1, max: 1 },
  lateInstallment: { min: 1, max: 2 },
  cureDays: { min: 3, max: 10 },
  prepayInMonth: { min: 1, max: 2 },
  extension: { days: { min: 10, max: 20 }, afterInstallment: { min: 1, max: 2 } },
  recovery: { share: 1, part: 0.1, afterDays: { min: 5, max: 10 } },
  promise: {
    callAfterDays: { min: 3, max: 5 },
    payInDays: { min: 2, max: 4 },
    brokenPaidAfterDays: { min: 35, max: 45 },
  },
});
const MONTHS = 9;

let s: BenchStack;
let result: SimResult;
const bank = new SimulatedBank();

beforeAll(async () => {
  s = await benchStack(
    'loanflow_simulation_test',
    'time-skipping',
    undefined,
    {},
    {
      adapt: (a) => ({ ...a, bank }),
      postgres: { dir: 'simulation-test-pg', port: 55437 },
    },
  );
  result = await runSimulation(s, {
    borrowers: 40,
    months: MONTHS,
    seed: 7,
    productCode: 'cash-installment',
    parameters,
    bank,
  });
}, 900_000);

afterAll(async () => {
  await s?.stop();
});

test('every applicant the rules approve draws a loan, and each behaviour is there', () => {
  expect(result.approved).toBeGreaterThanOrEqual(30);
  expect(result.loans).toHaveLength(result.approved);
  const kinds = new Set(result.loans.map((l) => l.behaviour));
  for (const k of ['default', 'late-then-cure', 'prepay', 'extend', 'promise', 'on-time'])
    expect(kinds).toContain(k);
});

test("the measured default share lands within the check's tolerance of the parameter", () => {
  const shares = result.checks.filter((c) => c.name.startsWith('default share'));
  expect(shares.length).toBeGreaterThan(0);
  for (const c of shares) expect(c).toMatchObject({ ok: true });
  const all = result.loans.filter(defaulted).length / result.loans.length;
  expect(Math.abs(all - 0.35)).toBeLessThan(0.3);
});

test('behaviour becomes the loan: defaulters are written off and pay some back, prepayers close, late payers cure, extenders extend', async () => {
  for (const l of result.loans) {
    if (l.behaviour === 'default') expect(l.status).toBe('written_off');
    if (l.behaviour === 'prepay') expect(l.status).toBe('closed');
    if (l.behaviour !== 'default') expect(defaulted(l)).toBe(false);
    const v = await s.env.client.workflow.getHandle(loanWorkflowId(l.loanId)).query(getLoan);
    if (l.behaviour === 'extend') expect(v.extensions).toHaveLength(1);
    if (l.behaviour === 'default') expect(v.writtenOff?.recovered).toBeGreaterThan(0);
  }
  // Promises go to collection, which judges them: kept ones as kept, broken ones as broken.
  const promised = result.loans.filter((l) => l.behaviour === 'promise');
  expect(promised.length).toBeGreaterThan(0);
  const judged = new Set<string>();
  for (const l of promised) {
    const c = await s.env.client.workflow.getHandle(collectionWorkflowId(l.loanId)).query(getCollection);
    for (const p of c.promises) judged.add(p.status);
  }
  expect({ judged: [...judged].sort(), refusals: result.refusals }).toEqual({
    judged: ['broken', 'kept'],
    refusals: [],
  });
  const ledger = result.months.at(-1)!.ledger;
  expect(ledger.recovery_income?.credit).toBeGreaterThan(0);
  expect(ledger.write_off_expense?.debit).toBeGreaterThan(0);
});

test('the ledger balances and the read model agrees with the workflows', () => {
  for (const name of ['the ledger balances', 'the read model agrees with the workflows'])
    expect(result.checks.find((c) => c.name === name)).toMatchObject({ ok: true });
  expect(result.months).toHaveLength(MONTHS);
  for (const m of result.months) expect(m.metrics).toHaveProperty('buckets');
});

test('the report opens in Chromium and draws every chart without an error', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'loanflow-sim-'));
  const file = await writeReport(dir, result, {
    options: { borrowers: 40, months: MONTHS, seed: 7, productCode: 'cash-installment' },
    parameters,
    figures: {},
  });
  expect(readFileSync(path.join(dir, 'loans.csv'), 'utf8').split('\n')[0]).toBe(
    'loan_id,grade,behaviour,status,dpd,principal',
  );
  const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), '--disable-dev-shm-usage'],
  });
  try {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`file://${file}`);
    const charts = await page.$$eval('#charts section', (sections) =>
      sections.map((x) => ({ id: x.id, marks: x.querySelectorAll('svg path, svg rect').length })),
    );
    expect(errors).toEqual([]);
    expect(charts.map((c) => c.id)).toEqual([
      'bucket-shares',
      'delinquency',
      'roll-rates',
      'vintage-by-grade',
      'losses',
      'cash',
    ]);
    for (const c of charts) expect(c.marks).toBeGreaterThan(0);
  } finally {
    await browser.close();
  }
}, 60_000);
