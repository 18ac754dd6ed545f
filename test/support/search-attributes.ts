import type { temporal } from '@temporalio/proto';

/**
 * The loan's search attributes after each upsert in a history: an upsert carries only what it sets,
 * so each state is the previous one plus those. Consecutive repeats (a DPD-only change) are folded.
 */
export function statusTrail(history: temporal.api.history.v1.IHistory): { status: string; bucket: string }[] {
  const trail: { status: string; bucket: string }[] = [];
  let current = { status: '', bucket: '' };
  for (const e of history.events ?? []) {
    const f = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
    // patched() upserts TemporalChangeVersion on its own: not a loan transition.
    if (!f?.LoanStatus && !f?.DpdBucket) continue;
    const read = (key: string, was: string) =>
      f[key]?.data ? (JSON.parse(Buffer.from(f[key].data).toString()) as string) : was;
    current = { status: read('LoanStatus', current.status), bucket: read('DpdBucket', current.bucket) };
    const last = trail.at(-1);
    if (!last || last.status !== current.status || last.bucket !== current.bucket) trail.push(current);
  }
  return trail;
}
