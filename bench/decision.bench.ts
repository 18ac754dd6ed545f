/**
 * One decideCredit evaluation, timed 100k times: `npx tsx bench/decision.bench.ts`.
 * Inputs rotate through a pre-built set covering every path (approve, each review band, hard-rule
 * and scorecard declines, whitelist) so the figure is not one branch kept hot by the JIT.
 */
import { decideCredit, type CreditInput } from '../domain/decision';
import { idCheckCharacter } from '../domain/identity';
import { atMost, benchMain, type BenchRow, row } from './table';

const RUNS = 100_000;
const WARMUP = 10_000;

function idFor(birth: string, seq: number): string {
  const body = `110101${birth}${String(seq).padStart(3, '0')}`;
  return `${body}${idCheckCharacter(body)}`;
}

function inputs(): CreditInput[] {
  const births = [
    '19700315',
    '19751201',
    '19880704',
    '19960101',
    '20040229',
    '19820817',
    '19930521',
    '20090101',
  ];
  const listed = [null, null, null, null, null, null, 'whitelist', null, null, 'blacklist'] as const;
  const out: CreditInput[] = [];
  for (let i = 0; i < 997; i++) {
    out.push({
      applicant: { idNumber: idFor(births[i % births.length] ?? '19900101', i % 999) },
      requestedLimit: { amount: 100_000 + ((i * 7_919_113) % 40_000_000), currency: 'CNY' },
      product: { minAge: 18, maxAge: 60, minLimitMinor: 100_000, maxLimitMinor: 50_000_000 },
      asOf: '2026-11-20',
      screening: { listed: listed[i % listed.length] ?? null },
      identity: { matched: i % 23 !== 0 },
      bureau: {
        reportId: `rpt-${i}`,
        score: 560 + ((i * 37) % 341),
        currentDebtsMinor: (i * 104_729) % 30_000_000,
        overdueCountLast24m: i % 11 < 6 ? 0 : i % 7,
        maxDpdLast24m: (i * 11) % 100,
      },
    });
  }
  return out;
}

export function decisionBench(): BenchRow[] {
  const set = inputs();
  const outcomes = { approve: 0, decline: 0, review: 0 };
  for (let i = 0; i < WARMUP; i++) decideCredit(set[i % set.length] as CreditInput);

  const samples = new Float64Array(RUNS);
  for (let i = 0; i < RUNS; i++) {
    const input = set[i % set.length] as CreditInput;
    const t0 = process.hrtime.bigint();
    const d = decideCredit(input);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e3;
    outcomes[d.outcome]++;
  }
  samples.sort();
  const at = (q: number) => samples[Math.min(RUNS - 1, Math.floor(q * RUNS))] ?? NaN;
  const fmt = (us: number) => `${us.toFixed(1)} µs`;
  return [
    row(
      `credit rules (decideCredit × ${RUNS}) p99, ms`,
      '≤ 1 ms',
      `p50 ${fmt(at(0.5))}, p99 ${fmt(at(0.99))}, p99.9 ${fmt(at(0.999))}; approve ${outcomes.approve}, review ${outcomes.review}, decline ${outcomes.decline}`,
      at(0.99) / 1_000,
      atMost(1),
    ),
  ];
}

if (require.main === module) benchMain(decisionBench);
