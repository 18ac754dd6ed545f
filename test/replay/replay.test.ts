import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import * as workflows from '../../workflows';
import { ROOT } from '../support/paths';
import { testDataConverter, workflowBundle } from '../support/temporal';

/**
 * Every recorded history of a released workflow shape must replay on the current code: a change
 * that would break a running loan fails here until it is patched (docs/design.md, "Versioning").
 */
const dir = path.join(ROOT, 'test', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

test('every exported workflow type has recorded histories', () => {
  const recorded = new Set(
    files.map(
      (f) =>
        (
          JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as {
            events: { workflowExecutionStartedEventAttributes?: { workflowType: { name: string } } }[];
          }
        ).events[0]?.workflowExecutionStartedEventAttributes?.workflowType.name,
    ),
  );
  for (const type of Object.keys(workflows)) expect(recorded).toContain(type);
});

test.each(files)('%s replays without nondeterminism', async (file) => {
  const history = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
  await Worker.runReplayHistory(
    { workflowBundle: await workflowBundle(), dataConverter: testDataConverter },
    history,
    file,
  );
});
