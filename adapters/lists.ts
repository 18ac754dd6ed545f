import { z } from 'zod';
import { HttpProviderClient, type HttpProviderOptions } from './http';
import type {
  ScreeningSubject,
  ListElement,
  ListName,
  ListResult,
  ListScreener,
  ListEntry,
} from '../contracts/providers/lists';

/** Checked in this order, so the reported element is predictable when several match. */
const ELEMENTS: readonly ListElement[] = ['idNumber', 'phone', 'bankCard', 'deviceId'];

/**
 * Sandbox (docs/design.md, "Sandbox providers"): a phone ending 0000 is blacklisted, one ending 1111 whitelisted. Tests may
 * add entries for the other elements. A blacklist hit on any element wins over a whitelist hit on
 * another: being fast-tracked must never hide a refusal.
 */
export class SandboxListScreener implements ListScreener {
  private readonly entries: ListEntry[];

  constructor(entries: ListEntry[] = []) {
    this.entries = [...entries];
  }

  async screen(subject: ScreeningSubject): Promise<ListResult> {
    return this.find(subject, 'blacklist') ?? this.find(subject, 'whitelist') ?? { listed: null };
  }

  private find(subject: ScreeningSubject, list: ListName): ListResult | undefined {
    for (const on of ELEMENTS) {
      const value = subject[on];
      if (value === undefined) continue;
      if (this.entries.some((e) => e.list === list && e.on === on && e.value === value))
        return { listed: list, matchedOn: on };
      if (on === 'phone' && value.endsWith(list === 'blacklist' ? '0000' : '1111'))
        return { listed: list, matchedOn: on };
    }
    return undefined;
  }
}

const listResultSchema = z.object({
  listed: z.enum(['blacklist', 'whitelist']).nullable(),
  matchedOn: z.enum(['idNumber', 'phone', 'bankCard', 'deviceId']).optional(),
});

/** Screening over HTTP (`POST /lists/screen`); a read, so it carries no idempotency key. */
export class HttpListScreener implements ListScreener {
  private readonly client: HttpProviderClient;

  constructor(options: HttpProviderOptions) {
    this.client = new HttpProviderClient(options);
  }

  async screen(subject: ScreeningSubject): Promise<ListResult> {
    const { idNumber, phone, bankCard, deviceId } = subject;
    const result = await this.client.post(
      '/lists/screen',
      { idNumber, phone, bankCard, deviceId },
      listResultSchema,
    );
    return result.matchedOn === undefined
      ? { listed: result.listed }
      : { listed: result.listed, matchedOn: result.matchedOn };
  }
}
