import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sharedWorkflowModules } from '../../worker/shared-modules';

// A shared module pulls everything it imports into the shared cache too: one import of a module
// with per-workflow state (`@temporalio/workflow`, a contract, a workflow file) would leak one
// workflow's state into another. The shared set must be closed under its imports.
const shared = sharedWorkflowModules();
const LIBRARIES = ['decimal.js', '@js-joda/core'];

test('the shared set is every domain module and the two libraries they use', () => {
  const files = shared.filter((m) => !LIBRARIES.includes(m));
  expect(shared.filter((m) => LIBRARIES.includes(m))).toEqual(LIBRARIES);
  expect(files.length).toBeGreaterThan(30);
  for (const f of files) expect(path.dirname(f)).toBe(path.resolve(__dirname, '..', '..', 'domain'));
  expect(files.map((f) => path.basename(f))).toEqual(
    expect.arrayContaining(['loan-scheduler.ts', 'money.ts', 'localdate.ts']),
  );
});

test('a shared module imports only other shared modules', () => {
  for (const file of shared.filter((m) => !LIBRARIES.includes(m))) {
    const imports = [...readFileSync(file, 'utf8').matchAll(/^\s*(?:import|export)[^'"]*from\s+'([^']+)'/gm)];
    for (const [, spec] of imports) {
      const ok = LIBRARIES.includes(spec!) || /^\.\/[\w-]+$/.test(spec!);
      expect({ file: path.basename(file), spec, ok }).toEqual({ file: path.basename(file), spec, ok: true });
    }
  }
});
