import { type ActivityOptions, proxyActivities } from '@temporalio/workflow';

/**
 * Provider calls run on task queues of their own so each provider gets its own rate limit
 * (`maxTaskQueueActivitiesPerSecond`, enforced by the server across every worker) and a slow
 * provider cannot take the slots the loans' own activities need.
 */
export const PROVIDER_QUEUES = {
  bank: 'loanflow-bank',
  bureau: 'loanflow-bureau',
  notify: 'loanflow-notify',
  agency: 'loanflow-agency',
} as const;

export type Provider = keyof typeof PROVIDER_QUEUES;

/**
 * For workflow code: `providerActivities<CollectionActivities>('notify', { startToCloseTimeout, retry })`
 * schedules on that provider's queue. Only activities the worker registers there can be called (worker/providers.ts).
 */
export function providerActivities<A extends object>(
  provider: Provider,
  options: Omit<ActivityOptions, 'taskQueue'>,
) {
  return proxyActivities<A>({ ...options, taskQueue: PROVIDER_QUEUES[provider] });
}
