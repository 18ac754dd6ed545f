import { Context } from '@temporalio/activity';

/**
 * Heartbeats while a single provider call is outstanding. A payout's activity has a 1-minute
 * start-to-close because a slow bank may take that long; without heartbeats a worker killed
 * mid-call left the payout unasked for that whole minute. With them (and the workflow's
 * `heartbeatTimeout`) the server hands the retry, under the same key, to another worker in seconds.
 * Outside an activity (unit tests call activities directly) the call simply runs.
 */
export async function heartbeating<T>(work: () => Promise<T>, everyMs = 2_000): Promise<T> {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return work();
  }
  const timer = setInterval(() => ctx.heartbeat(), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
