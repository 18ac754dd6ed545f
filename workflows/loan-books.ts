import { condition, patched, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import type { LoanView } from '../contracts/loan';
import { books } from './loan-activities';
import type { LoanContext } from './loan-context';
import { detailsOf, loanView, searchAttributesOf } from './loan-view';
import { PATCH } from './patches';

// The loan's books and read model: entries wait in the outbox until posted, and every save carries
// the view operators and clients read.

/**
 * The caller hears back once what its handler booked is on the books. The main loop posts: activities
 * run from one place only, so replay sees their results in the order the first run did.
 */
export async function posted(ctx: LoanContext): Promise<void> {
  const pending = new Set(ctx.s.outbox.map((e) => e.sourceEventId));
  await condition(() => !ctx.s.outbox.some((e) => pending.has(e.sourceEventId)));
}

export async function flush(ctx: LoanContext): Promise<void> {
  const { s } = ctx;
  if (s.outbox.length === 0) return;
  const posted = new Set(await books.postJournal([...s.outbox]));
  s.outbox = s.outbox.filter((e) => !posted.has(e.sourceEventId));
}

export async function persist(ctx: LoanContext): Promise<void> {
  const { s } = ctx;
  s.version += 1;
  const v = loanView(ctx);
  index(ctx, v);
  setCurrentDetails(detailsOf(v));
  if (!recordsTogether(ctx)) return void (await books.saveLoan(v));
  // The view is saved in the transaction that posts the outbox, so it is saved with nothing pending.
  const entries = [...s.outbox];
  const booked = new Set(await books.recordLoan({ entries, view: { ...v, ledgerPending: 0 } }));
  s.outbox = s.outbox.filter((e) => !booked.has(e.sourceEventId));
}

/** Patch `post-with-save`: asked once per run, at its first save. */
export function recordsTogether(ctx: LoanContext): boolean {
  ctx.saving.together ??= patched(PATCH.postWithSave);
  return ctx.saving.together;
}

/** Operators filter loans by these in the Temporal UI; upserted only when they change, to keep history short. */
function index(ctx: LoanContext, v: LoanView): void {
  const key = `${v.status}|${v.bucket}|${v.dpd}`;
  if (key === ctx.saving.indexed) return;
  ctx.saving.indexed = key;
  upsertSearchAttributes(searchAttributesOf(ctx.input, v));
}
