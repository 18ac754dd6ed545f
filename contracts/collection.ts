import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CollectionStatus } from '../domain/collection-scheduler';
import type { Bucket, Stage } from '../domain/delinquency';
import type { Currency, Money } from '../domain/money';
import type { LoanStatus } from './loan';

/**
 * The messages of a collection workflow (`collection:{loanId}`), a child of its loan started when the
 * loan turns delinquent. Defined once, imported by the workflows, the activities, the API and the tests (docs/design.md, "Layers").
 */

export const collectionWorkflowId = (loanId: string): string => `collection:${loanId}`;

export interface CollectionInput {
  loanId: string;
  creditLineId: string;
  customerId: string;
  productCode: string;
  /** The borrower's zone: contact hours are local to it. */
  timeZone: string;
  currency: Currency;
  /** Contact goes to the borrower only (PII; the payload codec encrypts it). */
  borrower: { phone: string };
  /** Where the loan stood when collection began. */
  first: DelinquencyUpdate;
  /** The loan's buckets; collections begun before loans passed them use the earlier ranges. */
  buckets?: Bucket[];
}

/** What the loan tells its collection after every change that matters to it. */
export interface DelinquencyUpdate {
  /** Borrower's local date the figures are for. */
  asOf: string;
  status: LoanStatus;
  dpd: number;
  bucket: string;
  stage: Stage;
  oldestDueDate: string | null;
  /** Everything due and unpaid today, minor units. */
  overdue: number;
  /** Everything owed today (the payoff amount), minor units. */
  outstanding: number;
  /** Receivables as booked, for settlement terms: only interest and penalty may be waived. */
  receivable: { principal: number; interest: number; fees: number; penalty: number };
  /** Money received over the loan's life, minor units: promises are kept by what arrives after them. */
  receivedTotal: number;
  /** Set when the loan closed by a settlement. */
  settledBy?: string;
}
export const delinquencyUpdate = defineSignal<[DelinquencyUpdate]>('delinquencyUpdate');

export type ContactChannel = 'sms' | 'push' | 'call' | 'agency' | 'legal';

export interface ContactRecord {
  id: string;
  channel: ContactChannel;
  /** ISO instant. */
  at: string;
  /** The borrower's local date and time of the contact. */
  localDate: string;
  localTime: string;
  bucket: string;
  dpd: number;
  outcome: string;
}

export type TaskOutcomeKind = 'reached' | 'no_answer' | 'wrong_number' | 'refused' | 'promise_to_pay';

/** A collector's report on a call task; the API records it in PostgreSQL and signals the workflow. */
export interface TaskOutcome {
  taskId: string;
  outcome: TaskOutcomeKind;
  collectorId: string;
  note?: string;
  /** ISO instant the call was made. */
  at: string;
  /** With promise_to_pay. */
  promise?: { promiseId: string; date: string; amount: Money };
}
export const recordTaskOutcome = defineSignal<[TaskOutcome]>('recordTaskOutcome');

export interface PromiseRequest {
  /** From the API's idempotency key: a repeated id is answered, not recorded twice. */
  promiseId: string;
  /** Borrower's local date by which the amount will be paid. */
  date: string;
  amount: Money;
  collectorId: string;
}

export interface PromiseView {
  id: string;
  date: string;
  amount: Money;
  status: 'open' | 'kept' | 'broken';
  recordedBy: string;
  recordedAt: string;
  /** receivedTotal of the loan when the promise was made. */
  receivedAtPromise: number;
  resolvedOn?: string;
}

/** Record a promise to pay. Refused when one is open, the date is past or too far, or the amount is not positive. */
export const promiseToPay = defineUpdate<PromiseView, [PromiseRequest]>('promiseToPay');

export interface SettlementOfferRequest {
  offerId: string;
  /** What the borrower pays to close the loan. */
  amount: Money;
  /** Borrower's local date by which it must be paid. */
  payBy: string;
  proposedBy: string;
  reason: string;
}

export interface SettlementOfferView {
  id: string;
  amount: Money;
  payBy: string;
  /** The part of the debt waived if the amount is paid in time. */
  waived: number;
  status: 'pending_approval' | 'approved' | 'declined' | 'paid' | 'lapsed';
  reviewersRequired: 1 | 2;
  approvals: string[];
  proposedBy: string;
  reason: string;
  decisions: { reviewerId: string; decision: 'approve' | 'decline'; reason: string; at: string }[];
}

export const offerSettlement = defineUpdate<SettlementOfferView, [SettlementOfferRequest]>('offerSettlement');

export interface SettlementDecisionRequest {
  offerId: string;
  reviewerId: string;
  decision: 'approve' | 'decline';
  reason: string;
}
/** A reviewer's decision; the validator refuses the proposer, a second vote by the same reviewer, a closed offer. */
export const decideSettlement = defineUpdate<SettlementOfferView, [SettlementDecisionRequest]>(
  'decideSettlement',
);

export type { CollectionStatus };

export interface CollectionView {
  loanId: string;
  status: CollectionStatus;
  dpd: number;
  bucket: string;
  stage: DelinquencyUpdate['stage'];
  /** Why escalation is paused (an open promise), if it is. */
  pausedUntil: string | null;
  contacts: ContactRecord[];
  openTasks: string[];
  promises: PromiseView[];
  settlements: SettlementOfferView[];
  agencyRef: string | null;
  legalNoticeOn: string | null;
}
export const getCollection = defineQuery<CollectionView>('getCollection');
