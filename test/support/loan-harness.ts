import { randomUUID } from 'node:crypto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker, WorkerOptions } from '@temporalio/worker';
import {
  createAdapters,
  type SandboxBank,
  type SandboxCollectionAgency,
  type SandboxCreditBureau as Bureau,
  type SandboxNotifier,
} from '../../adapters';
import { collectionRepository } from '../../db/collection';
import { ledgerRepository } from '../../db/ledger';
import { loanRepository } from '../../db/loans';
import { assertBalanced, loanPosition } from '../../domain/ledger';
import { instantOfLocal, localDateAt } from '../../domain/localdate';
import { buildActivities } from '../../worker/worker';
import { loan, type LoanRun } from '../../workflows/loan';
import { getLoan, type LoanView, type LoanInput, loanWorkflowId } from '../../contracts/loan';
import { collectionWorkflowId } from '../../contracts/collection';
import { type CreditLineView, getCreditLine } from '../../contracts/credit-line';
import { application, bankCard, idNumber, phone, sandboxDecisions } from './applicants';
import { testPool } from './db';
import { devServerEnv, timeSkippingEnv } from './temporal';
import { workersServing } from './workers';

export const ZONE = 'Asia/Shanghai';

/**
 * One time-skipping server and one worker per test file, with the credit-grant activities (so the real
 * credit line can start loans) beside the loan's, over sandbox providers and the real PostgreSQL.
 */
