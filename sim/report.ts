import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import type { SimResult } from './run';

/** What the report says the run was: its options, parameters and the machine's figures. */
export interface RunFacts {
  options: { borrowers: number; months: number; seed: number; productCode: string };
  parameters: unknown;
  figures: Record<string, string | number>;
}

const csv = (rows: (string | number | null)[][]) =>
  rows
    .map((r) =>
      r
        .map((c) =>
          c === null ? '' : /[",\n]/.test(String(c)) ? `"${String(c).replace(/"/g, '""')}"` : String(c),
        )
        .join(','),
    )
    .join('\n') + '\n';

/** Writes report.html (charts, self-contained), the figures as CSV, and the run's parameters into `dir`. */
export async function writeReport(dir: string, result: SimResult, facts: RunFacts): Promise<string> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'parameters.json'),
    JSON.stringify({ ...facts, startedOn: result.startedOn }, null, 2),
  );
  const buckets: (string | number | null)[][] = [['date', 'bucket', 'share']];
  const rates: (string | number | null)[][] = [['date', 'coincidental_m1_plus', 'lagged_m1_plus']];
  const grades: (string | number | null)[][] = [['date', 'grade', 'loans', 'late', 'defaulted', 'closed']];
  const ledger: (string | number | null)[][] = [['date', 'account', 'debit', 'credit']];
  for (const m of result.months) {
    const metrics = m.metrics as {
      buckets: { bucket: string; share: string | null }[];
      delinquency: {
        coincidental: { delinquent: { rate: string | null } };
        lagged: { delinquent: { rate: string | null } };
      };
    };
    for (const b of metrics.buckets) buckets.push([m.date, b.bucket, b.share]);
    rates.push([
      m.date,
      metrics.delinquency.coincidental.delinquent.rate,
      metrics.delinquency.lagged.delinquent.rate,
    ]);
    for (const [g, x] of Object.entries(m.byGrade))
      grades.push([m.date, g, x.loans, x.late, x.defaulted, x.closed]);
    for (const [a, x] of Object.entries(m.ledger)) ledger.push([m.date, a, x.debit, x.credit]);
  }
  const last = result.months.at(-1)?.metrics as
    { rollRates?: { from: string; to: string; rate: string | null }[] } | undefined;
  const roll: (string | number | null)[][] = [
    ['from', 'to', 'rate'],
    ...(last?.rollRates ?? []).map((r) => [r.from, r.to, r.rate]),
  ];
  const loans: (string | number | null)[][] = [
    ['loan_id', 'grade', 'behaviour', 'status', 'dpd', 'principal'],
    ...result.loans.map((l) => [l.loanId, l.grade, l.behaviour, l.status, l.dpd, l.principal]),
  ];
  for (const [name, rows] of Object.entries({
    buckets,
    delinquency: rates,
    grades,
    ledger,
    'roll-rates': roll,
    loans,
  }))
    writeFileSync(path.join(dir, `${name}.csv`), csv(rows));

  const bundle = await build({
    entryPoints: [path.join(__dirname, '..', 'web', 'src', 'sim-report.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2020',
    minify: true,
    tsconfig: path.join(__dirname, '..', 'web', 'tsconfig.json'),
    logLevel: 'warning',
  });
  const script = bundle.outputFiles[0]!.text.replace(/<\/script/gi, '<\\/script');
  const json = JSON.stringify({ months: result.months }).replace(/</g, '\\u003c');
  const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rowsOf = (pairs: [string, string | number][]) =>
    pairs.map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(String(v))}</td></tr>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>loanflow portfolio simulation</title>
<style>body{font:14px system-ui,sans-serif;margin:24px;color:#222}#charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(640px,1fr));gap:16px}
section{border:1px solid #ddd;border-radius:6px;padding:8px 12px}table{border-collapse:collapse}th,td{text-align:left;padding:2px 10px 2px 0}.ok{color:#176c2f}.bad{color:#a11}</style></head>
<body><h1>Portfolio simulation</h1>
<table>${rowsOf([
    ['borrowers', facts.options.borrowers],
    ['months', facts.options.months],
    ['seed', facts.options.seed],
    ['product', facts.options.productCode],
    ['started on', result.startedOn],
    ['approved and drawn', result.approved],
    ...Object.entries(facts.figures),
  ])}</table>
<h2>Honesty checks</h2><ul>${result.checks
    .map(
      (c) =>
        `<li class="${c.ok ? 'ok' : 'bad'}">${c.ok ? '✓' : '✗'} ${escape(c.name)}: ${escape(c.detail)}</li>`,
    )
    .join('')}</ul>
<div id="charts"></div>
<script type="application/json" id="data">${json}</script>
<script>${script}</script>
</body></html>
`;
  const file = path.join(dir, 'report.html');
  writeFileSync(file, html);
  return file;
}
