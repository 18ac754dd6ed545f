import type { CollectionAgency } from './agency';
import type { BankGateway } from './bank';
import type { CreditBureau } from './bureau';
import type { IdentityVerifier } from './identity';
import type { ListScreener } from './lists';
import type { Notifier } from './notify';

/** Every provider the engine talks to; a worker holds one of each (adapters/index.ts builds them). */
export interface Providers {
  identity: IdentityVerifier;
  lists: ListScreener;
  bureau: CreditBureau;
  bank: BankGateway;
  notify: Notifier;
  agency: CollectionAgency;
}
