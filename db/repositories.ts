import type { Pool } from 'pg';
import { type BureauReportRepository, bureauReportRepository } from './bureau-reports';
import { type CollectionRepository, collectionRepository } from './collection';
import { type CreditLineRepository, creditLineRepository } from './credit-lines';
import { type LedgerRepository, ledgerRepository } from './ledger';
import { type LoanBooks, loanBooks } from './loan-books';
import { type LoanRepository, loanRepository } from './loans';
import { type OperationsRepository, operationsRepository } from './operations';
import { type ReviewRepository, reviewRepository } from './reviews';

/**
 * The repositories the activities write through, written once like the providers
 * (contracts/providers/index.ts): each activity group's deps pick what they use.
 */
export interface Repositories {
  creditLines: CreditLineRepository;
  bureauReports: BureauReportRepository;
  reviews: ReviewRepository;
  ledger: LedgerRepository;
  loans: LoanRepository;
  books: LoanBooks;
  collection: CollectionRepository;
  operations: OperationsRepository;
}

export const repositoriesOn = (pool: Pool): Repositories => ({
  creditLines: creditLineRepository(pool),
  bureauReports: bureauReportRepository(pool),
  reviews: reviewRepository(pool),
  ledger: ledgerRepository(pool),
  loans: loanRepository(pool),
  books: loanBooks(pool),
  collection: collectionRepository(pool),
  operations: operationsRepository(pool),
});
