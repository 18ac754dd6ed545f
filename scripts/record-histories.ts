/**
 * Records the histories of released workflow shapes into test/histories/, which `npm test` replays
 * against the current code (test/replay). Run after a deliberate, released change to a workflow:
 * `npx tsx scripts/record-histories.ts [credit-line] [credit-line-apply] [credit-line-drawdown] [credit-line-serve] [loan] [loan-refund] [loan-late-receipt] [loan-books] [loan-yearly] [loan-debit-in-task] [loan-reminders] [loan-extension] [operations] [collection] [collection-seed-buckets]`
 * (no names: every group). Re-record only the group whose shape you add: an old group's files are
 * the proof that runs started on older code still replay.
 * Payloads are encrypted with the development key.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { WithStartWorkflowOperation } from '@temporalio/client';
import { createAdapters } from '../adapters';
import { migrateUp } from '../db/migrate';
import { createPool } from '../db/pool';
import { application, bankCard, idNumberGrantingUpTo } from '../test/support/applicants';
import { recordCollectionHistories, recordWrittenOff } from '../test/support/collection-histories';
import { recordDrawdownHistories, recordServingLineHistories } from '../test/support/credit-line-histories';
import {
  recordLateReceiptHistories,
  recordLoanHistories,
  recordRefundHistories,
  recordSavedWithEntriesHistories,
  recordYearlyHistories,
  recordDebitInTaskHistories,
  recordGatewayReminderHistories,
  recordExtensionHistories,
} from '../test/support/loan-histories';
import { recordOperationsHistories } from '../test/support/operations-histories';
import { devServerEnv, timeSkippingEnv } from '../test/support/temporal';
import { loanflowWorkersOn } from '../test/support/workers';
import { creditLine } from '../workflows/credit-line';
import {
  awaitDecision,
  controlLine,
  creditLineWorkflowId,
  getCreditLine,
  reviewDecision,
} from '../contracts/credit-line';
import { startOwnedPostgres } from './lib/postgres';

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'test', 'histories');

async function main(): Promise<void> {
  const groups = process.argv.slice(2);
  const wanted = (group: string) => groups.length === 0 || groups.includes(group);
  const pg = await startOwnedPostgres({
    dataDir: path.join(root, '.data', 'record-pg'),
    port: 55435,
    database: 'record',
    fresh: true,
    fast: true,
  });
  await migrateUp(pg.url);
  const pool = createPool(pg.url);
  const env = await timeSkippingEnv();
  const taskQueue = 'record';
  const workersOn = (server: typeof env) =>
    loanflowWorkersOn(server, { taskQueue, pool, adapters: createAdapters({ mode: 'sandbox' }) });
  const workers = await workersOn(env);

  const saveFrom = (address: string) => async (name: string, workflowId: string, runId?: string) => {
    // The CLI writes the same JSON the UI downloads, which is what replay reads.
    const json = execFileSync(path.join(root, '.tools', 'bin', 'temporal'), [
      'workflow',
      'show',
      '--address',
      address,
      '--workflow-id',
      workflowId,
      ...(runId ? ['--run-id', runId] : []),
      '--output',
      'json',
    ]);
    writeFileSync(path.join(out, `${name}.json`), json);
    console.log(
      `recorded ${name} (${(JSON.parse(json.toString()) as { events: unknown[] }).events.length} events)`,
    );
  };
  const save = saveFrom(env.address);
  const start = async (app: ReturnType<typeof application>, settings?: object) => {
    const workflowId = creditLineWorkflowId(app.creditLineId);
    const started = await env.client.workflow.start(creditLine, {
      workflowId,
      taskQueue,
      args: [{ application: app, ...(settings ? { settings } : {}) }],
    });
    return {
      workflowId,
      firstRunId: started.firstExecutionRunId,
      handle: env.client.workflow.getHandle<typeof creditLine>(workflowId),
    };
  };
  const until = async (
    h: { query: (q: typeof getCreditLine) => Promise<{ status: string }> },
    status: string,
  ) => {
    for (let i = 0; i < 400 && (await h.query(getCreditLine)).status !== status; i++)
      await new Promise((r) => setTimeout(r, 50));
  };

  const running = workers.runAll();
  try {
    if (wanted('credit-line')) await recordCreditLines();
    if (wanted('credit-line-drawdown')) await recordDrawdownHistories(env, taskQueue, save);
    if (wanted('credit-line-serve')) await recordServingLineHistories(env, taskQueue, save);
    if (wanted('loan')) await recordLoanHistories(env, taskQueue, save);
    if (wanted('loan-refund')) await recordRefundHistories(env, taskQueue, save);
    if (wanted('loan-late-receipt')) await recordLateReceiptHistories(env, taskQueue, save);
    if (wanted('loan-books')) await recordSavedWithEntriesHistories(env, taskQueue, save);
    if (wanted('loan-yearly')) await recordYearlyHistories(env, taskQueue, save);
    if (wanted('loan-debit-in-task')) await recordDebitInTaskHistories(env, taskQueue, save);
    if (wanted('loan-reminders')) await recordGatewayReminderHistories(env, taskQueue, save);
    if (wanted('loan-extension')) await recordExtensionHistories(env, taskQueue, save);
    if (wanted('operations')) await recordOperationsHistories(env, taskQueue, save);
    if (wanted('collection')) await recordCollectionHistories(env, taskQueue, save);
    if (wanted('collection-seed-buckets')) await recordWrittenOff(env, taskQueue, save, '-seed-buckets');
  } finally {
    workers.shutdown();
    await running;
  }
  if (wanted('credit-line-apply')) await recordApplications();

  async function recordCreditLines() {
    const approved = await start(application({ amount: 2_000_000 }));
    await until(approved.handle, 'active');
    await approved.handle.executeUpdate(controlLine, {
      args: [{ action: 'close', reason: 'recorded scenario', actor: 'recorder' }],
    });
    await approved.handle.result();
    await save('credit-line-approved-closed', approved.workflowId);

    const declined = await start(application({ card: bankCard('0001') }));
    await declined.handle.result();
    await save('credit-line-identity-declined', declined.workflowId);

    const expired = await start(
      application({ amount: 5_000_000, idNumber: await idNumberGrantingUpTo(5_000_000) }),
      { reviewWindowHours: 4 },
    );
    await until(expired.handle, 'pending_review');
    await expired.handle.result();
    await save('credit-line-review-expired', expired.workflowId);

    const reviewed = await start(
      application({ amount: 25_000_000, idNumber: await idNumberGrantingUpTo(25_000_000) }),
      { historyLimit: 12 },
    );
    await until(reviewed.handle, 'pending_review');
    await reviewed.handle.signal(reviewDecision, { reviewerId: 'reviewer-1', decision: 'approve' });
    await reviewed.handle.signal(reviewDecision, { reviewerId: 'reviewer-2', decision: 'approve' });
    await until(reviewed.handle, 'active');
    await reviewed.handle.executeUpdate(controlLine, {
      args: [{ action: 'close', reason: 'recorded scenario', actor: 'recorder' }],
    });
    await reviewed.handle.result();
    await save('credit-line-maker-checker-first-run', reviewed.workflowId, reviewed.firstRunId);
    await save('credit-line-maker-checker-last-run', reviewed.workflowId);
  }

  await env.teardown();
  await pool.end();
  pg.stop();

  /**
   * Lines applied the way the API applies them, by update-with-start awaiting the decision: the
   * update's completion is in the history, so where it completes is part of the workflow's shape.
   * Update-with-start needs the dev server (the time-skipping server has none).
   */
  async function recordApplications() {
    const dev = await devServerEnv();
    const devWorkers = await workersOn(dev);
    const devRunning = devWorkers.runAll();
    try {
      for (const [name, amount] of [
        ['credit-line-applied-when-saved', 1_000_000],
        ['credit-line-applied-when-saved-review', 20_000_000],
      ] as const) {
        const app = application({ amount, idNumber: await idNumberGrantingUpTo(amount) });
        const workflowId = creditLineWorkflowId(app.creditLineId);
        await dev.client.workflow.executeUpdateWithStart(awaitDecision, {
          startWorkflowOperation: new WithStartWorkflowOperation(creditLine, {
            workflowId,
            taskQueue,
            args: [{ application: app }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        });
        // Let the decision's follow-up (the applicant's SMS) land before the history is taken.
        await new Promise((r) => setTimeout(r, 2_000));
        await saveFrom(dev.address)(name, workflowId);
      }
    } finally {
      devWorkers.shutdown();
      await devRunning;
      await dev.teardown();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
