/**
 * Quotes per second for a 360-installment annuity (the heaviest common quote), APR and validation
 * included. Run: npx tsx bench/quote.bench.ts [runs] [seconds-per-run]
 */
import { quote, type QuoteInput } from '../domain/quote';
import { benchMain, type BenchRow, median, row } from './table';

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

export function quoteBench(args: string[]): BenchRow[] {
  const runs = Math.max(5, Number(args[0] ?? 7));
  const seconds = Number(args[1] ?? 1);
  run(0.5); // warm-up: let the JIT settle before measuring
  const results: number[] = [];
  for (let r = 1; r <= runs; r++) results.push(run(seconds));
  return [
    row(
      'quotes/s, 360-installment annuity',
      '—',
      `median ${Math.round(median(results)).toLocaleString('en-US')} of ${runs} runs of ${seconds} s`,
      null,
    ),
  ];
}

if (require.main === module) benchMain(quoteBench);
