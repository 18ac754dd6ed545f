/**
 * History events per clean loan-month: loans repaid by autopay to closure on the time-skipping
 * server, their whole history counted: `npx tsx bench/loan-history.bench.ts`.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { createAdapters } from '../adapters';
import { migrateUp } from '../db/migrate';
import { createPool } from '../db/pool';
import { startOwnedPostgres } from '../scripts/lib/postgres';
import { bankCard, idNumber, phone } from '../test/support/applicants';
import { testDataConverter, timeSkippingEnv, workflowBundle } from '../test/support/temporal';
import { createLoanflowWorker } from '../worker/worker';
import { loan } from '../workflows/loan';
import { type LoanInput, loanWorkflowId } from '../workflows/messages';

type History = temporal.api.history.v1.IHistory;
type IWorkflowExecutionStartedEventAttributes =
  temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes;

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  const pg = await startOwnedPostgres({
    dataDir: path.join(root, '.data', 'bench-pg'),
    port: 55434,
    database: 'loanflow_history_bench',
    fresh: true,
    fast: true,
  });
  await migrateUp(pg.url);
  const pool = createPool(pg.url);
  const env = await timeSkippingEnv();
  const worker = await createLoanflowWorker({
    connection: env.nativeConnection,
    namespace: 'default',
    taskQueue: 'bench-history',
    pool,
    adapters: createAdapters({ mode: 'sandbox' }),
    dataConverter: testDataConverter,
    workflowBundle: await workflowBundle(),
  });
  await worker.runUntil(async () => {
    for (const [productCode, method, months] of [
      ['cash-installment', 'annuity', 12],
      ['cash-installment', 'annuity', 24],
      ['cash-equal-principal', 'equal-principal', 36],
    ] as const) {
      const input: LoanInput = {
        loanId: `ln_bench_${randomUUID()}`,
        creditLineId: `cl_bench_${randomUUID()}`,
        customerId: `cus_bench_${randomUUID()}`,
        productCode,
        principal: { amount: 1_200_000, currency: 'CNY' },
        termMonths: months,
        method,
        purpose: 'bench',
        annualRate: '0.12',
        timeZone: 'Asia/Shanghai',
        payee: { kind: 'borrower', bankCard: bankCard() },
        borrower: { idNumber: idNumber(), phone: phone() },
      };
      const started = await env.client.workflow.start(loan, {
        workflowId: loanWorkflowId(input.loanId),
        taskQueue: 'bench-history',
        args: [input],
      });
      const handle = env.client.workflow.getHandle(started.workflowId);
      const result = await handle.result();
      // Follow the continue-as-new chain from the last run back to the first.
      let events = 0;
      let runs = 0;
      let runId: string | undefined = (await handle.describe()).runId;
      while (runId) {
        const history: History = await env.client.workflow
          .getHandle(started.workflowId, runId)
          .fetchHistory();
        events += history.events?.length ?? 0;
        runs += 1;
        const first: IWorkflowExecutionStartedEventAttributes | null | undefined =
          history.events?.[0]?.workflowExecutionStartedEventAttributes;
        runId = first?.continuedExecutionRunId ?? undefined;
      }
      console.log(
        `${months}-month ${method}: ${result.status}, ${events} events in ${runs} run(s), ${(events / months).toFixed(1)} per loan-month`,
      );
    }
  });
  await env.teardown();
  await pool.end();
  pg.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
