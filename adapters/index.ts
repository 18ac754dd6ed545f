import { HttpCollectionAgency, SandboxCollectionAgency, type CollectionAgency } from './agency';
import { HttpBank, SandboxBank, type BankGateway } from './bank';
import { HttpCreditBureau, SandboxCreditBureau, type CreditBureau } from './bureau';
import { type HttpProviderOptions } from './http';
import { HttpIdentityVerifier, SandboxIdentityVerifier, type IdentityVerifier } from './identity';
import { HttpListScreener, SandboxListScreener, type ListScreener } from './lists';
import { HttpNotifier, SandboxNotifier, type Notifier } from './notify';

export type AdapterConfig =
  | { mode: 'sandbox'; now?: () => Date }
  | { mode: 'http'; baseUrl: string; apiKey: string; timeoutMs?: number };

export interface Adapters {
  identity: IdentityVerifier;
  lists: ListScreener;
  bureau: CreditBureau;
  bank: BankGateway;
  notify: Notifier;
  agency: CollectionAgency;
}

/**
 * The worker's single switch between sandbox and real providers. Sandbox instances hold state
 * (payout ledger, attempt counts), so create them once per process, not per activity call.
 */
export function createAdapters(config: AdapterConfig): Adapters {
  if (config.mode === 'sandbox') {
    const now = config.now ?? (() => new Date());
    return {
      identity: new SandboxIdentityVerifier(),
      lists: new SandboxListScreener(),
      bureau: new SandboxCreditBureau(now),
      bank: new SandboxBank(now),
      notify: new SandboxNotifier(now),
      agency: new SandboxCollectionAgency(),
    };
  }
  const options: HttpProviderOptions = {
    baseUrl: config.baseUrl,
    apiKey: config.apiKey,
    timeoutMs: config.timeoutMs,
  };
  return {
    identity: new HttpIdentityVerifier(options),
    lists: new HttpListScreener(options),
    bureau: new HttpCreditBureau(options),
    bank: new HttpBank(options),
    notify: new HttpNotifier(options),
    agency: new HttpCollectionAgency(options),
  };
}

export * from './errors';
export type { HttpProviderOptions } from './http';
export type { FourElements, IdentityResult, IdentityVerifier } from './identity';
export type { ListResult, ListScreener, ScreeningSubject, ListElement, ListName, ListEntry } from './lists';
export type { BureauReport, BureauQuery, BureauConsent, CreditBureau, AccountReport } from './bureau';
export type { CollectionAgency, AgencyHandOff, LegalNotice } from './agency';
export { SandboxCollectionAgency, HttpCollectionAgency } from './agency';
export type {
  BankGateway,
  PayRequest,
  Payout,
  DebitRequest,
  DebitResult,
  DebitFailureReason,
  DebitRecord,
} from './bank';
export type {
  Notifier,
  Notification,
  NotificationChannel,
  SentNotification,
  RecordedNotification,
} from './notify';
export { SandboxIdentityVerifier, HttpIdentityVerifier } from './identity';
export { SandboxListScreener, HttpListScreener } from './lists';
export { SandboxCreditBureau, HttpCreditBureau } from './bureau';
export { SandboxBank, HttpBank } from './bank';
export { SandboxNotifier, HttpNotifier } from './notify';
