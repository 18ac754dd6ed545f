import type { Pool } from 'pg';
import type { JournalEntry } from '../domain/ledger';
import type { LoanView } from '../contracts/loan';
import { postAllOn } from './ledger';
import { saveLoanOn } from './loans';
import { inTransaction } from './paging';

/** A loan's journal entries and its read-model row, written together. */
export function loanBooks(pool: Pool) {
  return {
    /** Entries first (idempotent by source event), then the view (ignored if older than the saved one). */
    async record(entries: readonly JournalEntry[], view: LoanView): Promise<void> {
      await inTransaction(pool, async (client) => {
        await postAllOn(client, entries);
        await saveLoanOn(client, view);
      });
    },
  };
}

export type LoanBooks = ReturnType<typeof loanBooks>;
