import * as Plot from '@observablehq/plot';

/**
 * The simulation report's charts (sim/report.ts inlines this bundle and the run's figures into one
 * HTML file, so it opens anywhere without a server or the internet).
 */

interface Rate {
  rate: string | null;
}
interface MonthEnd {
  date: string;
  metrics: {
    buckets: { bucket: string; share: string | null }[];
    delinquency: { coincidental: { delinquent: Rate }; lagged: { delinquent: Rate } };
    rollRates: { from: string; to: string; rate: string | null }[];
  };
  ledger: Record<string, { debit: number; credit: number }>;
  byGrade: Record<string, { loans: number; late: number; defaulted: number; closed: number }>;
}
interface Report {
  months: MonthEnd[];
}

const data = JSON.parse(document.getElementById('data')!.textContent!) as Report;
const when = (m: MonthEnd) => new Date(`${m.date}T00:00:00Z`);
const major = (minor: number) => minor / 100;
const num = (r: string | null) => (r === null ? null : Number(r));
const side = (m: MonthEnd, account: string) => m.ledger[account] ?? { debit: 0, credit: 0 };
const opts = { width: 620, height: 280, marginLeft: 64 };

function chart(id: string, title: string, plot: Element): void {
  const section = document.createElement('section');
  section.id = id;
  const h = document.createElement('h2');
  h.textContent = title;
  section.append(h, plot);
  document.getElementById('charts')!.append(section);
}

const buckets = data.months.flatMap((m) =>
  m.metrics.buckets.map((b) => ({ date: when(m), bucket: b.bucket, share: num(b.share) ?? 0 })),
);
chart(
  'bucket-shares',
  'Bucket shares of receivables',
  Plot.plot({
    ...opts,
    y: { label: 'share', tickFormat: '%', grid: true },
    color: { legend: true },
    marks: [Plot.areaY(buckets, { x: 'date', y: 'share', fill: 'bucket', order: 'appearance' })],
  }),
);

const delinquency = data.months.flatMap((m) => [
  { date: when(m), kind: 'coincidental M1+', rate: num(m.metrics.delinquency.coincidental.delinquent.rate) },
  { date: when(m), kind: 'lagged M1+', rate: num(m.metrics.delinquency.lagged.delinquent.rate) },
]);
chart(
  'delinquency',
  'Coincidental and lagged delinquency',
  Plot.plot({
    ...opts,
    y: { label: 'rate', tickFormat: '%', grid: true },
    color: { legend: true },
    marks: [
      Plot.lineY(
        delinquency.filter((d) => d.rate !== null),
        { x: 'date', y: 'rate', stroke: 'kind', marker: true },
      ),
    ],
  }),
);

const last = data.months.at(-1);
const roll = (last?.metrics.rollRates ?? []).map((r) => ({ ...r, value: num(r.rate) }));
chart(
  'roll-rates',
  `Roll rates into ${last?.date ?? '—'}`,
  Plot.plot({
    ...opts,
    color: { scheme: 'reds', legend: true, tickFormat: '%' },
    marks: [
      Plot.cell(roll, { x: 'to', y: 'from', fill: 'value', inset: 1 }),
      Plot.text(roll, {
        x: 'to',
        y: 'from',
        text: (d: { value: number | null }) => (d.value === null ? '—' : `${(d.value * 100).toFixed(1)}%`),
      }),
    ],
  }),
);

const vintage = data.months.flatMap((m, k) =>
  Object.entries(m.byGrade).map(([grade, g]) => ({
    mob: k + 1,
    grade,
    rate: g.loans ? g.defaulted / g.loans : 0,
  })),
);
chart(
  'vintage-by-grade',
  'Defaulted share by grade, months on book',
  Plot.plot({
    ...opts,
    x: { label: 'months on book' },
    y: { label: 'defaulted', tickFormat: '%', grid: true },
    color: { legend: true },
    marks: [Plot.lineY(vintage, { x: 'mob', y: 'rate', stroke: 'grade', marker: true })],
  }),
);

const losses = data.months.flatMap((m) => [
  { date: when(m), kind: 'written off', amount: major(side(m, 'write_off_expense').debit) },
  { date: when(m), kind: 'recovered', amount: major(side(m, 'recovery_income').credit) },
  {
    date: when(m),
    kind: 'risk reserve',
    amount: major(side(m, 'risk_reserve_provision').credit - side(m, 'risk_reserve_provision').debit),
  },
]);
chart(
  'losses',
  'Write-offs, recoveries and the risk reserve (cumulative)',
  Plot.plot({
    ...opts,
    y: { label: 'CNY', grid: true },
    color: { legend: true },
    marks: [Plot.lineY(losses, { x: 'date', y: 'amount', stroke: 'kind', marker: true })],
  }),
);

const cash = data.months.flatMap((m, k) => {
  const before = k ? data.months[k - 1] : undefined;
  const moved = (x: MonthEnd | undefined, f: (c: { debit: number; credit: number }) => number) =>
    x ? f(side(x, 'cash_clearing')) : 0;
  return [
    {
      date: when(m),
      kind: 'out (payouts)',
      amount: -major(moved(m, (c) => c.credit) - moved(before, (c) => c.credit)),
    },
    {
      date: when(m),
      kind: 'in (collected)',
      amount: major(moved(m, (c) => c.debit) - moved(before, (c) => c.debit)),
    },
  ];
});
chart(
  'cash',
  'Cash out and in, by month',
  Plot.plot({
    ...opts,
    y: { label: 'CNY', grid: true },
    color: { legend: true },
    marks: [Plot.rectY(cash, { x: 'date', interval: 'month', y: 'amount', fill: 'kind' }), Plot.ruleY([0])],
  }),
);
