/**
 * History events per clean loan-month: loans repaid by autopay to closure on the time-skipping
 * server, their whole history counted; then a card-0004 loan taken all the way to write-off at DPD
 * 180, with its collection workflow: `npx tsx bench/loan-history.bench.ts`.
 */
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { createAdapters } from '../adapters';
import { bankCard, idNumber, phone } from '../test/support/applicants';
import { timeSkippingEnv } from '../test/support/temporal';
import { loanflowWorkersOn } from '../test/support/workers';
import { addDays, instantOfLocal } from '../domain/localdate';
import { collectionWorkflowId } from '../contracts/collection';
import { loan } from '../workflows/loan';
import { getLoan, type LoanInput, loanWorkflowId } from '../contracts/loan';
import { benchPostgres } from './postgres';
import { atMost, benchMain, type BenchRow, row } from './table';

type History = temporal.api.history.v1.IHistory;
type IWorkflowExecutionStartedEventAttributes =
  temporal.api.history.v1.IWorkflowExecutionStartedEventAttributes;

export async function loanHistoryBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const { pg, pool } = await benchPostgres('loanflow_history_bench', true);
  const env = await timeSkippingEnv();
  const workers = await loanflowWorkersOn(env, {
    taskQueue: 'bench-history',
    pool,
    adapters: createAdapters({ mode: 'sandbox' }),
  });
  const running = workers.runAll();
  try {
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
      rows.push(
        row(
          `history events per clean loan-month, ${months}-month ${method}`,
          months === 12 ? '≤ 12' : '—',
          `${events} events in ${runs} run(s), ${result.status}`,
          events / months,
          months === 12 ? atMost(12) : undefined,
        ),
      );
    }
    await writeOff();
  } finally {
    workers.shutdown();
    await running;
  }

  async function writeOff(): Promise<void> {
    const zone = 'Asia/Shanghai';
    const input: LoanInput = {
      loanId: `ln_bench_${randomUUID()}`,
      creditLineId: `cl_bench_${randomUUID()}`,
      customerId: `cus_bench_${randomUUID()}`,
      productCode: 'bill-installment',
      principal: { amount: 300_000, currency: 'CNY' },
      termMonths: 3,
      method: 'flat',
      purpose: 'bench',
      annualRate: '0.12',
      timeZone: zone,
      payee: { kind: 'borrower', bankCard: bankCard('0004') },
      borrower: { idNumber: idNumber(), phone: phone() },
    };
    const handle = await env.client.workflow.start(loan, {
      workflowId: loanWorkflowId(input.loanId),
      taskQueue: 'bench-history',
      args: [input],
    });
    let v = await handle.query(getLoan);
    while (v.status !== 'active') v = await handle.query(getLoan);
    const due = v.installments[0]!.dueDate;
    await env.sleep(instantOfLocal(addDays(due, 181), '12:00', zone) - (await env.currentTimeMs()));
    while ((v = await handle.query(getLoan)).status !== 'written_off' || v.ledgerPending > 0)
      await new Promise((r) => setTimeout(r, 50));
    const loanEvents = (await handle.fetchHistory()).events?.length ?? 0;
    const collectionEvents =
      (await env.client.workflow.getHandle(collectionWorkflowId(input.loanId)).fetchHistory()).events
        ?.length ?? 0;
    rows.push(
      row(
        '3-month loan to write-off at DPD 180: events in one run',
        '< 50,000',
        `${loanEvents} loan, ${collectionEvents} collection`,
        null,
      ),
    );
    await handle.terminate('bench over');
  }
  await env.teardown();
  await pool.end();
  pg.stop();
  return rows;
}

if (require.main === module) benchMain(loanHistoryBench);
