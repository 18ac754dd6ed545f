import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { CreditGrantActivities } from '../activities/credit-grant';
import {
  awaitDecision,
  closeCreditLine,
  getCreditLine,
  type CreditLineApplication,
  type CreditLineView,
} from './messages';

const { recordApplication, verifyIdentity, saveCreditLineState } = proxyActivities<CreditGrantActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** A credit line lives from its application until it is declined or closed. */
export async function creditLine(application: CreditLineApplication): Promise<CreditLineView> {
  const line: CreditLineView = {
    id: application.creditLineId,
    status: 'pending',
    productCode: application.productCode,
    customerId: application.customerId,
    requestedLimit: application.requestedLimit,
    grade: null,
    limit: null,
    available: null,
    apr: null,
    reasons: [],
  };
  let closeRequested = false;
  setHandler(getCreditLine, () => line);
  setHandler(awaitDecision, async () => {
    await condition(() => line.status !== 'pending');
    return line;
  });
  setHandler(closeCreditLine, () => void (closeRequested = true));

  await recordApplication({
    id: line.id,
    customerId: line.customerId,
    productCode: line.productCode,
    currency: line.requestedLimit.currency,
    requestedLimit: line.requestedLimit.amount,
    bureauConsent: application.consents.bureauQuery,
  });

  const identity = await verifyIdentity({ creditLineId: line.id, applicant: application.applicant });
  if (!identity.matched) {
    line.status = 'declined';
    line.reasons = [{ code: identity.reasonCode, message: 'The four elements do not match the bank record.' }];
  } else {
    line.status = 'active';
    line.limit = application.requestedLimit;
    line.available = application.requestedLimit;
    line.reasons = [{ code: 'APPROVED', message: 'Identity verified.' }];
  }
  await saveCreditLineState(line);
  if (line.status === 'declined') return line;

  await condition(() => closeRequested);
  line.status = 'closed';
  await saveCreditLineState(line);
  return line;
}
