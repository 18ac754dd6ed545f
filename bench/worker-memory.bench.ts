/**
 * Worker RSS per cached loan: N 12-month loans held in one worker's cache on the time-skipping
 * server, RSS measured (after a GC when `--expose-gc` is given) at origination and as the loans age
 * to their last month, against the same worker before the loans started:
 * `npx tsx --expose-gc bench/worker-memory.bench.ts [loans]`.
 */
import { randomUUID } from 'node:crypto';
import { bankCard, idNumber, phone } from '../test/support/applicants';
import { loan } from '../workflows/loan';
import { getLoan, type LoanInput, loanWorkflowId } from '../contracts/loan';
import { atMost, benchMain, type BenchRow, row } from './table';
import { benchStack, type BenchStack } from './stack';

const DAY_MS = 86_400_000;
const MiB = 1024 * 1024;

/** A 12-month cash loan of 12,000.00, straight to disbursement (no credit line workflow). */
function input(): LoanInput {
  return {
    loanId: `ln_bench_${randomUUID()}`,
    creditLineId: `cl_bench_${randomUUID()}`,
    customerId: `cus_bench_${randomUUID()}`,
    productCode: 'cash-installment',
    principal: { amount: 1_200_000, currency: 'CNY' },
    termMonths: 12,
    method: 'annuity',
    purpose: 'bench',
    annualRate: '0.12',
    timeZone: 'Asia/Shanghai',
    payee: { kind: 'borrower', bankCard: bankCard() },
    borrower: { idNumber: idNumber(), phone: phone() },
  };
}

/** The process's RSS after a few collections (with --expose-gc), bytes. */
export async function rss(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  for (let i = 0; i < 3; i++) {
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
  return process.memoryUsage().rss;
}

/** Starts one loan straight to disbursement and answers its id. */
export async function startLoan(s: Pick<BenchStack, 'env' | 'taskQueue'>): Promise<string> {
  const x = input();
  await s.env.client.workflow.start(loan, {
    workflowId: loanWorkflowId(x.loanId),
    taskQueue: s.taskQueue,
    args: [x],
  });
  return x.loanId;
}

export async function startAll(s: BenchStack, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) ids.push(await startLoan(s));
  return ids;
}

/** Every loan answers its query from the cache, active and its books caught up. */
async function allSettled(s: BenchStack, ids: string[]): Promise<void> {
  for (const id of ids)
    for (;;) {
      const v = await s.env.client.workflow.getHandle(loanWorkflowId(id)).query(getLoan);
      if ((v.status === 'active' || v.status === 'closed') && v.ledgerPending === 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
}

export async function workerMemoryBench(args: string[]): Promise<BenchRow[]> {
  const n = Number(args[0] ?? 100);
  const s = await benchStack('loanflow_memory_bench', 'time-skipping');
  try {
    await allSettled(s, await startAll(s, 3)); // the bundle loaded and the code paths warm
    const base = await rss();
    const ids = await startAll(s, n);
    await allSettled(s, ids);
    const perLoan: [string, number][] = [['new', (await rss()) - base]];
    let aged = 0;
    for (const month of [3, 6, 9, 11]) {
      await s.env.sleep((month - aged) * 30.5 * DAY_MS);
      aged = month;
      await allSettled(s, ids);
      perLoan.push([`month ${month}`, (await rss()) - base]);
    }
    const worst = Math.max(...perLoan.map(([, b]) => b)) / n / MiB;
    return [
      row(
        `worker RSS per cached loan, ${n} loans, worst age`,
        '≤ 0.5 MB',
        perLoan.map(([age, b]) => `${age} ${(b / n / 1024).toFixed(0)} KiB`).join(', '),
        worst,
        atMost(0.5),
      ),
    ];
  } finally {
    await s.stop();
  }
}

if (require.main === module) benchMain(workerMemoryBench);
