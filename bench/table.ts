/** One row of the bench table: what is measured, its goal, the figure and the ratio the goal is about. */
export interface BenchRow {
  metric: string;
  /** e.g. "≥ 0.7", "≤ 1.25", "≤ 1 ms"; "—" when the row is context, not a goal. */
  goal: string;
  /** The figures behind the ratio, as measured in this run. */
  measured: string;
  /** The number the goal compares; null when the row has no ratio. */
  ratio: number | null;
  /** Whether the goal is met; null when the row has no goal. */
  met: boolean | null;
}

export const atMost = (limit: number) => (x: number) => x <= limit;
export const atLeast = (limit: number) => (x: number) => x >= limit;

export function row(
  metric: string,
  goal: string,
  measured: string,
  ratio: number | null,
  check?: (x: number) => boolean,
): BenchRow {
  return { metric, goal, measured, ratio, met: ratio === null || !check ? null : check(ratio) };
}

export function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? NaN;
}

export const median = (xs: readonly number[]) => pct(xs, 50);

function fmtRatio(r: BenchRow): string {
  if (r.ratio === null) return '—';
  const n = Math.abs(r.ratio) >= 100 ? r.ratio.toFixed(0) : r.ratio.toFixed(2);
  return r.met === null ? n : `${n} ${r.met ? 'met' : 'MISSED'}`;
}

/** A plain-text table that reads in a terminal and pastes into an issue. */
export function formatTable(rows: readonly BenchRow[]): string {
  const cells = [
    ['metric', 'goal', 'measured', 'ratio'],
    ...rows.map((r) => [r.metric, r.goal, r.measured, fmtRatio(r)]),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...cells.map((line) => line[c]!.length)));
  const line = (cs: string[]) => `| ${cs.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(cells[0]!),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

/** Marks the machine-readable line a bench prints for bench/run.ts. */
export const ROWS_PREFIX = 'BENCH_ROWS ';

/**
 * A bench file's entry point: prints its table, or with `--rows` one JSON line for the runner. The
 * process exits when done: servers and pools a failed bench leaves behind must not keep it alive.
 */
export function benchMain(run: (args: string[]) => Promise<BenchRow[]> | BenchRow[]): void {
  const args = process.argv.slice(2);
  const rowsOnly = args.includes('--rows');
  Promise.resolve()
    .then(() => run(args.filter((a) => a !== '--rows')))
    .then(
      (rows) => {
        console.log(rowsOnly ? ROWS_PREFIX + JSON.stringify(rows) : formatTable(rows));
        process.exit(0);
      },
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
}
