import { ApplicationFailure, proxyActivities } from '@temporalio/workflow';

/** Workflows whose inputs, results and failures carry PII, for the history-leak test. */
export interface Applicant {
  name: string;
  idNumber: string;
  card: string;
  phone: string;
}

export interface FixtureActivities {
  verifyCard(applicant: Applicant): Promise<{ card: string; approved: boolean }>;
  declineCard(applicant: Applicant): Promise<void>;
}

const { verifyCard, declineCard } = proxyActivities<FixtureActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});

export async function registerApplicant(
  applicant: Applicant,
): Promise<{ idNumber: string; card: string; approved: boolean }> {
  const verified = await verifyCard(applicant);
  return { idNumber: applicant.idNumber, card: verified.card, approved: verified.approved };
}

/** Fails in the workflow itself, so the message goes through the bundled failure converter. */
export async function rejectApplicant(applicant: Applicant): Promise<never> {
  throw ApplicationFailure.nonRetryable(
    `applicant ${applicant.idNumber} with card ${applicant.card} is blacklisted`,
    'Blacklisted',
    {
      phone: applicant.phone,
    },
  );
}

/** Fails in an activity, so the message goes through the worker's failure converter. */
export async function declineApplicant(applicant: Applicant): Promise<void> {
  await declineCard(applicant);
}
