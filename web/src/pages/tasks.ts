import { api } from '../api';
import { h, mount } from '../dom';
import { errorText, pagedList } from '../paged';
import { dateTime, localDate, money, type Money } from '../format';
import { t } from '../i18n';
import type { PageContext } from '../main';

interface Task {
  id: string;
  loanId: string;
  bucket: string;
  dpd: number;
  timeZone: string;
  notBefore: string;
  notAfter: string;
  status: string;
  outcome: string | null;
  collectorId: string | null;
  note: string | null;
  outcomeAt: string | null;
  overdue: {
    total: Money;
    principal: Money;
    interest: Money;
    fees: Money;
    penalty: Money;
    since: string | null;
  } | null;
}
const OUTCOMES = ['reached', 'no_answer', 'wrong_number', 'refused', 'promise_to_pay'] as const;

const inWindow = (task: Task, now = Date.now()) =>
  Date.parse(task.notBefore) <= now && now < Date.parse(task.notAfter);
const localTime = (iso: string, timeZone: string) =>
  new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone }).format(new Date(iso));

/** Today's open call tasks; a call outside the borrower's contact window cannot be recorded. */
export async function tasksPage({ root }: PageContext): Promise<void> {
  const list = h('div', { id: 'tasks' });
  const callable = h('input', { id: 'filter-callable', type: 'checkbox' });
  const { state, more, load } = pagedList<Task>({
    list,
    ids: { state: 'tasks-state', more: 'tasks-more' },
    path: '/v1/collection-tasks',
    query: () => new URLSearchParams({ status: 'open', ...(callable.checked ? { callable: 'true' } : {}) }),
    render: card,
  });
  callable.addEventListener('change', () => void load(true));
  mount(
    root,
    h('h1', {}, t('tasks')),
    h('label', { class: 'filters' }, callable, ' ', t('onlyCallable')),
    list,
    state,
    more,
  );
  await load(true);
}

function card(task: Task): HTMLElement {
  const open = inWindow(task);
  const history = h('div', { class: 'history' }, h('p', { class: 'loading' }, t('loading')));
  const result = h('p', { class: 'ok', role: 'alert', id: `result-${task.id}` });
  const outcome = h(
    'select',
    { name: 'outcome', id: `outcome-${task.id}` },
    OUTCOMES.map((o) => h('option', { value: o }, o)),
  );
  const note = h('input', { name: 'note', id: `note-${task.id}`, maxlength: 500, size: 40 });
  const promiseDate = h('input', { type: 'date', name: 'promiseDate', id: `promise-date-${task.id}` });
  const promiseAmount = h('input', {
    type: 'number',
    name: 'promiseAmount',
    min: '0.01',
    step: '0.01',
    id: `promise-amount-${task.id}`,
  });
  const submit = h(
    'button',
    { type: 'submit', id: `record-${task.id}`, disabled: !open },
    t('recordOutcome'),
  );
  const el = h(
    'section',
    { class: 'card task', 'data-task': task.id },
    h(
      'h2',
      {},
      `${t('loan')} ${task.loanId} `,
      h('span', { class: 'badge esc' }, task.bucket),
      ` DPD ${task.dpd}`,
    ),
    arrears(task),
    h(
      'p',
      { class: open ? 'ok' : 'late', 'data-window': open ? 'open' : 'closed' },
      `${t('contactWindow')}: ${localTime(task.notBefore, task.timeZone)}–${localTime(task.notAfter, task.timeZone)} (${task.timeZone}) · `,
      open ? t('windowOpen') : t('windowClosed'),
    ),
    h(
      'form',
      {
        class: 'outcome',
        onsubmit: async (e: Event) => {
          e.preventDefault();
          if (!inWindow(task)) {
            result.className = 'refusal';
            result.textContent = t('windowClosed');
            return;
          }
          submit.disabled = true;
          result.className = 'pending';
          result.textContent = t('sending');
          const promise =
            outcome.value === 'promise_to_pay'
              ? {
                  date: promiseDate.value,
                  amount: { amount: Math.round(Number(promiseAmount.value) * 100), currency: 'CNY' },
                }
              : undefined;
          try {
            await api('POST', `/v1/collection-tasks/${encodeURIComponent(task.id)}/outcome`, {
              outcome: outcome.value,
              ...(note.value.trim() ? { note: note.value.trim() } : {}),
              ...(promise ? { promise } : {}),
            });
            result.className = 'ok';
            result.textContent = t('outcomeRecorded');
            void loadHistory();
          } catch (err) {
            result.className = 'refusal';
            result.textContent = errorText(err);
            submit.disabled = false;
          }
        },
      },
      h('label', {}, t('outcome'), ' ', outcome),
      h('label', {}, t('note'), ' ', note),
      h('label', {}, t('promiseDate'), ' ', promiseDate),
      h('label', {}, t('promiseAmount'), ' ', promiseAmount),
      submit,
    ),
    settlementForm(task),
    result,
    h('h3', {}, t('contactHistory')),
    history,
  );

  async function loadHistory() {
    try {
      const page = await api<{ items: Task[] }>(
        'GET',
        `/v1/collection-tasks?loanId=${encodeURIComponent(task.loanId)}&status=done&limit=20`,
      );
      mount(
        history,
        page.items.length
          ? h(
              'ul',
              {},
              page.items.map((x) =>
                h(
                  'li',
                  {},
                  `${x.outcomeAt ? dateTime(x.outcomeAt, x.timeZone) : ''} · ${x.outcome ?? ''} · ${x.collectorId ?? ''}`,
                  x.note && h('q', { class: 'reason' }, x.note),
                ),
              ),
            )
          : h('p', {}, t('empty')),
      );
    } catch (err) {
      mount(history, h('p', { class: 'error' }, errorText(err)));
    }
  }
  void loadHistory();
  return el;
}

