import { type ChildProcess, execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { SCHEDULE_IDS } from '../../worker/schedules';
import { ROOT } from '../support/paths';
import { devServerEnv } from '../support/temporal';

let env: TestWorkflowEnvironment;
beforeAll(async () => {
  env = await devServerEnv();
});
afterAll(() => env?.teardown());

const processEnv = (taskQueue: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  LOANFLOW_LOCAL: '1',
  DATABASE_URL: process.env.TEST_DATABASE_URL,
  TEMPORAL_ADDRESS: env.address,
  TEMPORAL_TASK_QUEUE: taskQueue,
  WORKER_METRICS_ADDRESS: '127.0.0.1:0',
});

async function queues(): Promise<string[]> {
  const out: string[] = [];
  for (const id of Object.values(SCHEDULE_IDS)) {
    const { action } = await env.client.schedule.getHandle(id).describe();
    out.push(action.type === 'startWorkflow' ? action.taskQueue : action.type);
  }
  return out;
}

/** The real worker process, up once it says so; stopped as SIGTERM stops it in production. */
async function startWorker(taskQueue: string): Promise<{ child: ChildProcess; logs: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'worker/main.ts')], {
    cwd: ROOT,
    env: processEnv(taskQueue),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout?.on('data', (b: Buffer) => (logs += b.toString()));
  child.stderr?.on('data', (b: Buffer) => (logs += b.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${logs}`)), 90_000);
    child.stdout?.on('data', () => {
      if (logs.includes('workers started')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited (${code}):\n${logs}`));
    });
  });
  return { child, logs: () => logs };
}

test('the deployment step points the schedules at its queue, and a worker on another queue leaves them there', async () => {
  await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'worker/schedules-cli.ts')],
    { cwd: ROOT, env: processEnv('sched-main'), timeout: 60_000 },
  );
  expect(await queues()).toEqual(['sched-main', 'sched-main']);

  const worker = await startWorker('sched-canary');
  try {
    expect(await queues()).toEqual(['sched-main', 'sched-main']);
    // It says where the schedules start their runs, so an operator sees they are not its own.
    expect(worker.logs()).toMatch(/"loanflow-daily-reconciliation":"sched-main"/);
  } finally {
    const exited = new Promise((r) => worker.child.once('exit', r));
    worker.child.kill('SIGTERM');
    await exited;
  }
});
