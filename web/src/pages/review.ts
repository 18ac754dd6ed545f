import { api, ApiError } from '../api';
import { type Child, h, mount } from '../dom';
import { dateTime, money, timeLeft } from '../format';
import { t } from '../i18n';
import type { PageContext } from '../main';
import type { Dossier } from './types';

const OPEN = new Set(['pending', 'info_requested']);

/** One review's dossier and the decision form; the workflow stays the judge of every decision. */
export async function reviewPage(ctx: PageContext): Promise<void> {
  const id = ctx.params[0]!;
  mount(ctx.root, h('p', { class: 'loading', role: 'status' }, t('loading')));
  let d: Dossier;
  try {
    d = await api<Dossier>('GET', `/v1/reviews/${encodeURIComponent(id)}`);
  } catch (err) {
    mount(
      ctx.root,
      h('p', { class: 'error', role: 'alert' }, err instanceof ApiError ? err.message : String(err)),
      h('a', { href: '#/reviews' }, t('back')),
    );
    return;
  }
  draw(ctx, d, null);
}

function draw(ctx: PageContext, d: Dossier, notice: { text: string; refused: boolean } | null): void {
  const zone = d.timeZone;
  const who = (reviewerId: string) =>
    reviewerId === ctx.session.id ? `${reviewerId} (${t('you')})` : reviewerId;
  const left = timeLeft(d.dueAt);
  mount(
    ctx.root,
    h('a', { href: '#/reviews' }, t('back')),
    h(
      'h1',
      {},
      `${t('review')} ${d.id} `,
      h('span', { class: `status ${d.status}`, id: 'review-status' }, d.status),
      d.reviewersRequired === 2 && h('span', { class: 'badge mc' }, t('makerChecker')),
      d.escalations > 0 && h('span', { class: 'badge esc' }, t('escalated')),
    ),
    h(
      'p',
      { class: 'deadline' },
      `${t('due')}: ${dateTime(d.dueAt, zone)} · `,
      h(
        'span',
        { class: left.overdue ? 'late' : undefined },
        left.overdue ? `${t('overdueBy')} ${left.text}` : `${left.text} ${t('left')}`,
      ),
      ` · ${t('approvals')}: `,
      h('span', { id: 'approval-count' }, `${d.approvals.length}/${d.reviewersRequired}`),
      ` · ${t('lineStatus')}: `,
      h('span', { id: 'line-status' }, d.lineStatus),
    ),
    h(
      'div',
      { class: 'grid' },
      section(
        t('applicant'),
        'applicant',
        facts([
          [t('name'), d.applicant.name],
          [t('idNumber'), d.applicant.idNumber],
          [t('phone'), d.applicant.phone],
          [t('bankCard'), d.applicant.bankCard],
          [t('product'), d.productCode],
          [t('timeZone'), zone],
          [t('requestedLimit'), money(d.requestedLimit)],
          [t('proposedLimit'), money(d.proposedLimit)],
          [t('grade'), d.grade ?? '—'],
        ]),
      ),
      section(
        t('score'),
        'score',
        d.score
          ? [
              h(
                'p',
                { class: 'big' },
                `${d.score.value} · ${d.score.grade}`,
                h('small', {}, ` ${d.score.scorecardVersion}`),
              ),
              table(
                [t('characteristic'), t('value'), t('points')],
                d.score.contributions.map((c) => [c.characteristic, String(c.value), String(c.points)]),
                'contributions',
              ),
            ]
          : h('p', {}, t('noDossier')),
      ),
      section(
        t('reasons'),
        'reasons',
        h(
          'ul',
          {},
          d.reasons.map((r) => h('li', {}, h('code', {}, r.code), ' ', r.message)),
        ),
      ),
      section(
        t('bureau'),
        'bureau',
        d.bureau
          ? facts([
              [t('bureauScore'), String(d.bureau.score)],
              [t('currentDebts'), money(d.bureau.currentDebts)],
              [t('overdue24m'), String(d.bureau.overdueCountLast24m)],
              [t('maxDpd24m'), String(d.bureau.maxDpdLast24m)],
              [t('pulledAt'), dateTime(d.bureau.pulledAt, zone)],
            ])
          : h('p', {}, t('noDossier')),
      ),
      section(
        t('checks'),
        'checks',
        facts([
          [
            t('lists'),
            d.screening
              ? d.screening.listed
                ? `${d.screening.listed} (${d.screening.matchedOn ?? '?'})`
                : t('notListed')
              : '—',
          ],
          [
            t('identity'),
            d.identity
              ? d.identity.matched
                ? t('matched')
                : `${t('notMatched')} (${d.identity.reasonCode ?? ''})`
              : '—',
          ],
        ]),
      ),
      section(
        t('answers'),
        'answers',
        d.info.length
          ? d.info.map((i) =>
              facts([
                [t('income'), i.monthlyIncome ? money(i.monthlyIncome) : '—'],
                [t('occupation'), i.occupation ?? '—'],
                [
                  t('emergencyContact'),
                  i.emergencyContact
                    ? `${i.emergencyContact.name} · ${i.emergencyContact.phone} · ${i.emergencyContact.relation}`
                    : '—',
                ],
              ]),
            )
          : h('p', {}, t('empty')),
      ),
      section(
        t('decisions'),
        'decisions',
        d.decisions.length
          ? h(
              'ul',
              {},
              d.decisions.map((x) =>
                h(
                  'li',
                  {},
                  h('strong', {}, t(x.decision as 'approve')),
                  ` — ${who(x.reviewerId)} · ${dateTime(x.at, zone)}`,
                  x.reason && h('q', { class: 'reason' }, x.reason),
                ),
              ),
            )
          : h('p', {}, t('empty')),
      ),
      section(
        t('history'),
        'history',
        d.history.length
          ? h(
              'ol',
              {},
              d.history.map((e) =>
                h(
                  'li',
                  {},
                  `${dateTime(e.at, zone)} · ${e.type}`,
                  e.decision && ` ${e.decision}`,
                  e.reviewerId && ` · ${who(e.reviewerId)}`,
                  e.reason && h('q', { class: 'reason' }, e.reason),
                  e.to && ` → ${e.to}`,
                ),
              ),
            )
          : h('p', {}, t('empty')),
      ),
    ),
    decisionForm(ctx, d, notice),
  );
}

