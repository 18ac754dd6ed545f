import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, Runtime, DefaultLogger, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { ROOT, TOOLS_BIN } from './paths';

// Keep the SDK's own logs out of test output unless something is wrong.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** The time-skipping Java test server that setup installed (never a download at run time). */
export function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: path.join(TOOLS_BIN, 'temporal-test-server') } },
  });
}

/** The Temporal CLI dev server, for what the test server lacks: update-with-start, listing, search attributes. */
export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: path.join(TOOLS_BIN, 'temporal') },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
      extraArgs: ['--headless'],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Workflow code is bundled once per test file. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: path.join(ROOT, 'workflows', 'index.ts'), logger: new DefaultLogger('WARN') });
  return bundle;
}
