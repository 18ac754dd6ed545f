/**
 * Balanced ledger postings per second beside single-row insert commits per second on the same
 * PostgreSQL, same run: `npx tsx bench/ledger.bench.ts [postings-per-round]`. Both are sequential
 * (one client, one commit per posting), so the ratio is the cost of double entry and its checks.
 */
import path from 'node:path';
import { ledgerRepository } from '../db/ledger';
import { migrateUp } from '../db/migrate';
import { createPool } from '../db/pool';
import { repaymentEntry } from '../domain/ledger';
import { startOwnedPostgres } from '../scripts/lib/postgres';

const N = Number(process.argv[2] ?? 2000);
const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '..');
  // fsync stays on: the comparison is of commits as production makes them.
  const pg = await startOwnedPostgres({
    dataDir: path.join(root, '.data', 'bench-pg'),
    port: 55434,
    database: 'loanflow_ledger_bench',
    fresh: true,
  });
  await migrateUp(pg.url);
  const pool = createPool(pg.url);
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
  console.log(`rounds: ${ROUNDS} × ${N}, sequential, one commit each (5-line repayment entries)`);
  console.log(
    `balanced postings/s   ${postings.map((x) => x.toFixed(0)).join(' ')}   median ${median(postings).toFixed(0)}`,
  );
  console.log(
    `single-row inserts/s  ${inserts.map((x) => x.toFixed(0)).join(' ')}   median ${median(inserts).toFixed(0)}`,
  );
  console.log(
    `ratio (medians) ${(median(postings) / median(inserts)).toFixed(2)}×   unbalanced entries after the run: ${unbalancedEntries}`,
  );
  await pool.end();
  pg.stop();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