/** What the borrower owes past due, the parts a collector negotiates over spelled out. */
function arrears(task: Task): HTMLElement {
  const o = task.overdue;
  if (!o) return h('p', { class: 'overdue hint', 'data-overdue': 'unknown' }, t('overdueUnknown'));
  const part = (label: string, m: Money, key: string) =>
    h('span', { class: 'part', 'data-part': key }, `${label} ${money(m)}`);
  return h(
    'p',
    { class: 'overdue', 'data-overdue': String(o.total.amount) },
    h(
      'strong',
      {},
      `${t('overdueAmount')} `,
      h('span', { class: 'amount', 'data-part': 'total' }, money(o.total)),
    ),
    ' (',
    part(t('overduePrincipal'), o.principal, 'principal'),
    ' · ',
    part(t('overdueInterest'), o.interest, 'interest'),
    ' · ',
    part(t('overdueFees'), o.fees, 'fees'),
    ' · ',
    part(t('overduePenalty'), o.penalty, 'penalty'),
    ')',
    o.since && [' · ', h('span', { 'data-part': 'since' }, `${t('overdueSince')} ${localDate(o.since)}`)],
  );
}

function settlementForm(task: Task): HTMLElement {
  const amount = h('input', {
    type: 'number',
    min: '0.01',
    step: '0.01',
    required: true,
    id: `settle-amount-${task.id}`,
  });
  const payBy = h('input', { type: 'date', required: true, id: `settle-pay-by-${task.id}` });
  const reason = h('input', { required: true, maxlength: 500, size: 30, id: `settle-reason-${task.id}` });
  const result = h('span', { role: 'alert' });
  return h(
    'form',
    {
      class: 'settlement',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        result.className = 'pending';
        result.textContent = t('sending');
        try {
          await api('POST', `/v1/loans/${encodeURIComponent(task.loanId)}/settlement-offers`, {
            amount: { amount: Math.round(Number(amount.value) * 100), currency: 'CNY' },
            payBy: payBy.value,
            reason: reason.value.trim(),
          });
          result.className = 'ok';
          result.textContent = t('settlementProposed');
        } catch (err) {
          result.className = 'refusal';
          result.textContent = errorText(err);
        }
      },
    },
    h('strong', {}, t('settlement')),
    ' ',
    h('label', {}, t('amount'), ' ', amount),
    h('label', {}, t('payBy'), ' ', payBy),
    h('label', {}, t('reasonShort'), ' ', reason),
    h('button', { type: 'submit' }, t('propose')),
    result,
  );
}
