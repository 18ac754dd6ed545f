import { randomUUID } from 'node:crypto';
import type { SandboxBank } from '../../adapters';
import { ledgerRepository } from '../../db/ledger';
import { disbursementEntry } from '../../domain/ledger';
import { localDateAt } from '../../domain/localdate';
import { ensureSchedules, SCHEDULE_IDS } from '../../worker/schedules';
import { loan } from '../../workflows/loan';
import { getLoan, type LoanInput, loanWorkflowId } from '../../contracts/loan';
import {
  BUSINESS_TIME_ZONE,
  type DailyJobInput,
  reconcile,
  type ReconcileInput,
  snapshotPortfolio,
} from '../../workflows/operations';
import { providerQueue } from '../../workflows/task-queues';
import { bankCard, idNumber, phone } from '../support/applicants';
import { testWorkers } from '../support/workers';

// Schedules exist only on the dev server (the time-skipping server has none).
const taskQueue = 'test-operations';
const setup = testWorkers(taskQueue);
const { t } = setup;
const bank = t.adapters.bank as SandboxBank;
beforeAll(() => setup.start());
afterAll(() => setup.stop());

const execute = { workflowId: '', taskQueue };
const reconcileRun = (input: ReconcileInput) =>
  t.env.client.workflow.execute(reconcile, { ...execute, workflowId: `ops-${randomUUID()}`, args: [input] });
const snapshotRun = (input: DailyJobInput) =>
  t.env.client.workflow.execute(snapshotPortfolio, {
    ...execute,
    workflowId: `ops-${randomUUID()}`,
    args: [input],
  });

test('schedules are created idempotently and describe the daily jobs', async () => {
  await ensureSchedules(t.env.client, taskQueue);
  await expect(ensureSchedules(t.env.client, taskQueue)).resolves.toEqual([
    SCHEDULE_IDS.snapshot,
    SCHEDULE_IDS.reconcile,
  ]);
  const types: Record<string, string> = {};
  for (const id of Object.values(SCHEDULE_IDS)) {
    const d = await t.env.client.schedule.getHandle(id).describe();
    expect(d.action).toMatchObject({ type: 'startWorkflow', taskQueue });
    expect(d.spec.calendars?.[0]).toMatchObject({ minute: [{ start: 5, end: 5, step: 1 }] });
    expect(d.spec.timezone).toBe(BUSINESS_TIME_ZONE);
    types[id] = d.action.type === 'startWorkflow' ? d.action.workflowType : '';
  }
  expect(types).toEqual({
    [SCHEDULE_IDS.reconcile]: 'reconcile',
    [SCHEDULE_IDS.snapshot]: 'snapshotPortfolio',
  });
  const listed: string[] = [];
  for await (const s of t.env.client.schedule.list()) listed.push(s.scheduleId);
  expect(listed.sort()).toEqual(Object.values(SCHEDULE_IDS).sort());
});

test('each provider with activities gets its own worker on its own queue', () => {
  expect(t.workers.providers.bank?.options.taskQueue).toBe(providerQueue(taskQueue, 'bank'));
  expect(t.workers.providers.notify?.options.taskQueue).toBe(providerQueue(taskQueue, 'notify'));
  expect(t.workers.providers.bank?.options.taskQueue).toBe('test-operations-bank');
  expect(t.workers.providers.bank?.options.maxTaskQueueActivitiesPerSecond).toBe(20);
});

