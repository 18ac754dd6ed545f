/**
 * A portfolio simulated on the real workflows (sim/run.ts), written as a report:
 * `npm run simulate -- --borrowers N --months M --seed S [--product P] [--out DIR] [--behaviour FILE]
 * [--workflow-threads T]`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { benchStack } from '../bench/stack';
import { getProduct } from '../domain/products';
import { loanWorkflowId } from '../contracts/loan';
import { SimulatedBank } from '../sim/bank';
import { defaulted } from '../sim/figures';
import { type BehaviourParameters, checkParameters } from '../sim/population';
import { writeReport } from '../sim/report';
import { runSimulation } from '../sim/run';

const root = path.resolve(__dirname, '..');

function progressBar(done: number, total: number, what: string): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round((done / total) * 100)).padStart(3)}% ${what.padEnd(32)}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      borrowers: { type: 'string', default: '100' },
      months: { type: 'string', default: '12' },
      seed: { type: 'string', default: '1' },
      product: { type: 'string', default: 'cash-installment' },
      out: { type: 'string', default: path.join(root, 'simulation') },
      behaviour: { type: 'string', default: path.join(root, 'sim', 'behaviour.json') },
      // Workflow threads of the loan worker (the SDK's default with a reused V8 context is 1).
      'workflow-threads': { type: 'string', default: '1' },
    },
  });
  const count = (name: string, v: string, max: number) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > max)
      throw new Error(`--${name} must be a whole number from 1 to ${max}`);
    return n;
  };
  const options = {
    borrowers: count('borrowers', values.borrowers!, 20_000),
    months: count('months', values.months!, 60),
    seed: count('seed', values.seed!, 2 ** 31),
    productCode: getProduct(values.product!).code,
  };
  const parameters = checkParameters(
    JSON.parse(readFileSync(values.behaviour!, 'utf8')) as BehaviourParameters,
  );
  const bank = new SimulatedBank();
  const threads = count('workflow-threads', values['workflow-threads']!, 8);
  const s = await benchStack(
    'loanflow_simulation',
    'time-skipping',
    undefined,
    { workflowThreadPoolSize: threads },
    {
      adapt: (a) => ({ ...a, bank }),
      postgres: { dir: 'simulation-pg', port: 55436 },
    },
  );
  const t0 = performance.now();
  try {
    const result = await runSimulation(s, { ...options, parameters, bank, progress: progressBar });
    const minutes = (performance.now() - t0) / 60_000;
    process.stderr.write('\n');
    const sample = result.loans.slice(0, 10);
    let events = 0;
    for (const l of sample)
      events += (await s.env.client.workflow.getHandle(loanWorkflowId(l.loanId)).describe()).historyLength;
    const loanMonths = sample.length * Math.min(options.months, 12);
    const figures = {
      'workflow threads': threads,
      'wall time': `${minutes.toFixed(1)} min`,
      'loan-years simulated per minute': ((result.approved * options.months) / 12 / minutes).toFixed(1),
      'history events per loan-month (current run, 10 loans)': loanMonths
        ? (events / loanMonths).toFixed(1)
        : '—',
      'process RSS at the end': `${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`,
    };
    const file = await writeReport(values.out!, result, { options, parameters, figures });
    const byGrade = new Map<string, { n: number; defaulted: number; closed: number }>();
    for (const l of result.loans) {
      const g = byGrade.get(l.grade) ?? { n: 0, defaulted: 0, closed: 0 };
      g.n += 1;
      if (defaulted(l)) g.defaulted += 1;
      if (l.status === 'closed') g.closed += 1;
      byGrade.set(l.grade, g);
    }
    console.table(
      [...byGrade]
        .sort()
        .map(([grade, g]) => ({ grade, loans: g.n, defaulted: g.defaulted, closed: g.closed })),
    );
    console.table(figures);
    for (const c of result.checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
    console.log(`report: ${file}`);
    if (result.checks.some((c) => !c.ok)) process.exitCode = 1;
  } finally {
    await s.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
