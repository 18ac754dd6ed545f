import { type Provider, PROVIDERS } from '../workflows/task-queues';

/**
 * Which activities each provider's worker serves. A name missing from the activity map (collection's
 * activities before that workflow ships) is skipped, and a provider with none gets no worker.
 */
export const PROVIDER_ACTIVITIES: Record<Provider, readonly string[]> = {
  bank: ['disburse', 'debitAutopay', 'refundCredit'],
  bureau: ['pullBureau', 'fileBureauReport'],
  notify: ['notifyBorrower', 'notifyApplicant', 'contactBorrower'],
  agency: ['handOffToAgency', 'serveLegalNotice'],
};

/**
 * Calls per second each provider accepts from all our workers together: the server enforces
 * `maxTaskQueueActivitiesPerSecond` per task queue, so adding workers never exceeds the contract.
 */
const DEFAULT_RATES: Record<Provider, number> = { bank: 20, bureau: 5, notify: 50, agency: 5 };

/** `BANK_ACTIVITIES_PER_SECOND`, `BUREAU_…`, `NOTIFY_…`, `AGENCY_…`; the defaults above otherwise. */
export function providerRatesFromEnv(env: NodeJS.ProcessEnv = process.env): Record<Provider, number> {
  const rates = { ...DEFAULT_RATES };
  for (const p of PROVIDERS) {
    const name = `${p.toUpperCase()}_ACTIVITIES_PER_SECOND`;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const n = Number(raw);
    if (!(n > 0)) throw new Error(`${name} must be a positive number, got "${raw}"`);
    rates[p] = n;
  }
  return rates;
}

export function pickActivities<A extends Record<string, unknown>>(
  all: A,
  names: readonly string[],
): Partial<A> {
  return Object.fromEntries(names.filter((n) => n in all).map((n) => [n, all[n]])) as Partial<A>;
}
