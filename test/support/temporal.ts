import path from 'node:path';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  Runtime,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { failureConverterPath, loanflowDataConverter } from '../../codec/data-converter';
import { devKeyring } from '../../codec/keyring';
import { ALL_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import { ROOT, TOOLS_BIN } from './paths';
import { sharedWorkflowModules } from '../../worker/shared-modules';

// Keep the SDK's own logs out of test output unless something is wrong.
Runtime.install({ logger: new DefaultLogger('WARN') });

/** Payloads in tests are encrypted as in production, with the development key. */
export const testDataConverter = loanflowDataConverter(devKeyring());

/** The time-skipping Java test server that setup installed (never a download at run time). */
export async function timeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    client: { dataConverter: testDataConverter },
    server: { executable: { type: 'existing-path', path: path.join(TOOLS_BIN, 'temporal-test-server') } },
  });
  // The test server starts without custom search attributes; register ours as the dev server does.
  await env.connection.operatorService.addSearchAttributes({
    namespace: env.namespace ?? 'default',
    searchAttributes: Object.fromEntries(
      ALL_SEARCH_ATTRIBUTES.map((k) => [k.name, encodeSearchAttributeIndexedValueType(k.type) ?? 0]),
    ),
  });
  return env;
}

/** The Temporal CLI dev server, for what the test server lacks: update-with-start, listing, visibility queries. */
export function devServerEnv(): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    client: { dataConverter: testDataConverter },
    server: {
      executable: { type: 'existing-path', path: path.join(TOOLS_BIN, 'temporal') },
      ip: '127.0.0.1',
      log: { format: 'pretty', level: 'error' },
      searchAttributes: ALL_SEARCH_ATTRIBUTES,
      extraArgs: ['--headless'],
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** Workflow code is bundled once per test file, with the failure converter that encodes messages. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.join(ROOT, 'workflows', 'index.ts'),
    failureConverterPath,
    logger: new DefaultLogger('WARN'),
    // As the production worker bundles it (worker/worker.ts), so every test runs the shared domain.
    preloadModules: sharedWorkflowModules(),
  });
  return bundle;
}
