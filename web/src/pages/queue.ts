import { h, mount } from '../dom';
import { filterForm, pagedList } from '../paged';
import { dateTime, money, timeLeft } from '../format';
import { t } from '../i18n';
import type { PageContext } from '../main';
import type { ReviewItem } from './types';

const STATUSES = ['pending', 'info_requested', 'approved', 'declined', 'expired'] as const;

/** Oldest due first (the API's order); a page at a time, the next one on demand. */
export async function queuePage({ root }: PageContext): Promise<void> {
  const status = h(
    'select',
    { id: 'filter-status', name: 'status' },
    h('option', { value: '' }, t('all')),
    STATUSES.map((s) => h('option', { value: s }, s)),
  );
  status.value = 'pending';
  const dueBefore = h('input', { id: 'filter-due-before', type: 'date' });
  const escalated = h('input', { id: 'filter-escalated', type: 'checkbox' });
  const makerChecker = h('input', { id: 'filter-maker-checker', type: 'checkbox' });
  const body = h('tbody', {});
  const visible = (r: ReviewItem) =>
    (!escalated.checked || r.escalations > 0) && (!makerChecker.checked || r.reviewersRequired === 2);
  const { state, more, load } = pagedList<ReviewItem>({
    list: body,
    ids: { state: 'queue-state', more: 'load-more' },
    path: '/v1/reviews',
    query: () => {
      const q = new URLSearchParams();
      if (status.value) q.set('status', status.value);
      if (dueBefore.value) q.set('dueBefore', new Date(`${dueBefore.value}T00:00:00`).toISOString());
      return q;
    },
    render: (r) => (visible(r) ? row(r, Date.now()) : null),
  });

  mount(
    root,
    h('h1', {}, t('queue')),
    filterForm(
      () => load(true),
      'filter-apply',
      h('label', {}, t('status'), ' ', status),
      h('label', {}, t('dueBefore'), ' ', dueBefore),
      h('label', {}, escalated, ' ', t('onlyEscalated')),
      h('label', {}, makerChecker, ' ', t('onlyMakerChecker')),
    ),
    h(
      'table',
      { class: 'queue', id: 'queue' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          [
            t('id'),
            t('grade'),
            t('proposedLimit'),
            t('reviewers'),
            t('approvals'),
            t('status'),
            t('due'),
            t('timeLeft'),
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

function row(r: ReviewItem, now: number): HTMLElement {
  const left = timeLeft(r.dueAt, now);
  return h(
    'tr',
    { 'data-review': r.id, class: left.overdue ? 'overdue' : undefined },
    h('td', {}, h('a', { href: `#/reviews/${r.id}` }, r.id)),
    h('td', {}, r.grade ?? '—'),
    h('td', { class: 'num' }, money(r.proposedLimit)),
    h(
      'td',
      {},
      String(r.reviewersRequired),
      r.reviewersRequired === 2 && h('span', { class: 'badge mc' }, t('makerChecker')),
    ),
    h('td', {}, `${r.approvals.length}/${r.reviewersRequired}`),
    h('td', {}, r.status, r.escalations > 0 && h('span', { class: 'badge esc' }, t('escalated'))),
    h('td', {}, dateTime(r.dueAt)),
    h(
      'td',
      { class: left.overdue ? 'late' : undefined },
      left.overdue ? `${t('overdueBy')} ${left.text}` : `${left.text} ${t('left')}`,
    ),
  );
}
