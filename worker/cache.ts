/**
 * Worker memory per cached loan at its worst age, KiB, rounded up from bench/worker-memory.bench.ts
 * (1,442 KiB at month 6 before modules were shared, 680 KiB new after). Measured again with
 * `npm run bench -- --only worker-memory`; raise it if a bench run exceeds it.
 */
export const KIB_PER_CACHED_LOAN = 1_536;

/** How many workflows the worker keeps cached within `budgetMiB` (the SDK needs 0 or at least 2). */
export function cachedWorkflowsFor(budgetMiB: number, kibPerWorkflow = KIB_PER_CACHED_LOAN): number {
  return Math.max(2, Math.floor((budgetMiB * 1024) / kibPerWorkflow));
}
