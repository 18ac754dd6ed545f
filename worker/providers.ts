import { type Provider, PROVIDERS } from '../workflows/task-queues';

/**
 * The provider calls that run on each provider's queue: payouts, refunds and autopay debits, the
 * decision SMS and collection's messages, agency and legal hand-offs. A loan's reminders and bureau
 * filings and the assessment's list, identity and bureau pulls stay local activities on the main
 * queue: a loan makes many of them and an applicant waits on the assessment, a local activity costs
 * one history event and no server round trip, and repeating one with other inputs moves no money.
 * A name missing from the activity map is skipped.
 */
export const PROVIDER_ACTIVITIES: Record<Provider, readonly string[]> = {
  bank: ['disburse', 'refundCredit', 'debitAutopay'],
  notify: ['notifyApplicant', 'contactBorrower'],
  agency: ['handOffToAgency', 'serveLegalNotice'],
};

/**
 * Calls per second each provider accepts from all our workers together: the server enforces
 * `maxTaskQueueActivitiesPerSecond` per task queue, so adding workers never exceeds the contract.
 */
const DEFAULT_RATES: Record<Provider, number> = { bank: 20, notify: 50, agency: 5 };

/** `BANK_ACTIVITIES_PER_SECOND`, `NOTIFY_…`, `AGENCY_…`; the defaults above otherwise. */
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
