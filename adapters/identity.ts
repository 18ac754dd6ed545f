import { z } from 'zod';
import { HttpProviderClient, type HttpProviderOptions } from './http';
import type { FourElements, IdentityResult, IdentityVerifier } from '../contracts/providers/identity';

/** Sandbox (docs/design.md, "Sandbox providers"): a card ending 0001 is a mismatch, everything well-formed else matches. */
export class SandboxIdentityVerifier implements IdentityVerifier {
  async verifyFourElements(input: FourElements): Promise<IdentityResult> {
    if (input.bankCard.endsWith('0001')) return { matched: false, reasonCode: 'IDENTITY_MISMATCH' };
    return { matched: true };
  }
}

const identityResultSchema = z.union([
  z.object({ matched: z.literal(true) }),
  z.object({ matched: z.literal(false), reasonCode: z.string().min(1) }),
]);

/** Four-element verification over HTTP (`POST /identity/four-elements`). */
export class HttpIdentityVerifier implements IdentityVerifier {
  private readonly client: HttpProviderClient;

  constructor(options: HttpProviderOptions) {
    this.client = new HttpProviderClient(options);
  }

  async verifyFourElements(input: FourElements, idempotencyKey: string): Promise<IdentityResult> {
    const { name, idNumber, bankCard, phone } = input;
    const result = await this.client.post(
      '/identity/four-elements',
      { name, idNumber, bankCard, phone },
      identityResultSchema,
      idempotencyKey,
    );
    return result.matched ? { matched: true } : { matched: false, reasonCode: result.reasonCode };
  }
}
