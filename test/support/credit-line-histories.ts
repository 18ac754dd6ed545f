import type { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  controlLine,
  creditLineWorkflowId,
  decideReview,
  drawdown,
  getCreditLine,
  loanStanding,
  provideInfo,
  verifyCard,
} from '../../contracts/credit-line';
import { loanWorkflowId } from '../../contracts/loan';
import { creditLine } from '../../workflows/credit-line';
import { application, bankCard, idNumberGrantingUpTo } from './applicants';

type Save = (name: string, workflowId: string, runId?: string) => Promise<void>;

/** Starting, watching and driving lines on a test server, for the recordings below. */
function recorder(env: TestWorkflowEnvironment, taskQueue: string) {
  const start = async (app: ReturnType<typeof application>) => {
    const workflowId = creditLineWorkflowId(app.creditLineId);
    await env.client.workflow.start(creditLine, { workflowId, taskQueue, args: [{ application: app }] });
    return { workflowId, handle: env.client.workflow.getHandle<typeof creditLine>(workflowId) };
  };
  type Line = Awaited<ReturnType<typeof start>>;
  const until = async ({ handle }: Line, status: string) => {
    for (let i = 0; i < 400; i++) {
      if ((await handle.query(getCreditLine)).status === status) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`the line never became ${status}`);
  };
  /** Draws 3,000.00 over 3 months: the loan's id, and a wait for the loan to run to its end. */
  const drawAndRepay = async ({ workflowId, handle }: Line, bankCard?: string) => {
    const loanId = `ln_rec_${workflowId.slice(-8)}`;
    const request = {
      loanId,
      amount: { amount: 300_000, currency: 'CNY' as const },
      termMonths: 3,
      purpose: 'recorded scenario',
      actor: 'recorder',
    };
    await handle.executeUpdate(drawdown, { args: [{ ...request, ...(bankCard ? { bankCard } : {}) }] });
    // Awaiting a result lets the test server skip time: only once the line's own messages are sent.
    return { loanId, repaid: () => env.client.workflow.getHandle(loanWorkflowId(loanId)).result() };
  };
  const close = async ({ handle }: Line) => {
    await handle.executeUpdate(controlLine, {
      args: [{ action: 'close', reason: 'recorded scenario', actor: 'recorder' }],
    });
    await handle.result();
  };
  return { start, until, drawAndRepay, close };
}

/** A line that lends: the drawdown update, the loan it starts as a child, and its limit coming back. */
export async function recordDrawdownHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start, until, drawAndRepay, close } = recorder(env, taskQueue);
  const lending = await start(application({ amount: 2_000_000 }));
  await until(lending, 'active');
  const { repaid } = await drawAndRepay(lending);
  await repaid();
  for (let i = 0; i < 400; i++) {
    const v = await lending.handle.query(getCreditLine);
    if (v.available?.amount === v.limit?.amount) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await close(lending);
  await save('credit-line-drawdown-repaid-closed', lending.workflowId);
}

/**
 * A line through every message it serves: a card verified, its limit changed, a drawdown, a hold
 * while its loan is past due and the release when it cures, the loan repaid, and the renewal at the
 * end of its validity; and a review that asks the applicant for information before approving. For
 * scripts/record-histories.ts (group `credit-line-serve`); a worker must be polling `taskQueue`.
 */
export async function recordServingLineHistories(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  save: Save,
): Promise<void> {
  const { start, until, drawAndRepay, close } = recorder(env, taskQueue);
  const serving = await start(application({ amount: 2_000_000 }));
  await until(serving, 'active');
  const card = bankCard();
  await serving.handle.executeUpdate(verifyCard, { args: [{ requestId: 'rec-card', bankCard: card }] });
  await serving.handle.executeUpdate(controlLine, {
    args: [
      {
        action: 'change_limit',
        reason: 'recorded scenario',
        actor: 'recorder',
        limit: { amount: 1_500_000, currency: 'CNY' },
      },
    ],
  });
  const { loanId, repaid } = await drawAndRepay(serving, card);
  await serving.handle.signal(loanStanding, { loanId, delinquent: true });
  await until(serving, 'frozen');
  await serving.handle.signal(loanStanding, { loanId, delinquent: false });
  await until(serving, 'active');
  await repaid();
  // Past the line's twelve months of validity: a line used and repaid on time renews.
  await env.sleep('400 days');
  const { reasons } = await serving.handle.query(getCreditLine);
  const codes = reasons.map((r) => r.code);
  for (const code of ['LINE_CHANGE_LIMIT', 'LINE_HELD_DELINQUENT', 'LINE_RELEASED_CURED', 'LINE_RENEWED'])
    if (!codes.includes(code)) throw new Error(`the served line lacks ${code}: ${codes.join(', ')}`);
  await close(serving);
  await save('credit-line-served-renewed', serving.workflowId);

  const asked = await start(
    application({ amount: 5_000_000, idNumber: await idNumberGrantingUpTo(5_000_000) }),
  );
  await until(asked, 'pending_review');
  await asked.handle.executeUpdate(decideReview, {
    args: [{ reviewerId: 'reviewer-1', decision: 'request_info', reason: 'income proof' }],
  });
  await asked.handle.executeUpdate(provideInfo, { args: [{ occupation: 'engineer' }] });
  await asked.handle.executeUpdate(decideReview, {
    args: [{ reviewerId: 'reviewer-2', decision: 'approve' }],
  });
  await until(asked, 'active');
  await close(asked);
  await save('credit-line-review-info-approved', asked.workflowId);
}
