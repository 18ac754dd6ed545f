/**
 * `GET /v1/loans/{id}` and `/schedule` p99 through the API on a loan at day 700 ÷ one at day 1, with
 * the worker's cache on (default size) and off (`maxCachedWorkflows: 0`, so any workflow query
 * replays the whole history). The time-skipping server ages the old loan by autopay, installment by
 * installment: `npx tsx bench/read-age.bench.ts [requests-per-case]`. Reads use an ops key: a
 * client's ownership check needs a credit line, which the time-skipping server cannot start
 * (update-with-start); test/api covers the client's path.
 */
import { randomUUID } from 'node:crypto';
import { bankCard, idNumber, phone } from '../test/support/applicants';
import { loan } from '../workflows/loan';
import { getLoan, type LoanView, type LoanInput, loanWorkflowId } from '../contracts/loan';
import { atMost, benchMain, type BenchRow, pct, row } from './table';
import { benchStack, type BenchStack, call } from './stack';

const DAY_MS = 86_400_000;
const AGE_DAYS = 700;

function input(): LoanInput {
  return {
    loanId: `ln_bench_${randomUUID()}`,
    creditLineId: `cl_bench_${randomUUID()}`,
    customerId: `cus_bench_${randomUUID()}`,
    productCode: 'cash-equal-principal',
    principal: { amount: 3_600_000, currency: 'CNY' },
    termMonths: 36,
    method: 'equal-principal',
    purpose: 'bench',
    annualRate: '0.12',
    timeZone: 'Asia/Shanghai',
    payee: { kind: 'borrower', bankCard: bankCard() },
    borrower: { idNumber: idNumber(), phone: phone() },
  };
}

async function startLoan(s: BenchStack): Promise<string> {
  const i = input();
  await s.env.client.workflow.start(loan, {
    workflowId: loanWorkflowId(i.loanId),
    taskQueue: s.taskQueue,
    args: [i],
  });
  await settled(s, i.loanId, (v) => v.status === 'active');
  return i.loanId;
}

/** Until the workflow is in the wanted state with its books and read model caught up. */
async function settled(s: BenchStack, loanId: string, done: (v: LoanView) => boolean): Promise<LoanView> {
  for (;;) {
    const v = await s.env.client.workflow.getHandle(loanWorkflowId(loanId)).query(getLoan);
    const saved = await s.pool.query<{ version: number }>('select version from loans where id = $1', [
      loanId,
    ]);
    if (done(v) && v.ledgerPending === 0 && saved.rows[0]?.version === v.version) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function p99s(s: BenchStack, ids: { young: string; old: string }, n: number) {
  const ms: Record<string, number[]> = {};
  const time = async (name: string, url: string) => {
    const t = performance.now();
    await call(s, s.keys.ops, 'GET', url);
    (ms[name] ??= []).push(performance.now() - t);
  };
  for (let i = 0; i < n + 5; i++) {
    const warm = i < 5;
    for (const [age, id] of Object.entries(ids)) {
      await time(warm ? 'warm' : `${age} loan`, `/v1/loans/${id}`);
      await time(warm ? 'warm' : `${age} schedule`, `/v1/loans/${id}/schedule`);
    }
  }
  return (k: string) => pct(ms[k]!, 99);
}

export async function readAgeBench(args: string[]): Promise<BenchRow[]> {
  const n = Number(args[0] ?? 100);
  // Uncached first: a worker restarted after caching leaves its loans bound to a sticky queue no one
  // polls, and the time-skipping server then holds their queries.
  const s = await benchStack('loanflow_read_age_bench', 'time-skipping', undefined, {
    maxCachedWorkflows: 0,
  });
  try {
    const old = await startLoan(s);
    console.error('read-age: ageing a loan');
    await s.env.sleep(AGE_DAYS * DAY_MS);
    const oldView = await settled(s, old, () => true);
    const young = await startLoan(s);
    const events = (await s.env.client.workflow.getHandle(loanWorkflowId(old)).fetchHistory()).events?.length;
    const age = `day ${AGE_DAYS} (${oldView.installments.filter((i) => i.status === 'paid').length} paid, ${events} events) ÷ day 1`;
    const rows: BenchRow[] = [];
    for (const cache of ['uncached', 'cached'] as const) {
      if (cache === 'cached') await s.restartWorkers();
      console.error(`read-age: ${cache} reads`);
      const p = await p99s(s, { young, old }, n);
      for (const what of ['loan', 'schedule'] as const) {
        const path = what === 'loan' ? 'GET /v1/loans/{id}' : 'GET /v1/loans/{id}/schedule';
        rows.push(
          row(
            `${path} p99 ${age}, ${cache}`,
            '≤ 1.2',
            `${p(`old ${what}`).toFixed(1)} / ${p(`young ${what}`).toFixed(1)} ms`,
            p(`old ${what}`) / p(`young ${what}`),
            atMost(1.2),
          ),
        );
      }
    }
    return rows;
  } finally {
    await s.stop();
  }
}

if (require.main === module) benchMain(readAgeBench);
