/**
 * Balanced ledger postings per second beside single-row insert commits per second on the same
 * PostgreSQL, same run: `npx tsx bench/ledger.bench.ts [postings-per-round]`. Both are sequential
 * (one client, one commit per posting), so the ratio is the cost of double entry and its checks.
 */
import { ledgerRepository } from '../db/ledger';
import { repaymentEntry } from '../domain/ledger';
import { benchPostgres } from './postgres';
import { atLeast, benchMain, type BenchRow, row } from './table';

const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

export async function ledgerBench(args: string[]): Promise<BenchRow[]> {
  const N = Number(args[0] ?? 2000);
  // fsync stays on: the comparison is of commits as production makes them.
  const { pg, pool } = await benchPostgres('loanflow_ledger_bench');
  const ledger = ledgerRepository(pool);
  await pool.query(
    'create table plain_inserts (id bigserial primary key, loan_id text not null, amount bigint not null)',
  );

  const postings: number[] = [];
  const inserts: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    let t = performance.now();
    for (let i = 0; i < N; i++) {
      await ledger.post(
        repaymentEntry({
          loanId: `ln_bench_${i % 50}`,
          eventId: `bench:${round}:${i}`,
          date: '2026-11-22',
          currency: 'CNY',
          received: 110_000,
          principal: 100_000,
          interest: 9_000,
          fees: 500,
          penalty: 0,
          toCredit: 500,
        }),
      );
    }
    postings.push((N / (performance.now() - t)) * 1000);
    t = performance.now();
    for (let i = 0; i < N; i++)
      await pool.query('insert into plain_inserts (loan_id, amount) values ($1, $2)', [
        `ln_bench_${i % 50}`,
        110_000,
      ]);
    inserts.push((N / (performance.now() - t)) * 1000);
  }
  const { unbalancedEntries } = await ledger.trialBalance();
  await pool.end();
  pg.stop();
  if (unbalancedEntries > 0) throw new Error(`${unbalancedEntries} unbalanced entries after the run`);
  return [
    row(
      'ledger balanced postings/s ÷ single-row insert commits/s',
      '≥ 0.7',
      `${median(postings).toFixed(0)} / ${median(inserts).toFixed(0)} per s (medians of ${ROUNDS} × ${N})`,
      median(postings) / median(inserts),
      atLeast(0.7),
    ),
  ];
}

if (require.main === module) benchMain(ledgerBench);
