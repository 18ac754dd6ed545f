import { readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * Modules every cached workflow shares instead of evaluating its own copy (the bundler's
 * `preloadModules`, with the SDK's reusable V8 context). Each cached workflow otherwise holds its own
 * instance of every module it imports; sharing the domain and its two libraries took a new loan from
 * about 960 to 680 KiB of worker memory (bench/worker-memory.bench.ts).
 *
 * Only modules with no state that differs between workflows may be here: the domain is pure (lint
 * keeps Temporal and I/O out of it; its only module-level state is memos of deterministic results,
 * such as time-zone formatters), decimal.js is used through the domain's own clone, and js-joda keeps
 * no state we change. Workflow and contract modules import `@temporalio/workflow`, whose state is per
 * workflow, and must never be shared.
 */
export function sharedWorkflowModules(): string[] {
  const domain = path.resolve(__dirname, '..', 'domain');
  const own = readdirSync(domain)
    .filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'))
    .sort()
    .map((f) => path.join(domain, f));
  return ['decimal.js', '@js-joda/core', ...own];
}