export function loanHarness(
  taskQueue: string,
  server: 'time-skipping' | 'dev' = 'time-skipping',
  workerOptions: Partial<WorkerOptions> = {},
) {
  const pool = testPool();
  const adapters = createAdapters({ mode: 'sandbox' });
  const ledger = ledgerRepository(pool);
  const loans = loanRepository(pool);
  const h = {
    pool,
    adapters,
    bank: adapters.bank as SandboxBank,
    notifier: adapters.notify as SandboxNotifier,
    agency: adapters.agency as SandboxCollectionAgency,
    bureau: adapters.bureau as Bureau,
    collection: collectionRepository(pool),
    ledger,
    loans,
    taskQueue,
    env: undefined as unknown as TestWorkflowEnvironment,
    worker: undefined as unknown as Worker,
    providerWorkers: [] as Worker[],
    running: undefined as Promise<void> | undefined,

    async setUp(): Promise<void> {
      h.env = await (server === 'dev' ? devServerEnv() : timeSkippingEnv());
      await h.createWorkers();
      h.runWorkers();
    },

    /**
     * The loan worker and the provider workers, made but not yet polling: `runWorkers` then starts
     * them at once, so a test can end an outage at a chosen instant (`stopWorkers` began it).
     */
    async createWorkers(): Promise<void> {
      const activities = buildActivities({ pool, adapters });
      const made = await workersServing(h.env, taskQueue, activities, workerOptions);
      h.worker = made.main;
      h.providerWorkers = made.providers;
    },

    runWorkers(): void {
      h.running = Promise.all([h.worker.run(), ...h.providerWorkers.map((w) => w.run())]).then(
        () => undefined,
      );
    },

    async stopWorkers(): Promise<void> {
      for (const w of [h.worker, ...h.providerWorkers]) if (w?.getState() === 'RUNNING') w.shutdown();
      await h.running;
    },

    async tearDown(): Promise<void> {
      await h.stopWorkers();
      await h.env?.teardown();
      await pool.end();
    },

    /** Starts a loan directly (its credit line need not exist: releasing a missing line is tolerated). */
    async start(over: Partial<LoanInput> & { card?: string } = {}, run?: LoanRun) {
      const { card, ...rest } = over;
      const input: LoanInput = {
        loanId: `ln_test_${randomUUID()}`,
        creditLineId: `cl_absent_${randomUUID()}`,
        customerId: `cus_test_${randomUUID()}`,
        productCode: 'cash-installment',
        principal: { amount: 1_200_000, currency: 'CNY' },
        termMonths: 12,
        method: 'annuity',
        purpose: 'home appliance',
        annualRate: '0.12',
        timeZone: ZONE,
        payee: { kind: 'borrower', bankCard: card ?? bankCard() },
        borrower: { idNumber: idNumber(), phone: phone() },
        ...rest,
      };
      await h.env.client.workflow.start(loan, {
        workflowId: loanWorkflowId(input.loanId),
        taskQueue,
        args: run ? [input, run] : [input],
      });
      return { input, handle: h.handle(input.loanId) };
    },

    /**
     * Ends a scenario's loan and its collection. A moment first for work still in flight: the
     * time-skipping server keeps time locked for an activity whose workflow was terminated under it,
     * which would stall every later test in the file.
     */
    async finish(loanId: string): Promise<void> {
      await new Promise((r) => setTimeout(r, 500));
      for (const id of [loanWorkflowId(loanId), collectionWorkflowId(loanId)])
        await h.env.client.workflow
          .getHandle(id)
          .terminate('scenario over')
          .catch(() => undefined);
    },

    handle(loanId: string) {
      return h.env.client.workflow.getHandle<typeof loan>(loanWorkflowId(loanId));
    },

    /** Polls the loan's own query (queries do not move time) until it reaches the wanted state. */
    async until(loanId: string, done: (v: LoanView) => boolean, what = 'state'): Promise<LoanView> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const v = await h.handle(loanId).query(getLoan);
        if (done(v)) return v;
        if (Date.now() > deadline) throw new Error(`${what} not reached; last: ${JSON.stringify(v)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },

    /** Polls a credit line's query until it reaches the wanted state. */
    async untilLine(
      line: { query: (q: typeof getCreditLine) => Promise<CreditLineView> },
      done: (v: CreditLineView) => boolean,
    ): Promise<CreditLineView> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const v = await line.query(getCreditLine);
        if (done(v)) return v;
        if (Date.now() > deadline) throw new Error(`line state not reached: ${JSON.stringify(v)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },

    /** Moves the server's clock to a local date and time in the borrower's zone. */
    async sleepUntilLocal(date: string, time = '12:00'): Promise<void> {
      const target = instantOfLocal(date, time, ZONE);
      const now = await h.env.currentTimeMs();
      if (target > now) await h.env.sleep(target - now);
    },

    async today(): Promise<string> {
      return localDateAt(await h.env.currentTimeMs(), ZONE);
    },

    /**
     * The reconciliation every scenario ends with: each entry and the whole journal balance, the
     * journal's position of the loan is the workflow's, and the read model caught up.
     */
    async checkBooks(loanId: string): Promise<LoanView> {
      const v = await h.until(loanId, (x) => x.ledgerPending === 0, 'ledger caught up');
      const entries = await ledger.entries(loanId);
      for (const e of entries) assertBalanced(e);
      const all = await ledger.trialBalance();
      expect(all.unbalancedEntries).toBe(0);
      expect(all.debits).toBe(all.credits);
      const position = loanPosition(await ledger.balances(loanId));
      expect(position.outstanding).toBe(v.outstanding.amount);
      expect(position.principal).toBe(v.receivable.principal);
      expect(position.credit).toBe(v.creditBalance.amount);
      expect({ interest: position.interest, fees: position.fees, penalty: position.penalty }).toEqual({
        interest: v.receivable.interest,
        fees: v.receivable.fees,
        penalty: v.receivable.penalty,
      });
      await h.untilRow(loanId, v);
      return v;
    },

    async untilRow(loanId: string, v: LoanView): Promise<void> {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const row = await loans.find(loanId);
        if (
          row &&
          row.status === v.status &&
          row.outstanding === v.outstanding.amount &&
          row.bucket === v.bucket
        )
          break;
        if (Date.now() > deadline)
          throw new Error(`read model behind: ${JSON.stringify(row)} vs ${v.status}/${v.outstanding.amount}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const schedule = await loans.schedule(loanId);
      expect(schedule.map((i) => [i.seq, i.status])).toEqual(v.installments.map((i) => [i.seq, i.status]));
    },
  };
  return h;
}

/** An application the sandbox approves automatically for `limitMinor`, found by running the real rules. */
export async function approvedApplication(
  limitMinor: number,
  asOf: string,
  productCode = 'cash-installment',
) {
  // The test server's clock runs years ahead through a file: the applicant stays 30 on it.
  const birth = `${Number(asOf.slice(0, 4)) - 30}0101`;
  for await (const { id, decision } of sandboxDecisions(() => idNumber(birth), limitMinor, asOf, productCode))
    if (decision.outcome === 'approve' && decision.limit.amount === limitMinor)
      return application({ amount: limitMinor, idNumber: id, productCode });
  throw new Error(`no sandbox applicant is approved for ${limitMinor}`);
}
