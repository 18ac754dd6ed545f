import { type ActivityOptions, proxyActivities, workflowInfo } from '@temporalio/workflow';

/**
 * Provider calls run on task queues of their own so each provider gets its own rate limit
 * (`maxTaskQueueActivitiesPerSecond`, enforced by the server across every worker) and a slow
 * provider cannot take the slots the loans' own activities need.
 */
export const PROVIDERS = ['bank', 'notify', 'agency'] as const;
export type Provider = (typeof PROVIDERS)[number];

/**
 * A provider's queue sits beside the workflow's own (`loanflow` → `loanflow-notify`), so two
 * deployments (or two test files) sharing a server never serve each other's provider calls.
 */
export const providerQueue = (mainQueue: string, provider: Provider): string => `${mainQueue}-${provider}`;

/**
 * For workflow code, inside the workflow function (it reads the run's task queue):
 * `providerActivities<CollectionActivities>('notify', { startToCloseTimeout, retry })`. Only activities
 * the worker registers on that queue can be called (worker/providers.ts).
 */
export function providerActivities<A extends object>(
  provider: Provider,
  options: Omit<ActivityOptions, 'taskQueue'>,
) {
  return proxyActivities<A>({ ...options, taskQueue: providerQueue(workflowInfo().taskQueue, provider) });
}
