import type { BureauReport } from '../contracts/providers/bureau';
import type { IdentityResult } from '../contracts/providers/identity';
import type { ListResult } from '../contracts/providers/lists';
import type { NewCreditLineRow } from '../db/credit-lines';
import type { ReviewRow } from '../db/reviews';
import type { Applicant, Consent, CreditLineView } from '../contracts/credit-line';
import type { ActivityDeps } from './deps';
import { failFastWhenHopeless } from './failures';

export type CreditGrantDeps = ActivityDeps<
  'identity' | 'lists' | 'bureau' | 'notify',
  'creditLines' | 'bureauReports' | 'reviews'
>;

/** Activities of the credit grant: thin calls over adapters and repositories. */
export function createCreditGrantActivities(deps: CreditGrantDeps) {
  return failFastWhenHopeless({
    async recordApplication(row: NewCreditLineRow): Promise<void> {
      await deps.creditLines.insertApplication(row);
    },

    async screenLists(input: { applicant: Applicant }): Promise<ListResult> {
      const { idNumber, phone, bankCard, deviceId } = input.applicant;
      return deps.lists.screen({ idNumber, phone, bankCard, ...(deviceId ? { deviceId } : {}) });
    },

    async verifyIdentity(input: { creditLineId: string; applicant: Applicant }): Promise<IdentityResult> {
      const { name, idNumber, bankCard, phone } = input.applicant;
      return deps.identity.verifyFourElements(
        { name, idNumber, bankCard, phone },
        `${input.creditLineId}:identity`,
      );
    },

    /** Reuses a report younger than the product allows; a pull is billed and marks the applicant's file. */
    async pullBureau(input: {
      creditLineId: string;
      customerId: string;
      applicant: Applicant;
      consent: Consent;
      maxAgeDays: number;
    }): Promise<BureauReport> {
      const fresh = await deps.bureauReports.freshFor(input.customerId, input.maxAgeDays);
      if (fresh) return fresh;
      const report = await deps.bureau.pullReport(
        { name: input.applicant.name, idNumber: input.applicant.idNumber, consent: input.consent },
        `${input.creditLineId}:bureau`,
      );
      await deps.bureauReports.save(input.customerId, report);
      return report;
    },

    async saveCreditLineState(view: CreditLineView): Promise<void> {
      await deps.creditLines.saveState(view);
    },

    /** One message per line and status (the key), so a retry never texts the applicant twice. */
    async notifyApplicant(input: {
      creditLineId: string;
      phone: string;
      status: string;
      reasonCodes: string[];
    }): Promise<void> {
      await deps.notify.send({
        idempotencyKey: `${input.creditLineId}:decision:${input.status}`,
        channel: 'sms',
        to: input.phone,
        template: `credit-line-${input.status.replace('_', '-')}`,
        params: { creditLineId: input.creditLineId, reasons: input.reasonCodes.join(',') },
      });
    },

    async saveReview(row: ReviewRow): Promise<void> {
      await deps.reviews.save(row);
    },
  });
}

export type CreditGrantActivities = ReturnType<typeof createCreditGrantActivities>;
