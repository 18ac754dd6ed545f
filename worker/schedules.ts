import {
  type Client,
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  type ScheduleOptions,
  ScheduleOverlapPolicy,
  type ScheduleUpdateOptions,
} from '@temporalio/client';
import { BUSINESS_TIME_ZONE } from '../workflows/operations';

export const SCHEDULE_IDS = {
  reconcile: 'loanflow-daily-reconciliation',
  snapshot: 'loanflow-daily-portfolio-snapshot',
} as const;

/**
 * The daily jobs' schedules. Both run after the business day closed (in the business zone) and
 * work on the day before; the snapshot first, so the reconciliation is not the one slowing it.
 */
export function scheduleDefinitions(taskQueue: string): ScheduleOptions[] {
  const daily = (hour: number) => ({ calendars: [{ hour, minute: 5 }], timezone: BUSINESS_TIME_ZONE });
  // A missed day (server down) still runs when it comes back, but never two of a job at once.
  const policies = { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' } as const;
  return [
    {
      scheduleId: SCHEDULE_IDS.snapshot,
      spec: daily(0),
      policies,
      action: {
        type: 'startWorkflow',
        workflowType: 'snapshotPortfolio',
        workflowId: 'portfolio-snapshot',
        taskQueue,
        args: [{}],
        staticSummary: 'Daily portfolio snapshot of the previous business day',
      },
    },
    {
      scheduleId: SCHEDULE_IDS.reconcile,
      spec: daily(1),
      policies,
      action: {
        type: 'startWorkflow',
        workflowType: 'reconcile',
        workflowId: 'reconciliation',
        taskQueue,
        args: [{}],
        staticSummary: 'Daily reconciliation: ledger vs loan workflows vs bank statement',
      },
    },
  ];
}

/**
 * Creates the schedules, or brings existing ones to this definition (a changed definition must
 * reach a schedule created by older code; a paused schedule stays paused). A deployment step, run
 * with the deployment's main task queue: `worker/schedules-cli.ts`, and the local stack's start.
 * Workers never call it, or the last one started would repoint the schedules at its own queue.
 */
export async function ensureSchedules(client: Client, taskQueue: string): Promise<string[]> {
  const ids: string[] = [];
  for (const def of scheduleDefinitions(taskQueue)) {
    try {
      await client.schedule.create(def);
    } catch (err) {
      if (!(err instanceof ScheduleAlreadyRunning)) throw err;
      await client.schedule.getHandle(def.scheduleId).update((prev): ScheduleUpdateOptions => ({
        ...prev,
        spec: def.spec,
        action: def.action,
        policies: def.policies,
      }));
    }
    ids.push(def.scheduleId);
  }
  return ids;
}

/** Where each schedule starts its workflow (null: the schedule does not exist). Reads only. */
export async function scheduleTargets(client: Client): Promise<Record<string, string | null>> {
  const targets: Record<string, string | null> = {};
  for (const id of Object.values(SCHEDULE_IDS)) {
    try {
      const { action } = await client.schedule.getHandle(id).describe();
      targets[id] = action.type === 'startWorkflow' ? action.taskQueue : null;
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      targets[id] = null;
    }
  }
  return targets;
}
