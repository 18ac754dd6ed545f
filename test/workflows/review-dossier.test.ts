import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { createAdapters } from '../../adapters';
import {
  creditLineWorkflowId,
  decideReview,
  getCreditLine,
  getReviewDossier,
} from '../../contracts/credit-line';
import { buildActivities } from '../../worker/worker';
import { creditLine } from '../../workflows/credit-line';
import { application, idNumberGrantingUpTo } from '../support/applicants';
import { testPool } from '../support/db';
import { devServerEnv } from '../support/temporal';
import { workersServing } from '../support/workers';

// The loan worker alone on its queue: the decision SMS runs on the gateway's queue, which no worker
// polls here, so the line is still in its assessment, waiting on the SMS, when the reviewer decides.
const pool = testPool();
const taskQueue = 'test-review-dossier-sms-held';
let env: TestWorkflowEnvironment;
let main: Worker;
let running: Promise<void>;

beforeAll(async () => {
  env = await devServerEnv();
  ({ main } = await workersServing(
    env,
    taskQueue,
    buildActivities({ pool, adapters: createAdapters({ mode: 'sandbox' }) }),
  ));
  running = main.run();
});

afterAll(async () => {
  main?.shutdown();
  await running;
  await env?.teardown();
  await pool.end();
});

test("a reviewer's dossier shows a decision and its approval together while the applicant's SMS is still out", async () => {
  const app = application({ amount: 5_000_000, idNumber: await idNumberGrantingUpTo(5_000_000) });
  const workflowId = creditLineWorkflowId(app.creditLineId);
  await env.client.workflow.start(creditLine, { workflowId, taskQueue, args: [{ application: app }] });
  const handle = env.client.workflow.getHandle<typeof creditLine>(workflowId);
  for (let i = 0; i < 200 && (await handle.query(getCreditLine)).status !== 'pending_review'; i++)
    await new Promise((r) => setTimeout(r, 50));
  await handle.executeUpdate(decideReview, { args: [{ reviewerId: 'key_reviewer_1', decision: 'approve' }] });
  const { review } = await handle.query(getReviewDossier);
  expect(review?.history.map((e) => e.reviewerId)).toEqual(['key_reviewer_1']);
  expect(review?.approvals).toEqual(['key_reviewer_1']);
  await handle.terminate('test over');
});
