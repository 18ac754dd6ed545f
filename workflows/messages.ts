import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Money } from '../domain/money';

/**
 * Every message the workflows accept, defined once and imported by both the workflows and the API
 * (DESIGN §14). Payload types are plain JSON.
 */

export const TASK_QUEUE_DEFAULT = 'loanflow';

export const creditLineWorkflowId = (id: string): string => `credit-line:${id}`;

export interface Applicant {
  name: string;
  idNumber: string;
  phone: string;
  bankCard: string;
  deviceId?: string;
}

export interface Consent {
  version: string;
  acceptedAt: string;
}

export interface CreditLineApplication {
  creditLineId: string;
  /** Opaque keyed hash of the ID number: safe for search attributes and the read model. */
  customerId: string;
  applicant: Applicant;
  productCode: string;
  requestedLimit: Money;
  consents: { bureauQuery: Consent };
  /** The API key id that submitted it; a reviewer who is party to the application may not decide it. */
  submittedBy: string;
}

export type CreditLineStatus = 'pending' | 'pending_review' | 'active' | 'declined' | 'frozen' | 'closed';

export interface Reason {
  code: string;
  message: string;
}

export interface CreditLineView {
  id: string;
  status: CreditLineStatus;
  productCode: string;
  customerId: string;
  requestedLimit: Money;
  grade: string | null;
  limit: Money | null;
  available: Money | null;
  apr: string | null;
  reasons: Reason[];
}

export const getCreditLine = defineQuery<CreditLineView>('getCreditLine');

/** Resolves as soon as the line leaves `pending` (decided, or waiting for a reviewer). */
export const awaitDecision = defineUpdate<CreditLineView>('awaitDecision');

export const closeCreditLine = defineSignal<[{ reason: string; actor: string }]>('closeCreditLine');
