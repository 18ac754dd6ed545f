import * as Plot from '@observablehq/plot';
import { api, ApiError } from '../api';
import { h, mount } from '../dom';
import { localDate, major, money, type Money } from '../format';
import { locale, t } from '../i18n';
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
  vintages: {
    vintage: string;
    monthsOnBook: number;
    delinquentRate: Rate;
    disbursedRate: Rate;
    outstanding: Money;
  }[];
}

interface CashflowDay {
  date: string;
  disbursed: Money;
  paidOut: Money;
  loans: number;
  collected: Money;
  payments: number;
}
interface Cashflows {
  from: string;
  to: string;
  series: { currency: string; disbursed: Money; collected: Money; days: CashflowDay[] }[];
}

/** How many daily snapshots the time series reach back. */
const DAYS = 14;
/** How many month-apart snapshots the vintage curves reach back. */
const MONTHS = 13;
const num = (r: Rate) => (r === null ? null : Number(r));
const utcDay = (date: string) => new Date(`${date}T00:00:00Z`);

const dayBefore = (date: string, days: number) => {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
};

/** The API's lag rule (api/routes/portfolio.ts `monthsBefore`): month end to month end, else the day clamped. */
function monthsBefore(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const lastDay = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
  const index = y * 12 + (m - 1) - months;
  const [ey, em] = [Math.floor(index / 12), (index % 12) + 1];
  const day = d === lastDay(y, m) ? lastDay(ey, em) : Math.min(d, lastDay(ey, em));
  return `${ey}-${String(em).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

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
    const flows = h('section', { class: 'card chart', id: 'chart-cashflows' }, h('h2', {}, t('cashflows')));
    mount(charts, flows);
    const scope = product.value ? `&productCode=${encodeURIComponent(product.value)}` : '';
    // The ledger's cash flows do not wait for, nor fail with, the snapshots.
    await Promise.all([loadCashflows(flows, scope), loadMetrics(scope)]);
  }
  async function loadMetrics(scope: string) {
    try {
      const latest = await api<Metrics>('GET', `/v1/portfolio/metrics?lagMonths=1${scope}`);
      // Days without a snapshot answer 404; the series simply has a gap there.
      const at = (date: string) =>
        api<Metrics>('GET', `/v1/portfolio/metrics?date=${date}&currency=${latest.currency}${scope}`).catch(
          () => null,
        );
      const [earlier, monthsAgo] = await Promise.all([
        Promise.all(Array.from({ length: DAYS - 1 }, (_, k) => at(dayBefore(latest.date, k + 1)))),
        Promise.all(Array.from({ length: MONTHS - 1 }, (_, k) => at(monthsBefore(latest.date, k + 1)))),
      ]);
      const found = (list: (Metrics | null)[]) => list.filter((m): m is Metrics => m !== null);
      const series = [latest, ...found(earlier)].reverse();
      const monthly = [latest, ...found(monthsAgo)];
      state.textContent = `${latest.date} · ${latest.loans} ${t('loansOnBook')} · ${t('receivables')} ${money(latest.receivables)} · ${series.length} ${t('snapshots')}`;
      for (const c of drawAll(series, latest, monthly)) charts.appendChild(c);
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
      h('button', { type: 'submit', id: 'dashboard-apply' }, t('apply')),
    ),
    state,
    charts,
  );
  await load();
}

/** The last 30 business days of money out and in, a chart per currency; the card says why when it cannot. */
async function loadCashflows(card: HTMLElement, scope: string): Promise<void> {
  const note = h('p', { class: 'state', id: 'cashflows-state' }, t('loading'));
  card.appendChild(note);
  try {
    const flows = await api<Cashflows>('GET', `/v1/portfolio/cashflows?${scope.slice(1)}`);
    note.textContent = `${localDate(flows.from)} – ${localDate(flows.to)}`;
    if (flows.series.length === 0) note.textContent += ` · ${t('empty')}`;
    for (const s of flows.series) {
      const figure = stripStyles(drawCashflows(flows, s));
      card.appendChild(
        h(
          'div',
          { class: 'cashflow', 'data-currency': s.currency },
          h(
            'p',
            { class: 'totals' },
            `${t('disbursed')} ${money(s.disbursed)} · ${t('collected')} ${money(s.collected)}`,
          ),
          figure,
        ),
      );
    }
  } catch (err) {
    note.textContent = err instanceof ApiError ? err.message : String(err);
  }
}

/** Disbursements below the axis (money out), collections above it (money in): one bar each per day. */
function drawCashflows(flows: Cashflows, s: Cashflows['series'][number]): Element {
  const bars = s.days
    .flatMap((d) => [
      {
        date: utcDay(d.date),
        kind: t('disbursed'),
        value: -major(d.disbursed),
        title: `${t('disbursed')} ${localDate(d.date)}: ${money(d.disbursed)} · ${d.loans} ${t('loansDisbursed')} · ${t('paidOut')} ${money(d.paidOut)}`,
      },
      {
        date: utcDay(d.date),
        kind: t('collected'),
        value: major(d.collected),
        title: `${t('collected')} ${localDate(d.date)}: ${money(d.collected)} · ${d.payments} ${t('paymentsReceived')}`,
      },
    ])
    .filter((b) => b.value !== 0);
  const end = utcDay(flows.to);
  end.setUTCDate(end.getUTCDate() + 1);
  const amount = new Intl.NumberFormat(locale(), { maximumFractionDigits: 0 });
  return Plot.plot({
    width: 1160,
    height: 280,
    marginLeft: 80,
    className: 'lf-plot',
    color: {
      legend: true,
      domain: [t('disbursed'), t('collected')],
      range: ['#c2410c', '#15803d'],
    },
    x: { type: 'utc', domain: [utcDay(flows.from), end], tickFormat: '%m-%d', label: null },
    y: {
      grid: true,
      label: `${t('cashflowAxis')} (${s.currency})`,
      tickFormat: (v: number) => amount.format(Math.abs(v)),
    },
    marks: [
      Plot.rectY(bars, { x: 'date', interval: 'day', y: 'value', fill: 'kind', title: 'title', inset: 1 }),
      Plot.ruleY([0]),
    ],
  });
}

function drawAll(series: Metrics[], latest: Metrics, monthly: Metrics[]): HTMLElement[] {
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
  // A vintage's curve: its delinquent share of what it lent, at each month of its life.
  const curves = monthly
    .flatMap((m) =>
      m.vintages
        .filter((v) => v.disbursedRate !== null)
        .map((v) => ({
          mob: v.monthsOnBook,
          vintage: v.vintage,
          rate: Number(v.disbursedRate),
          title: `${v.vintage} · ${t('monthsOnBook')} ${v.monthsOnBook}: ${(Number(v.disbursedRate) * 100).toFixed(2)}% (${m.date})`,
        })),
    )
    .sort((a, b) => a.vintage.localeCompare(b.vintage) || a.mob - b.mob);
  const mobs = curves.map((c) => c.mob);
  const [first, last] = [Math.min(...mobs), Math.max(...mobs)];
  const step = Math.max(1, Math.ceil((last - first) / 12));
  const mobTicks = curves.length
    ? Array.from({ length: Math.floor((last - first) / step) + 1 }, (_, k) => first + k * step)
    : [];
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
        // Vintages are months ('2026-12'), names here, not dates on a scale.
        color: { legend: true, type: 'categorical' },
        x: {
          label: t('monthsOnBook'),
          labelAnchor: 'center',
          ...(curves.length ? { domain: [first - 0.5, last + 0.5] } : {}),
          ticks: mobTicks,
          tickFormat: 'd',
        },
        y: { percent: true, label: '%', tickFormat: '.1f' },
        marks: [
          Plot.lineY(curves, { x: 'mob', y: 'rate', stroke: 'vintage' }),
          Plot.dot(curves, { x: 'mob', y: 'rate', fill: 'vintage', r: 3, title: 'title' }),
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
  return h('section', { class: 'card chart', id: `chart-${id}` }, h('h2', {}, title), stripStyles(figure));
}

function stripStyles(figure: Element): Element {
  for (const style of figure.querySelectorAll('style')) style.remove();
  return figure;
}