async function activeLoan(): Promise<string> {
  const input: LoanInput = {
    loanId: `ln_ops_${randomUUID()}`,
    creditLineId: `cl_absent_${randomUUID()}`,
    customerId: `cus_ops_${randomUUID()}`,
    productCode: 'cash-installment',
    principal: { amount: 600_000, currency: 'CNY' },
    termMonths: 6,
    method: 'annuity',
    purpose: 'reconciliation test',
    annualRate: '0.12',
    timeZone: BUSINESS_TIME_ZONE,
    payee: { kind: 'borrower', bankCard: bankCard() },
    borrower: { idNumber: idNumber(), phone: phone() },
  };
  await t.env.client.workflow.start(loan, {
    workflowId: loanWorkflowId(input.loanId),
    taskQueue,
    args: [input],
  });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const v = await t.env.client.workflow.getHandle(loanWorkflowId(input.loanId)).query(getLoan);
    const row = await t.pool.query('select version from loans where id = $1', [input.loanId]);
    if (v.status === 'active' && v.ledgerPending === 0 && row.rows[0]?.version === v.version)
      return input.loanId;
    if (Date.now() > deadline) throw new Error(`loan not active: ${JSON.stringify(v.status)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Everything reconciliation must not touch: the loans' journal and read model, and the workflows. */
async function books(loanIds: string[]) {
  const q = async (sql: string) => (await t.pool.query(sql, [loanIds])).rows;
  return {
    journal: await q('select * from journal_lines where loan_id = any($1) order by id'),
    loans: await q('select * from loans where id = any($1) order by id'),
    views: await Promise.all(
      loanIds.map((id) => t.env.client.workflow.getHandle(loanWorkflowId(id)).query(getLoan)),
    ),
  };
}

test('reconciliation of agreeing books with one bank payout the ledger lacks reports exactly that, and changes nothing', async () => {
  const loans = [await activeLoan(), await activeLoan()];
  // The deliberate difference: the bank paid out for a loan that was never booked.
  const ghost = `ln_ghost_${randomUUID()}`;
  await bank.pay({
    idempotencyKey: `${ghost}:disbursement`,
    amountMinor: 123_400,
    currency: 'CNY',
    toCard: bankCard(),
    payee: 'borrower',
  });
  const businessDate = localDateAt(Date.now(), BUSINESS_TIME_ZONE);
  const loanIds = [...loans, ghost];
  const before = await books(loans);

  const first = await reconcileRun({ businessDate, loanIds });
  expect(first.loansChecked).toBe(2);
  expect(first.statementItems).toBe(3);
  expect(first.breaks).toEqual([
    {
      loanId: ghost,
      kind: 'bank_item_not_booked',
      expected: expect.objectContaining({ key: `${ghost}:disbursement`, amount: 123_400 }),
      actual: null,
      detail: expect.stringContaining('not in the ledger'),
    },
  ]);
  expect(await books(loans)).toEqual(before);

  // A re-run for the date replaces its report: still one break on record.
  const again = await reconcileRun({ businessDate, loanIds });
  expect(again.breaks).toHaveLength(1);
  const stored = await t.pool.query(
    'select r.breaks, b.loan_id, b.kind from reconciliation_reports r join reconciliation_breaks b using (business_date, scope) where r.business_date = $1 and r.scope = $2',
    [businessDate, again.scope],
  );
  expect(stored.rows).toEqual([{ breaks: 1, loan_id: ghost, kind: 'bank_item_not_booked' }]);

  // Agreeing books alone: no break.
  const clean = await reconcileRun({ businessDate, loanIds: loans });
  expect(clean.breaks).toEqual([]);
});

test('the portfolio snapshot writes a date once: a re-run replaces its rows', async () => {
  const product = `snap-${randomUUID()}`;
  const seed = async (id: string, status: string, bucket: string, outstanding: number) =>
    t.pool.query(
      `insert into loans (id, credit_line_id, customer_id, product_code, status, currency, principal, outstanding, bucket, created_at)
       values ($1, 'cl', 'cus', $2, $3, 'CNY', 100000, $4, $5, '2030-03-15T00:00:00Z')`,
      [id, product, status, outstanding, bucket],
    );
  const ids = Array.from({ length: 4 }, () => `ln_snap_${randomUUID()}`);
  await seed(ids[0]!, 'active', 'M0', 100_000);
  await seed(ids[1]!, 'active', 'M0', 60_000);
  await seed(ids[2]!, 'delinquent', 'M2', 80_000);
  await seed(ids[3]!, 'closed', 'M0', 0);
  await ledgerRepository(t.pool).post(
    disbursementEntry({
      loanId: ids[0]!,
      eventId: `${ids[0]}:disbursement`,
      date: '2030-03-15',
      currency: 'CNY',
      principal: 100_000,
      cashOut: 100_000,
      originationFee: 0,
      riskReserve: 0,
    }),
  );
  // Other files snapshot the same date: each table is read for this test's product alone.
  const onDate = async (columns: string, table: string, order: string) =>
    (
      await t.pool.query(
        `select ${columns} from ${table} where business_date = '2030-03-31' and product_code = $1 order by ${order}`,
        [product],
      )
    ).rows;
  const rows = () =>
    onDate(
      'bucket, vintage, state, loans, outstanding, outstanding_principal, disbursed_principal',
      'portfolio_snapshots',
      'state, bucket',
    );

  const first = await snapshotRun({ businessDate: '2030-03-31' });
  expect(first.businessDate).toBe('2030-03-31');
  const expected = [
    {
      bucket: 'M0',
      vintage: '2030-03',
      state: 'closed',
      loans: 1,
      outstanding: 0,
      outstanding_principal: 0,
      disbursed_principal: 100_000,
    },
    {
      bucket: 'M0',
      vintage: '2030-03',
      state: 'open',
      loans: 2,
      outstanding: 160_000,
      outstanding_principal: 100_000,
      disbursed_principal: 200_000,
    },
    {
      bucket: 'M2',
      vintage: '2030-03',
      state: 'open',
      loans: 1,
      outstanding: 80_000,
      outstanding_principal: 0,
      disbursed_principal: 100_000,
    },
  ];
  // Each loan on the books gets its own position for roll rates; the closed one rolls nowhere.
  const positions = () =>
    onDate(
      'loan_id, bucket, vintage, state, outstanding_principal',
      'portfolio_loan_positions',
      'loan_id collate "C"',
    );
  const expectedPositions = [
    { loan_id: ids[0], bucket: 'M0', vintage: '2030-03', state: 'open', outstanding_principal: 100_000 },
    { loan_id: ids[1], bucket: 'M0', vintage: '2030-03', state: 'open', outstanding_principal: 0 },
    { loan_id: ids[2], bucket: 'M2', vintage: '2030-03', state: 'open', outstanding_principal: 0 },
  ].sort((a, b) => (a.loan_id! < b.loan_id! ? -1 : 1));
  expect(await rows()).toEqual(expected);
  expect(await positions()).toEqual(expectedPositions);
  await snapshotRun({ businessDate: '2030-03-31' });
  expect(await rows()).toEqual(expected);
  expect(await positions()).toEqual(expectedPositions);
});
