import {
  allHandlersFinished,
  condition,
  continueAsNew,
  type Workflow,
  workflowInfo,
} from '@temporalio/workflow';

// Credit lines, loans and collections run for months; each hands its state to a fresh run before its
// history grows large enough to slow every replay (docs/design.md, "Versioning").

export interface HistoryLimit {
  /** Continue-as-new once history reaches this many events (or when the server suggests it). */
  historyLimit: number;
}

export const DEFAULT_HISTORY_LIMIT = 5_000;

/** What a loan or collection run starts with besides its input: the next run is handed the same. */
export interface Run<Settings, State> {
  settings?: Partial<Settings>;
  carried?: State;
}

/** The second argument of the next run: the settings this run was given, if any, and the state reached. */
export function nextRun<Settings, State>(run: Run<Settings, State>, carried: State): Run<Settings, State> {
  return { ...(run.settings ? { settings: run.settings } : {}), carried };
}

export function historyIsLong(historyLimit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength >= historyLimit;
}

/**
 * Work a waiting handler needs the main loop to do before it can finish: the loan's repayment
 * handlers wait for their journal entries, which only the main loop posts.
 */
export interface HandlersWaitOn {
  /** Does the work handlers wait for. */
  drain(): Promise<void>;
  /** Some handler has put more work in. */
  more(): boolean;
}

/**
 * Ends this run and starts the next with `args`, once no update or signal handler is still running:
 * a handler cut short would lose its caller's answer.
 */
export async function continueAsNewOnceHandled<F extends Workflow>(
  args: Parameters<F>,
  waitOn?: HandlersWaitOn,
): Promise<never> {
  if (!waitOn) await condition(allHandlersFinished);
  else {
    while (!allHandlersFinished()) {
      await waitOn.drain();
      await condition(() => allHandlersFinished() || waitOn.more());
    }
  }
  return continueAsNew<F>(...args);
}
