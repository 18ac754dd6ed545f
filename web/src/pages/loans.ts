import { api } from '../api';
import { h, mount } from '../dom';
import { errorText, filterForm, filtersOf, pagedList } from '../paged';
import { dateTime, money } from '../format';
import { t } from '../i18n';
import type { PageContext } from '../main';

interface LoanRow {
  id: string;
  creditLineId: string;
  productCode: string;
  status: string;
  currency: string;
  principal: number;
  outstanding: number;
  dpd: number;
  bucket: string;
  stage: string;
  nextDueDate: string | null;
  createdAt: string;
}

interface ConsoleConfig {
  temporalUiUrl: string;
  productCodes: string[];
}
let config: Promise<ConsoleConfig> | null = null;
/** From the server: the Temporal UI differs between the local stack and a cluster, products by release. */
const consoleConfig = () => (config ??= api<ConsoleConfig>('GET', '/console/config'));
const temporalUiUrl = () => consoleConfig().then((c) => c.temporalUiUrl);
const workflowUrl = (base: string, id: string) =>
  `${base}/namespaces/default/workflows/${encodeURIComponent(`loan:${id}`)}`;

const STATUSES = ['active', 'delinquent', 'closed', 'disbursing', 'disbursement_failed', 'written_off'];
const STAGES = ['current', 'early', 'middle', 'late', 'written_off'];
const select = (id: string, values: string[]) =>
  h(
    'select',
    { id },
    h('option', { value: '' }, t('all')),
    values.map((v) => h('option', { value: v }, v)),
  );

/** Loans from the read model, newest first, a page at a time. */
export async function loansPage({ root }: PageContext): Promise<void> {
  const status = select('loan-status', STATUSES);
  const stage = select('loan-stage', STAGES);
  const products = await consoleConfig()
    .then((c) => c.productCodes)
    .catch(() => []);
  const product = select('loan-product', products);
  const bucket = h('input', { id: 'loan-bucket', placeholder: 'M1', size: 4, pattern: 'M\\d\\+?' });
  const line = h('input', { id: 'loan-line', placeholder: 'cl_…', size: 26 });
  const body = h('tbody', {});
  const ui = await temporalUiUrl().catch(() => null);
  const fields = { status, stage, productCode: product, bucket, creditLineId: line };
  const { state, more, load } = pagedList<LoanRow>({
    list: body,
    ids: { state: 'loans-state', more: 'loans-more' },
    path: '/v1/loans',
    query: () => filtersOf(fields),
    render: (l) => row(l, ui),
  });
  mount(
    root,
    h('h1', {}, t('loans')),
    filterForm(
      () => load(true),
      'loans-search',
      h('label', {}, t('product'), ' ', product),
      h('label', {}, t('status'), ' ', status),
      h('label', {}, 'Bucket ', bucket),
      h('label', {}, t('stage'), ' ', stage),
      h('label', {}, t('lineStatus'), ' ', line),
    ),
    h(
      'table',
      { id: 'loans' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            'ID',
            t('product'),
            t('status'),
            'DPD',
            'Bucket',
            t('principal'),
            t('outstanding'),
            t('created'),
            '',
          ].map((c) => h('th', {}, c)),
        ),
      ),
      body,
    ),
    state,
    more,
  );
  await load(true);
}

function row(l: LoanRow, ui: string | null): HTMLElement {
  const m = (amount: number) => money({ amount, currency: l.currency });
  return h(
    'tr',
    { 'data-loan': l.id },
    h('td', {}, h('a', { href: `#/loans/${l.id}`, class: 'loan-link' }, l.id)),
    h('td', {}, l.productCode),
    h('td', {}, l.status),
    h('td', { class: 'num' }, l.dpd),
    h('td', {}, l.bucket),
    h('td', { class: 'num' }, m(l.principal)),
    h('td', { class: 'num' }, m(l.outstanding)),
    h('td', {}, dateTime(l.createdAt)),
    h(
      'td',
      {},
      ui &&
        h(
          'a',
          { href: workflowUrl(ui, l.id), class: 'temporal-link', target: '_blank', rel: 'noopener' },
          'Temporal UI',
        ),
    ),
  );
}

/** One loan as the API serves it; the run's history is one click away in the Temporal UI. */
export async function loanPage({ root, params }: PageContext): Promise<void> {
  const id = params[0]!;
  mount(root, h('p', { class: 'loading', role: 'status' }, t('loading')));
  try {
    const [loan, ui] = await Promise.all([
      api<Record<string, unknown> & { currency?: string }>('GET', `/v1/loans/${encodeURIComponent(id)}`),
      temporalUiUrl().catch(() => null),
    ]);
    const shown = (v: unknown) =>
      v && typeof v === 'object' && 'amount' in v && 'currency' in v
        ? money(v as { amount: number; currency: string })
        : typeof v === 'object'
          ? JSON.stringify(v)
          : String(v);
    mount(
      root,
      h('a', { href: '#/loans' }, `← ${t('loans')}`),
      h('h1', { id: 'loan-title' }, `${t('loan')} ${id}`),
      ui &&
        h(
          'p',
          {},
          h(
            'a',
            { href: workflowUrl(ui, id), target: '_blank', rel: 'noopener', class: 'temporal-link' },
            'Temporal UI',
          ),
        ),
      h(
        'dl',
        { class: 'card', id: 'loan-facts' },
        Object.entries(loan)
          .filter(([, v]) => v === null || typeof v !== 'object' || 'amount' in (v as object))
          .map(([k, v]) => [h('dt', {}, k), h('dd', {}, shown(v))]),
      ),
    );
  } catch (err) {
    mount(root, h('p', { class: 'error', role: 'alert' }, errorText(err)));
  }
}
