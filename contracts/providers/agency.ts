/**
 * The contract with the collection agency and legal notices: what we send, what it answers, and the
 * interface every implementation (sandbox, HTTP) keeps. Imported by adapters, activities and workflows.
 */

/**
 * Partners that collection escalates to: an external collection agency (M3) and the legal desk that
 * serves formal notices (M4+). Only opaque ids and amounts leave us; the partner holds the borrower's
 * contact details under its own contract.
 */
export interface AgencyHandOff {
  /** From the business event (`{loanId}:agency`): a retry assigns the account once. */
  idempotencyKey: string;
  loanId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  dpd: number;
  bucket: string;
}

export interface LegalNotice {
  idempotencyKey: string;
  loanId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  dpd: number;
}

export interface CollectionAgency {
  handOff(request: AgencyHandOff): Promise<{ agencyRef: string }>;
  serveLegalNotice(request: LegalNotice): Promise<{ noticeRef: string }>;
}
