import { z } from 'zod';
import { ProviderError } from './errors';
import { HttpProviderClient, type HttpProviderOptions } from './http';

/**
 * Partners that collection escalates to: an external collection agency (M3) and the legal desk that
 * serves formal notices (M4+). Only opaque ids and amounts leave us; the partner holds the borrower's
 * contact details under its own contract.
 */
export interface AgencyHandOff {
  /** From the business event (`{loanId}:agency`): a retry assigns the account once. */
  idempotencyKey: string;
  loanId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  dpd: number;
  bucket: string;
}

export interface LegalNotice {
  idempotencyKey: string;
  loanId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  dpd: number;
}

export interface CollectionAgency {
  handOff(request: AgencyHandOff): Promise<{ agencyRef: string }>;
  serveLegalNotice(request: LegalNotice): Promise<{ noticeRef: string }>;
}

/** Records assignments and notices; one per idempotency key. */
export class SandboxCollectionAgency implements CollectionAgency {
  readonly assignments = new Map<string, AgencyHandOff & { agencyRef: string }>();
  readonly notices = new Map<string, LegalNotice & { noticeRef: string }>();

  async handOff(request: AgencyHandOff): Promise<{ agencyRef: string }> {
    requireKey(request.idempotencyKey);
    const known = this.assignments.get(request.idempotencyKey);
    if (known) return { agencyRef: known.agencyRef };
    const agencyRef = `sbx-agy-${this.assignments.size + 1}`;
    this.assignments.set(request.idempotencyKey, { ...request, agencyRef });
    return { agencyRef };
  }

  async serveLegalNotice(request: LegalNotice): Promise<{ noticeRef: string }> {
    requireKey(request.idempotencyKey);
    const known = this.notices.get(request.idempotencyKey);
    if (known) return { noticeRef: known.noticeRef };
    const noticeRef = `sbx-lgl-${this.notices.size + 1}`;
    this.notices.set(request.idempotencyKey, { ...request, noticeRef });
    return { noticeRef };
  }
}

function requireKey(key: string): void {
  if (!key) throw ProviderError.fatal('INVALID_REQUEST', 'idempotencyKey is required');
}

/** `POST /agency/assignments` and `POST /legal/notices`. */
export class HttpCollectionAgency implements CollectionAgency {
  private readonly client: HttpProviderClient;

  constructor(options: HttpProviderOptions) {
    this.client = new HttpProviderClient(options);
  }

  async handOff(request: AgencyHandOff): Promise<{ agencyRef: string }> {
    const { idempotencyKey, ...body } = request;
    return this.client.post(
      '/agency/assignments',
      body,
      z.object({ agencyRef: z.string().min(1) }),
      idempotencyKey,
    );
  }

  async serveLegalNotice(request: LegalNotice): Promise<{ noticeRef: string }> {
    const { idempotencyKey, ...body } = request;
    return this.client.post(
      '/legal/notices',
      body,
      z.object({ noticeRef: z.string().min(1) }),
      idempotencyKey,
    );
  }
}
