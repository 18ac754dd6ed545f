import * as Plot from '@observablehq/plot';
import { api, ApiError } from '../api';
import { h, mount } from '../dom';
import { money, type Money } from '../format';
import { t } from '../i18n';
import type { PageContext } from '../main';

type Rate = string | null;
interface Metrics {
  date: string;
  currency: string;
  loans: number;
  receivables: Money;
  buckets: { bucket: string; loans: number; outstandingPrincipal: Money }[];
  delinquency: { coincidental: { delinquent: { rate: Rate } }; lagged: { delinquent: { rate: Rate } } };
  rollRates: { from: string; to: string; rate: Rate }[];
  vintages: { vintage: string; delinquentRate: Rate; outstanding: Money }[];
}

/** How many daily snapshots the time series reach back. */
const DAYS = 14;
const num = (r: Rate) => (r === null ? null : Number(r));
const major = (m: Money) => m.amount / 100;

const dayBefore = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
};

/** Portfolio health from the daily snapshots: the latest day's metrics and the days before it. */
export async function dashboardPage({ root }: PageContext): Promise<void> {
  const product = h('input', {
    id: 'filter-product',
    placeholder: 'cash-installment',
    pattern: '[a-z0-9-]{1,64}',
  });
  const state = h('p', { class: 'state', role: 'status', id: 'dashboard-state' });
  const charts = h('div', { class: 'grid charts' });
  async function load() {
    state.textContent = t('loading');
    charts.replaceChildren();
    const scope = product.value ? `&productCode=${encodeURIComponent(product.value)}` : '';
    try {
      const latest = await api<Metrics>('GET', `/v1/portfolio/metrics?lagMonths=1${scope}`);
      // Days without a snapshot answer 404; the series simply has a gap there.
      const earlier = await Promise.all(
        Array.from({ length: DAYS - 1 }, (_, k) =>
          api<Metrics>('GET', `/v1/portfolio/metrics?date=${dayBefore(latest.date, k + 1)}${scope}`).catch(
            () => null,
          ),
        ),
      );
      const series = [latest, ...earlier.filter((m): m is Metrics => m !== null)].reverse();
      state.textContent = `${latest.date} · ${latest.loans} ${t('loansOnBook')} · ${t('receivables')} ${money(latest.receivables)} · ${series.length} ${t('snapshots')}`;
      mount(charts, drawAll(series, latest));
    } catch (err) {
      state.textContent = err instanceof ApiError ? err.message : String(err);
    }
  }
  mount(
    root,
    h('h1', {}, t('dashboard')),
    h(
      'form',
      {
        class: 'filters',
        onsubmit: (e: Event) => {
          e.preventDefault();
          void load();
        },
      },
      h('label', {}, t('product'), ' ', product),
      h('button', { type: 'submit' }, t('apply')),
    ),
    state,
    charts,
  );
  await load();
}

function drawAll(series: Metrics[], latest: Metrics): HTMLElement[] {
  const date = (m: Metrics) => new Date(`${m.date}T00:00:00Z`);
  const buckets = series.flatMap((m) =>
    m.buckets.map((b) => ({ date: date(m), bucket: b.bucket, amount: major(b.outstandingPrincipal) })),
  );
  const delinquency = series
    .flatMap((m) => [
      { date: date(m), kind: t('coincidental'), rate: num(m.delinquency.coincidental.delinquent.rate) },
      { date: date(m), kind: t('lagged'), rate: num(m.delinquency.lagged.delinquent.rate) },
    ])
    .filter((d) => d.rate !== null);
  const vintages = series.flatMap((m) =>
    m.vintages.map((v) => ({ date: date(m), vintage: v.vintage, rate: num(v.delinquentRate) ?? 0 })),
  );
  const roll = latest.rollRates.map((r) => ({ ...r, value: num(r.rate) }));
  const opts = { width: 560, height: 260, marginLeft: 60, className: 'lf-plot' };
  return [
    chart(
      'buckets',
      t('bucketsOverTime'),
      Plot.plot({
        ...opts,
        color: { legend: true },
        y: { label: `${latest.currency}` },
        x: { type: 'band', tickFormat: '%m-%d' },
        marks: [Plot.barY(buckets, { x: 'date', y: 'amount', fill: 'bucket' }), Plot.ruleY([0])],
      }),
    ),
    chart(
      'delinquency',
      t('delinquencyOverTime'),
      Plot.plot({
        ...opts,
        color: { legend: true },
        x: { ticks: 'day', tickFormat: '%m-%d' },
        y: { percent: true, label: '%', tickFormat: '.1f' },
        marks: [
          Plot.lineY(delinquency, { x: 'date', y: 'rate', stroke: 'kind', marker: 'circle' }),
          Plot.ruleY([0]),
        ],
      }),
    ),
    chart(
      'roll',
      `${t('rollRates')} (${latest.date})`,
      Plot.plot({
        ...opts,
        marginLeft: 50,
        color: { scheme: 'oranges', legend: true, percent: true },
        marks: [
          Plot.cell(roll, { x: 'to', y: 'from', fill: 'value' }),
          Plot.text(roll, {
            x: 'to',
            y: 'from',
            text: (d: { value: number | null }) =>
              d.value === null ? '—' : `${(d.value * 100).toFixed(1)}%`,
          }),
        ],
      }),
    ),
    chart(
      'vintage',
      t('vintageCurves'),
      Plot.plot({
        ...opts,
        color: { legend: true },
        x: { ticks: 'day', tickFormat: '%m-%d' },
        y: { percent: true, label: '%', tickFormat: '.1f' },
        marks: [
          Plot.lineY(vintages, { x: 'date', y: 'rate', stroke: 'vintage', marker: 'dot' }),
          Plot.ruleY([0]),
        ],
      }),
    ),
  ];
}

/**
 * Plot puts a small stylesheet in each figure; the CSP allows no inline style, so those rules live
 * in app.css (under the class named here) and the elements go before the figure meets the page.
 */
function chart(id: string, title: string, figure: Element): HTMLElement {
  for (const style of figure.querySelectorAll('style')) style.remove();
  return h('section', { class: 'card chart', id: `chart-${id}` }, h('h2', {}, title), figure);
}
