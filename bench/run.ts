/**
 * Every bench, one after another, each in its own process (so one bench's servers, caches and heap
 * never weigh on the next), printed as one table: `npm run bench [-- --quick] [-- --only a,b]`.
 * `--quick` runs each with small counts: it checks the benches work, its figures mean little.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { type BenchRow, formatTable, ROWS_PREFIX } from './table';

export interface BenchSpec {
  name: string;
  file: string;
  args: string[];
  quickArgs: string[];
  nodeFlags?: string[];
}

export const BENCHES: BenchSpec[] = [
  { name: 'decision', file: 'decision.bench.ts', args: [], quickArgs: [] },
  { name: 'quote', file: 'quote.bench.ts', args: [], quickArgs: ['5', '0.1'] },
  { name: 'apply-latency', file: 'apply-latency.ts', args: ['200'], quickArgs: ['10'] },
  { name: 'origination', file: 'origination.bench.ts', args: ['48'], quickArgs: ['4'] },
  { name: 'read-age', file: 'read-age.bench.ts', args: ['100'], quickArgs: ['5'] },
  { name: 'loan-history', file: 'loan-history.bench.ts', args: [], quickArgs: [] },
  { name: 'ledger', file: 'ledger.bench.ts', args: ['2000'], quickArgs: ['50'] },
  { name: 'console-pages', file: 'console-pages.bench.ts', args: ['25'], quickArgs: ['5'] },
  {
    name: 'worker-memory',
    file: 'worker-memory.bench.ts',
    args: ['100'],
    quickArgs: ['5'],
    nodeFlags: ['--expose-gc'],
  },
  {
    name: 'open-book',
    file: 'open-book.bench.ts',
    args: ['10000', '256'],
    quickArgs: ['20', '16'],
    nodeFlags: ['--expose-gc'],
  },
];

const TSX = path.resolve(__dirname, '..', 'node_modules', '.bin', 'tsx');

/** One bench's rows, or a row saying it failed (with the end of what it printed), never a throw. */
export function runBench(spec: BenchSpec, quick: boolean): Promise<BenchRow[]> {
  return new Promise((resolve) => {
    const child = spawn(
      TSX,
      [
        ...(spec.nodeFlags ?? []),
        path.join(__dirname, spec.file),
        '--rows',
        ...(quick ? spec.quickArgs : spec.args),
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(ROWS_PREFIX));
      if (code === 0 && line) return resolve(JSON.parse(line.slice(ROWS_PREFIX.length)) as BenchRow[]);
      const why = (
        err
          .trim()
          .split('\n')
          .find((l) => /Error|error:/.test(l)) ?? `exit ${code}`
      ).slice(0, 160);
      resolve([{ metric: `${spec.name}: bench failed`, goal: '—', measured: why, ratio: null, met: false }]);
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const quick = args.includes('--quick');
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((args[onlyAt + 1] ?? '').split(',')) : null;
  const rows: BenchRow[] = [];
  for (const spec of BENCHES.filter((b) => !only || only.has(b.name))) {
    const t = performance.now();
    console.error(`bench ${spec.name}…`);
    rows.push(...(await runBench(spec, quick)));
    console.error(`bench ${spec.name}: ${((performance.now() - t) / 1000).toFixed(0)} s`);
  }
  console.log(formatTable(rows));
  console.log(
    `node ${process.version}; ${quick ? 'QUICK run: counts too small for the figures to mean much; ' : ''}each ratio is from one run, on a machine others may share`,
  );
  if (rows.some((r) => r.metric.endsWith('bench failed'))) process.exitCode = 1;
}

if (require.main === module) void main();
