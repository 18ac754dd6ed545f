import { z } from 'zod';
import { isValidIdNumber } from '../domain/identity';
import { ProviderError } from './errors';
import { HttpProviderClient, type HttpProviderOptions } from './http';
import { memorySandboxStore, type SandboxStore } from './sandbox-store';
import type {
  BureauQuery,
  BureauReport,
  AccountReport,
  FiledReport,
  CreditBureau,
} from '../contracts/providers/bureau';

/**
 * Sandbox magic, on parts of the ID number that leave the birth date free:
 * - 17-digit body ending `999` (the sequence code): transient outage; the first 2 attempts with the
 *   same idempotency key throw a retryable ProviderError `BUREAU_UNAVAILABLE`, the 3rd succeeds.
 *   Counts live in this instance, so a new instance (a restarted worker) starts counting again;
 *   reports and filings live in the store, so a new instance answers a pulled key with its report.
 * - region code (first 6 digits) `999998`: severe delinquency (score 480, 4 overdue, max DPD 120).
 * - region code `999997`: weak file (score 520, 3 overdue, max DPD 25), low enough to land in the
 *   scorecard's decline band.
 *   Region codes starting 99 exist nowhere, so randomly generated test applicants never hit these.
 * - anything else: a good report, score 700–849, no delinquency, debts 0–49,000.00, all derived
 *   from the ID number.
 * A query without consent is refused (non-retryable `CONSENT_MISSING`).
 */
export class SandboxCreditBureau implements CreditBureau {
  private readonly attempts = new Map<string, number>();
  /** Filings this instance answered, by idempotency key, for tests and demos to read back. */
  readonly filed = new Map<string, AccountReport & FiledReport>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    /** Pulls and filings by key, as the bureau keeps them; memory (this process only) when absent. */
    private readonly store: SandboxStore = memorySandboxStore(),
  ) {}

  async pullReport(query: BureauQuery, idempotencyKey: string): Promise<BureauReport> {
    if (!isValidIdNumber(query.idNumber))
      throw ProviderError.fatal('INVALID_ID_NUMBER', 'ID number fails the GB 11643 check');
    if (!query.consent?.version || !query.consent.acceptedAt) {
      throw ProviderError.fatal('CONSENT_MISSING', 'bureau query needs a recorded consent');
    }
    // A pull is billed once per key: a retry, from this process or a restarted one, gets the same report.
    const earlier = await this.store.findRecord<BureauReport>('bureau-pull', idempotencyKey);
    if (earlier) return earlier;

    const attempt = (this.attempts.get(idempotencyKey) ?? 0) + 1;
    this.attempts.set(idempotencyKey, attempt);
    if (query.idNumber.slice(14, 17) === '999' && attempt <= 2) {
      throw ProviderError.retryable('BUREAU_UNAVAILABLE', `sandbox bureau outage (attempt ${attempt} of 2)`);
    }

    return this.store.recordOnce<BureauReport>('bureau-pull', idempotencyKey, () => ({
      reportId: `sbx-rpt-${hash(idempotencyKey).toString(36)}`,
      pulledAt: this.now().toISOString(),
      ...profile(query.idNumber),
    }));
  }

  async fileAccountReport(report: AccountReport): Promise<FiledReport> {
    if (!report.idempotencyKey) throw ProviderError.fatal('INVALID_REQUEST', 'idempotencyKey is required');
    const filed = await this.store.recordOnce('bureau-filing', report.idempotencyKey, (unique) => ({
      ...report,
      reportId: `sbx-fil-${unique}`,
    }));
    this.filed.set(report.idempotencyKey, filed);
    return { reportId: filed.reportId };
  }
}

function profile(idNumber: string): Omit<BureauReport, 'reportId' | 'pulledAt'> {
  const region = idNumber.slice(0, 6);
  if (region === '999998')
    return { score: 480, currentDebtsMinor: 8_500_000, overdueCountLast24m: 4, maxDpdLast24m: 120 };
  if (region === '999997')
    return { score: 520, currentDebtsMinor: 6_000_000, overdueCountLast24m: 3, maxDpdLast24m: 25 };
  const h = hash(idNumber);
  return {
    score: 700 + (h % 150),
    currentDebtsMinor: (h % 50) * 100_000,
    overdueCountLast24m: 0,
    maxDpdLast24m: 0,
  };
}

/** FNV-1a: stable across runs and platforms, which a sandbox promise of determinism needs. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const reportSchema = z.object({
  reportId: z.string().min(1),
  pulledAt: z.iso.datetime({ offset: true }),
  score: z.number().int().min(300).max(900),
  currentDebtsMinor: z.number().int().nonnegative(),
  overdueCountLast24m: z.number().int().nonnegative(),
  maxDpdLast24m: z.number().int().nonnegative(),
});

/** Bureau pull over HTTP (`POST /bureau/reports`). */
export class HttpCreditBureau implements CreditBureau {
  private readonly client: HttpProviderClient;

  constructor(options: HttpProviderOptions) {
    this.client = new HttpProviderClient(options);
  }

  async pullReport(query: BureauQuery, idempotencyKey: string): Promise<BureauReport> {
    const { name, idNumber, consent } = query;
    return this.client.post('/bureau/reports', { name, idNumber, consent }, reportSchema, idempotencyKey);
  }

  async fileAccountReport(report: AccountReport): Promise<FiledReport> {
    const { idempotencyKey, ...body } = report;
    return this.client.post('/bureau/filings', body, filedSchema, idempotencyKey);
  }
}

const filedSchema = z.object({ reportId: z.string().min(1) });
