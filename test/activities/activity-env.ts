import { MockActivityEnvironment } from '@temporalio/testing';

const none = () => undefined;
/** Activities log their failures; the tests assert on the failures instead. */
const quiet = { log: none, trace: none, debug: none, info: none, warn: none, error: none };

/** One attempt of an activity, as a worker would run it; `run` alone infers no result type. */
export function attempt<A extends unknown[], R>(fn: (...args: A) => Promise<R>, ...args: A): Promise<R> {
  return new MockActivityEnvironment({}, { logger: quiet }).run(fn, ...args) as Promise<R>;
}
