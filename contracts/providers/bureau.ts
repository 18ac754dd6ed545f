/**
 * The contract with the credit bureau (reports and account reporting): what we send, what it answers, and the
 * interface every implementation (sandbox, HTTP) keeps. Imported by adapters, activities and workflows.
 */

export interface BureauConsent {
  /** Version of the bureau-query consent text the applicant accepted (recorded apart from the terms). */
  version: string;
  /** ISO instant. */
  acceptedAt: string;
}

export interface BureauQuery {
  name: string;
  idNumber: string;
  consent: BureauConsent;
}

export interface BureauReport {
  reportId: string;
  /** ISO instant. */
  pulledAt: string;
  /** 300–900. */
  score: number;
  currentDebtsMinor: number;
  overdueCountLast24m: number;
  maxDpdLast24m: number;
}

/** What a lender furnishes to the bureau about one account; no name or ID number beyond the account's opaque ids. */
export interface AccountReport {
  /** From the business event (`{loanId}:bureau:{bucket}`): a retried report is filed once. */
  idempotencyKey: string;
  loanId: string;
  customerId: string;
  status: 'current' | 'delinquent' | 'written_off' | 'closed';
  dpd: number;
  bucket: string;
  outstandingMinor: number;
  currency: string;
  /** Borrower's local date the figures are for. */
  asOf: string;
}

export interface FiledReport {
  reportId: string;
}

export interface CreditBureau {
  /** Pulls are billed and leave a footprint on the file, so a retry must reuse the idempotency key. */
  pullReport(query: BureauQuery, idempotencyKey: string): Promise<BureauReport>;
  /** Furnishes an account's repayment status; the bureau keeps one filing per key. */
  fileAccountReport(report: AccountReport): Promise<FiledReport>;
}
