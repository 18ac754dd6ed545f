import { z } from 'zod';
import { ProviderError } from './errors';
import { HttpProviderClient, type HttpProviderOptions } from './http';
import { memorySandboxStore, type SandboxStore } from './sandbox-store';
import type { AgencyHandOff, LegalNotice, CollectionAgency } from '../contracts/providers/agency';

/** Records assignments and notices in the store, one per idempotency key; the maps are what this instance answered. */
export class SandboxCollectionAgency implements CollectionAgency {
  readonly assignments = new Map<string, AgencyHandOff & { ref: string }>();
  readonly notices = new Map<string, LegalNotice & { ref: string }>();

  constructor(private readonly store: SandboxStore = memorySandboxStore()) {}

  async handOff(request: AgencyHandOff): Promise<{ agencyRef: string }> {
    const { ref } = await this.once('agency-assignment', this.assignments, request, 'sbx-agy');
    return { agencyRef: ref };
  }

  async serveLegalNotice(request: LegalNotice): Promise<{ noticeRef: string }> {
    const { ref } = await this.once('agency-legal-notice', this.notices, request, 'sbx-lgl');
    return { noticeRef: ref };
  }

  /** The first request under a key is recorded with a new reference; a retry gets the same one back. */
  private async once<R extends { idempotencyKey: string }>(
    provider: string,
    answered: Map<string, R & { ref: string }>,
    request: R,
    prefix: string,
  ): Promise<R & { ref: string }> {
    if (!request.idempotencyKey) throw ProviderError.fatal('INVALID_REQUEST', 'idempotencyKey is required');
    const record = await this.store.recordOnce(provider, request.idempotencyKey, (unique) => ({
      ...request,
      ref: `${prefix}-${unique}`,
    }));
    answered.set(request.idempotencyKey, record);
    return record;
  }
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