function decisionForm(
  ctx: PageContext,
  d: Dossier,
  notice: { text: string; refused: boolean } | null,
): HTMLElement {
  const result = h(
    'p',
    { id: 'decision-result', role: 'alert', class: notice?.refused ? 'refusal' : 'ok' },
    notice?.text ?? '',
  );
  if (!OPEN.has(d.status)) return h('section', { class: 'decide' }, h('p', {}, t('closed')), result);
  const choices = (['approve', 'decline', 'request_info'] as const).map((c, i) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'radio', name: 'decision', value: c, id: `decision-${c}`, checked: i === 0 }),
      ' ',
      t(c),
    ),
  );
  const reason = h('textarea', {
    id: 'decision-reason',
    name: 'reason',
    required: true,
    maxlength: 500,
    rows: 3,
  });
  const submit = h('button', { type: 'submit', id: 'decision-submit' }, t('submit'));
  return h(
    'form',
    {
      class: 'decide',
      id: 'decision-form',
      onsubmit: async (e: Event) => {
        e.preventDefault();
        const decision = (ctx.root.querySelector('input[name=decision]:checked') as HTMLInputElement | null)
          ?.value;
        submit.disabled = true;
        result.className = 'pending';
        result.textContent = t('sending');
        try {
          await api('POST', `/v1/reviews/${encodeURIComponent(d.id)}/decision`, {
            decision,
            reason: reason.value.trim(),
          });
          draw(ctx, await settled(d), { text: t('sent'), refused: false });
        } catch (err) {
          result.className = 'refusal';
          result.textContent = err instanceof ApiError ? err.message : String(err);
          submit.disabled = false;
        }
      },
    },
    h('h2', {}, t('decide')),
    d.approvals.includes(ctx.session.id) && h('p', { class: 'notice' }, t('youApproved')),
    h('div', { class: 'choices' }, choices),
    h('label', { for: 'decision-reason' }, t('reason')),
    reason,
    submit,
    result,
  );
}

/** The workflow takes the signal a moment after the 202: wait until the dossier shows it. */
async function settled(before: Dossier): Promise<Dossier> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const now = await api<Dossier>('GET', `/v1/reviews/${encodeURIComponent(before.id)}`);
    const moved = now.history.length > before.history.length || now.status !== before.status;
    const lineSettled = !OPEN.has(now.status) ? now.lineStatus !== 'pending_review' : true;
    if ((moved && lineSettled) || Date.now() > deadline) return now;
    await new Promise((r) => setTimeout(r, 250));
  }
}

function section(title: string, id: string, ...content: Child[]): HTMLElement {
  return h('section', { class: 'card', id: `section-${id}` }, h('h2', {}, title), content);
}

function facts(rows: [string, string][]): HTMLElement {
  return h(
    'dl',
    {},
    rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]),
  );
}

function table(head: string[], rows: string[][], id: string): HTMLElement {
  return h(
    'table',
    { id },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          {},
          r.map((c) => h('td', {}, c)),
        ),
      ),
    ),
  );
}
