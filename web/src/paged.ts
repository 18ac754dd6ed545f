import { api, ApiError } from './api';
import { type Child, h } from './dom';
import { latestOnly } from './latest';
import { t } from './i18n';

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * A list the API serves a page at a time (`?limit=25&cursor=`): `load(true)` draws the first page
 * again (a filter changed), the "load more" button the next one. An answer to an older load is
 * dropped, and the button waits while a page is on its way, so no page lands twice or out of turn.
 */
export function pagedList<T>(p: {
  /** Where the rows go (a tbody or a list); `render` answers null for an item the page hides. */
  list: HTMLElement;
  ids: { state: string; more: string };
  path: string;
  /** The filters as they stand when a page is asked for; the limit and cursor are added here. */
  query: () => URLSearchParams;
  render: (item: T) => Node | null;
}) {
  const state = h('p', { class: 'state', role: 'status', id: p.ids.state }, t('loading'));
  const more = h('button', { type: 'button', id: p.ids.more, hidden: true }, t('loadMore'));
  let cursor: string | null = null;
  const begin = latestOnly();

  async function load(reset: boolean): Promise<void> {
    const current = begin();
    if (reset) {
      p.list.replaceChildren();
      cursor = null;
    }
    state.textContent = t('loading');
    more.disabled = true;
    const q = p.query();
    q.set('limit', '25');
    if (cursor) q.set('cursor', cursor);
    try {
      const page = await api<Page<T>>('GET', `${p.path}?${q}`);
      if (!current()) return;
      for (const item of page.items) {
        const row = p.render(item);
        if (row) p.list.appendChild(row);
      }
      cursor = page.nextCursor;
      more.hidden = !cursor;
      state.textContent = p.list.childElementCount ? '' : t('empty');
    } catch (err) {
      if (current()) state.textContent = errorText(err);
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener('click', () => void load(false));
  return { state, more, load };
}

/** The filters above a list: applying them draws its first page again. */
export function filterForm(
  apply: () => Promise<void>,
  buttonId: string,
  ...fields: Child[]
): HTMLFormElement {
  return h(
    'form',
    {
      class: 'filters',
      onsubmit: (e: Event) => {
        e.preventDefault();
        void apply();
      },
    },
    ...fields,
    h('button', { type: 'submit', id: buttonId }, t('apply')),
  );
}

export const errorText = (err: unknown): string => (err instanceof ApiError ? err.message : String(err));

/** The filters that are set, trimmed, by query parameter. */
export function filtersOf(fields: Record<string, { value: string }>): URLSearchParams {
  const q = new URLSearchParams();
  for (const [k, el] of Object.entries(fields)) if (el.value.trim()) q.set(k, el.value.trim());
  return q;
}
