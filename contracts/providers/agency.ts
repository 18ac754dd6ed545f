/**
 * The contract with the collection agency and legal notices: what we send, what it answers, and the
 * interface every implementation (sandbox, HTTP) keeps. Imported by adapters, activities and workflows.
 */

/**
 * Partners that collection escalates to: an external collection agency (M3) and the legal desk that
 * serves formal notices (M4+). Only opaque ids and amounts leave us; the partner holds the borrower's
 * contact details under its own contract.
 */
export interface LegalNotice {
  /** From the business event (the collection step, e.g. `{loanId}:agency`): a retry acts on the account once. */
  idempotencyKey: string;
  loanId: string;
  customerId: string;
  amountMinor: number;
  currency: string;
  dpd: number;
}

/** What the agency is handed: the same account facts, and the bucket the loan is in. */
export interface AgencyHandOff extends LegalNotice {
  bucket: string;
}

export interface CollectionAgency {
  handOff(request: AgencyHandOff): Promise<{ agencyRef: string }>;
  serveLegalNotice(request: LegalNotice): Promise<{ noticeRef: string }>;
}
