import { formatMajor } from '../domain/money';
import { promiseDeadline } from '../domain/promise';
import type { CollectionContext } from './collection-context';
import type { CollectionView } from '../contracts/collection';
import { openPromise, promisePolicy, promiseView } from './collection-promises';
import { offerView } from './collection-settlements';

/** The collection as the API and the loan's collectors see it. */
export function collectionView(ctx: CollectionContext): CollectionView {
  const { input, s } = ctx;
  return {
    loanId: input.loanId,
    status: s.status,
    dpd: s.latest.dpd,
    bucket: s.latest.bucket,
    stage: s.latest.stage,
    pausedUntil: openPromise(ctx) ? promiseDeadline(openPromise(ctx)!, promisePolicy(ctx)) : null,
    contacts: s.contacts,
    openTasks: s.openTasks.map((t) => t.id),
    promises: s.promises.map((p) => promiseView(ctx, p)),
    settlements: s.settlements.map((o) => offerView(ctx, o)),
    agencyRef: s.agencyRef,
    legalNoticeOn: s.legalNoticeOn,
  };
}

/** What an operator sees of the collection at a glance in the Temporal UI. */
export function detailsOf(ctx: CollectionContext): string {
  const { input, s } = ctx;
  const open = openPromise(ctx);
  return [
    `**${s.status}** · ${s.latest.bucket} · DPD ${s.latest.dpd}`,
    `overdue ${formatMajor(s.latest.overdue)} ${input.currency} · ${s.contacts.length} contact(s)`,
    open ? `promise of ${formatMajor(open.amount)} by ${open.date}` : '',
    s.openTasks.length ? `${s.openTasks.length} open call task(s)` : '',
    s.agencyRef ? `with agency ${s.agencyRef}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}
