/**
 * Quotes per second for a 360-installment annuity (the heaviest common quote), APR and validation
 * included. Run: npx tsx bench/quote.bench.ts [runs] [seconds-per-run]
 */
import { quote, type QuoteInput } from '../domain/quote';

const input: QuoteInput = {
  amount: 100_000_000,
  annualRate: '0.049',
  termCount: 360,
  method: 'annuity',
  startDate: '2026-01-15',
};

function run(seconds: number): number {
  let count = 0;
  let sink = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  let now = start;
  while (now < end) {
    for (let i = 0; i < 100; i++) {
      // A different amount each time so nothing can be reused between quotes.
      sink += quote({ ...input, amount: input.amount + (count % 1000) }).totals.interest;
      count++;
    }
    now = performance.now();
  }
  if (sink === 0) throw new Error('unreachable');
  return count / ((now - start) / 1000);
}

const runs = Math.max(5, Number(process.argv[2] ?? 7));
const seconds = Number(process.argv[3] ?? 1);
run(0.5); // warm-up: let the JIT settle before measuring
const results: number[] = [];
for (let r = 1; r <= runs; r++) {
  const qps = run(seconds);
  results.push(qps);
  console.log(`run ${r}: ${Math.round(qps).toLocaleString('en-US')} quotes/s`);
}
const sorted = [...results].sort((a, b) => a - b);
const median = sorted[Math.floor(sorted.length / 2)]!;
console.log(
  `median: ${Math.round(median).toLocaleString('en-US')} quotes/s (360-installment annuity, ${runs} runs of ${seconds}s, node ${process.version})`,
);
