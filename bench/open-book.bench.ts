/**
 * An open book on one worker: N loans started and left open on the dev server, the worker's cache
 * sized from a memory budget (worker/cache.ts, as worker/main.ts sizes it from WORKER_CACHE_MB), RSS
 * measured as the book grows and after reading a sample of loans (most replayed, being out of the
 * cache): `npx tsx --expose-gc bench/open-book.bench.ts [loans] [budget MiB]`.
 */
import { getLoan, loanWorkflowId } from '../contracts/loan';
import type { Pool } from '../db/pool';
import { cachedWorkflowsFor } from '../worker/cache';
import { benchStack, throughput } from './stack';
import { atMost, benchMain, type BenchRow, pct, row } from './table';
import { rss, startLoan } from './worker-memory.bench';

const MiB = 1024 * 1024;
const READS = 200;

/** Waits until the read model holds `count` loans past disbursement: the worker is idle again. */
async function settled(pool: Pool, count: number): Promise<void> {
  for (;;) {
    const { rows } = await pool.query<{ n: number }>(
      "select count(*)::int as n from loans where status <> 'disbursing'",
    );
    if ((rows[0]?.n ?? 0) >= count) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function openBookBench(args: string[]): Promise<BenchRow[]> {
  const n = Number(args[0] ?? 10_000);
  const budgetMiB = Number(args[1] ?? 256);
  const cache = cachedWorkflowsFor(budgetMiB);
  const s = await benchStack('loanflow_open_book_bench', 'dev', undefined, { maxCachedWorkflows: cache });
  try {
    const base = await rss();
    const ids: string[] = [];
    const grown: [number, number][] = [];
    const step = Math.max(1, Math.ceil(n / 5));
    const started = performance.now();
    while (ids.length < n) {
      const batch = Math.min(step, n - ids.length);
      await throughput(batch, 16, async () => {
        ids.push(await startLoan(s));
      });
      await settled(s.pool, ids.length);
      grown.push([ids.length, (await rss()) - base]);
    }
    const startSeconds = (performance.now() - started) / 1000;
    // Reads of loans spread over the book: most are out of the cache and replay their history.
    const readMs: number[] = [];
    for (let i = 0; i < READS; i++) {
      const id = ids[Math.floor((i * ids.length) / READS)]!;
      const t = performance.now();
      await s.env.client.workflow.getHandle(loanWorkflowId(id)).query(getLoan);
      readMs.push(performance.now() - t);
    }
    grown.push([ids.length, (await rss()) - base]);
    // Bounded: once the cache is full (well before the first checkpoint), more loans add no memory.
    // Each checkpoint is taken with the worker idle, every loan started so far disbursed.
    // The book five times larger, read as well: its RSS beside the first checkpoint's (GC makes each
    // checkpoint wander by tens of MiB; an unbounded cache would add about 1 MiB per loan).
    const first = grown[0]![1];
    const last = grown.at(-1)![1];
    return [
      row(
        `worker RSS, ${n} open loans read ÷ the first ${grown[0]![0]}, cache ${cache} (budget ${budgetMiB} MiB)`,
        '≤ 1.2',
        `${grown.map(([k, b]) => `${k}: ${(b / MiB).toFixed(0)}`).join(', ')} MiB (last after ${READS} reads, ` +
          `p99 ${pct(readMs, 99).toFixed(0)} ms); started and disbursed in ${startSeconds.toFixed(0)} s`,
        last / first,
        atMost(1.2),
      ),
    ];
  } finally {
    await s.stop();
  }
}

if (require.main === module) benchMain(openBookBench);
