/**
 * Origination throughput through the API (apply → drawdown → loan active in the read model) at 8 and
 * 16 in flight, beside no-op workflows (start + one update) per second at the same concurrency, in
 * the same run on the dev server: `npx tsx bench/origination.bench.ts [originations-per-level]`.
 */
import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { applicationBody } from '../test/support/applicants';
import { testDataConverter } from '../test/support/temporal';
import { ping } from './noop-workflow';
import { atLeast, benchMain, type BenchRow, median, row } from './table';
import { benchStack, type BenchStack, call, throughput } from './stack';

const LEVELS = [8, 16];

async function originate(s: BenchStack, timings?: number[][]): Promise<void> {
  const t0 = performance.now();
  const line = await call(
    s,
    s.keys.client,
    'POST',
    '/v1/credit-lines',
    applicationBody({ amount: 3_000_000 }),
    randomUUID(),
  );
  if (line.status !== 'active') throw new Error(`application not approved: ${JSON.stringify(line)}`);
  const t1 = performance.now();
  const drawn = await call(
    s,
    s.keys.client,
    'POST',
    `/v1/credit-lines/${String(line.id)}/drawdowns`,
    { amount: { amount: 1_000_000, currency: 'CNY' }, termMonths: 12, purpose: 'bench' },
    randomUUID(),
  );
  const t2 = performance.now();
  // The read model is what listings and reconciliation see: the loan is active once its row says so.
  for (;;) {
    const res = await s.pool.query<{ status: string }>('select status from loans where id = $1', [
      drawn.loanId,
    ]);
    const status = res.rows[0]?.status;
    if (status === 'active') break;
    if (status && status !== 'disbursing') throw new Error(`loan ${String(drawn.loanId)} is ${status}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  timings?.push([t1 - t0, t2 - t0, performance.now() - t0]);
}

export async function originationBench(args: string[]): Promise<BenchRow[]> {
  const n = Number(args[0] ?? 48);
  const s = await benchStack('loanflow_origination_bench', 'dev', async (env) => [
    await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-noop',
      workflowsPath: require.resolve('./noop-workflow'),
      dataConverter: testDataConverter,
    }),
  ]);
  const noop = async () => {
    await s.env.client.workflow.executeUpdateWithStart(ping, {
      startWorkflowOperation: new WithStartWorkflowOperation('noop', {
        workflowId: `noop-${randomUUID()}`,
        taskQueue: 'bench-noop',
        workflowIdConflictPolicy: 'USE_EXISTING',
      }),
    });
  };
  try {
    const single: number[][] = [];
    for (let i = 0; i < 5; i++) await originate(s, single); // warm-up, and the single-origination split
    await throughput(20, 4, noop);
    const rows: BenchRow[] = [];
    for (const inFlight of LEVELS) {
      // Same concurrency, back to back, so both see the same machine.
      const noopPerS = await throughput(n * 4, inFlight, noop);
      const origPerS = await throughput(n, inFlight, () => originate(s));
      rows.push(
        row(
          `origination ÷ no-op workflows/s, ${inFlight} in flight`,
          '≥ 0.7',
          `${origPerS.toFixed(1)} / ${noopPerS.toFixed(1)} per s`,
          origPerS / noopPerS,
          atLeast(0.7),
        ),
      );
    }
    const at = (k: number) => median(single.map((t) => t[k]!)).toFixed(0);
    rows.push(
      row(
        'single origination, p50 of 5 (cumulative)',
        '—',
        `apply ${at(0)} ms, drawdown ${at(1)} ms, active ${at(2)} ms`,
        null,
      ),
    );
    return rows;
  } finally {
    await s.stop();
  }
}

if (require.main === module) benchMain(originationBench);
