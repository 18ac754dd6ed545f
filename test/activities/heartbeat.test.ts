import { MockActivityEnvironment } from '@temporalio/testing';
import { createLoanActivities, type LoanActivityDeps } from '../../activities/loan';
import type { PayRequest, Payout } from '../../contracts/providers/bank';

/**
 * A payout's activity heartbeats while the bank holds the call, so that the server notices a dead
 * worker within the workflow's heartbeat timeout (workflows/loan.ts) instead of the minute of
 * start-to-close, and hands the payout, under the same key, to a live worker.
 */
function slowBank(ms: number): LoanActivityDeps {
  const pay = (r: PayRequest): Promise<Payout> =>
    new Promise((resolve) =>
      setTimeout(
        () => resolve({ reference: `ref-${r.idempotencyKey}`, status: 'paid' } as unknown as Payout),
        ms,
      ),
    );
  return { bank: { pay } } as unknown as LoanActivityDeps;
}

test.each(['disburse', 'refundCredit'] as const)(
  '%s heartbeats while the bank holds the call, and stops when it answers',
  async (name) => {
    const env = new MockActivityEnvironment();
    const beats: number[] = [];
    env.on('heartbeat', () => beats.push(Date.now()));
    const activity = createLoanActivities(slowBank(4_500))[name];
    const started = Date.now();
    const payout = await env.run(activity, { idempotencyKey: 'ln_1:payout' } as PayRequest);
    expect(payout).toMatchObject({ reference: 'ref-ln_1:payout' });
    expect(beats.length).toBeGreaterThanOrEqual(2);
    expect(beats.every((t) => t - started < 4_600)).toBe(true);
    const after = beats.length;
    await new Promise((r) => setTimeout(r, 2_500));
    expect(beats.length).toBe(after);
  },
);
