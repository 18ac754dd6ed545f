import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

/** The baseline for bench/apply-latency.ts: a start plus an update that does nothing. */
export const ping = defineUpdate<string>('ping');

export async function noop(): Promise<void> {
  let done = false;
  setHandler(ping, () => {
    done = true;
    return 'pong';
  });
  await condition(() => done);
}
