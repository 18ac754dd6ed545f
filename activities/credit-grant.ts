import type { IdentityResult, IdentityVerifier } from '../adapters/identity';
import type { CreditLineRepository, NewCreditLineRow } from '../db/credit-lines';
import type { Applicant, CreditLineView } from '../workflows/messages';

export interface CreditGrantDeps {
  identity: IdentityVerifier;
  creditLines: CreditLineRepository;
}

/** Activities of the credit grant: thin calls over adapters and repositories. */
export function createCreditGrantActivities(deps: CreditGrantDeps) {
  return {
    async recordApplication(row: NewCreditLineRow): Promise<void> {
      await deps.creditLines.insertApplication(row);
    },

    async verifyIdentity(input: { creditLineId: string; applicant: Applicant }): Promise<IdentityResult> {
      const { name, idNumber, bankCard, phone } = input.applicant;
      return deps.identity.verifyFourElements({ name, idNumber, bankCard, phone }, `${input.creditLineId}:identity`);
    },

    async saveCreditLineState(view: CreditLineView): Promise<void> {
      await deps.creditLines.saveState(view);
    },
  };
}

export type CreditGrantActivities = ReturnType<typeof createCreditGrantActivities>;
