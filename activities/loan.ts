import { ApplicationFailure } from '@temporalio/common';
import type { BankGateway, DebitRequest, DebitResult, PayRequest, Payout } from '../adapters/bank';
import { isProviderError, NON_RETRYABLE_PROVIDER_ERROR } from '../adapters/errors';
import type { ListResult, ListScreener, ScreeningSubject } from '../adapters/lists';
import type { Notification, Notifier, SentNotification } from '../adapters/notify';
import type { LedgerRepository } from '../db/ledger';
import type { LoanRepository } from '../db/loans';
import type { JournalEntry } from '../domain/ledger';
import type { LoanView } from '../workflows/loan-messages';

export interface LoanActivityDeps {
  bank: BankGateway;
  notify: Notifier;
  lists: ListScreener;
  ledger: LedgerRepository;
  loans: LoanRepository;
}

/** Activities of a loan: thin calls over the providers and repositories, each idempotent by a business key. */
export function createLoanActivities(deps: LoanActivityDeps) {
  return {
    async screenBorrower(subject: ScreeningSubject): Promise<ListResult> {
      return deps.lists.screen(subject);
    },

    async disburse(request: PayRequest): Promise<Payout> {
      return withProviderCode(() => deps.bank.pay(request));
    },

    async debitAutopay(request: DebitRequest): Promise<DebitResult> {
      return withProviderCode(() => deps.bank.debit(request));
    },

    async notifyBorrower(notification: Notification): Promise<SentNotification> {
      return withProviderCode(() => deps.notify.send(notification));
    },

    /** Posts in order; an entry already on the books (same source event) is a no-op. Answers the ids now booked. */
    async postJournal(entries: JournalEntry[]): Promise<string[]> {
      for (const e of entries) await deps.ledger.post(e);
      return entries.map((e) => e.sourceEventId);
    },

    async saveLoan(view: LoanView): Promise<void> {
      await deps.loans.save(view);
    },
  };
}

export type LoanActivities = ReturnType<typeof createLoanActivities>;

/**
 * A provider refusal keeps its stable code in the failure details: the workflow must tell "the bank
 * refused" (nothing paid, compensate) from "the key already paid something else" (never compensate).
 */
async function withProviderCode<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (isProviderError(err) && !err.retryable) {
      throw ApplicationFailure.create({
        type: NON_RETRYABLE_PROVIDER_ERROR,
        message: err.message,
        nonRetryable: true,
        details: [{ code: err.code }],
      });
    }
    throw err;
  }
}
