import type { AccountReport } from '../contracts/providers/bureau';
import type { DebitRequest, DebitResult, PayRequest, Payout } from '../contracts/providers/bank';
import type { ListResult, ScreeningSubject } from '../contracts/providers/lists';
import type { Notification, SentNotification } from '../contracts/providers/notify';
import type { JournalEntry } from '../domain/ledger';
import type { LoanView } from '../contracts/loan';
import { log } from '@temporalio/activity';
import { isProviderError } from '../adapters/errors';
import type { ActivityDeps } from './deps';
import { failFastWhenHopeless } from './failures';
import { heartbeating } from './heartbeat';

export type LoanActivityDeps = ActivityDeps<
  'bank' | 'notify' | 'lists' | 'bureau',
  'ledger' | 'loans' | 'books'
>;

/** Activities of a loan: thin calls over the providers and repositories, each idempotent by a business key. */
export function createLoanActivities(deps: LoanActivityDeps) {
  return failFastWhenHopeless({
    async screenBorrower(subject: ScreeningSubject): Promise<ListResult> {
      return deps.lists.screen(subject);
    },

    async disburse(request: PayRequest): Promise<Payout> {
      return heartbeating(() => deps.bank.pay(request));
    },

    /** Credit left on a paid-off loan back to the borrower's card, as a payout under its own key (`{loanId}:refund:{n}`). */
    async refundCredit(request: PayRequest): Promise<Payout> {
      return heartbeating(() => deps.bank.pay(request));
    },

    async debitAutopay(request: DebitRequest): Promise<DebitResult> {
      return deps.bank.debit(request);
    },

    /**
     * The debit the workflow runs inside its own task. A crashed task asks again later, when more
     * charges may be due, under the same key for another amount: the bank refuses that repeat, and
     * its record of the first debit is what happened, so that is the answer booked.
     */
    async collectAutopay(request: DebitRequest): Promise<DebitResult> {
      try {
        return await deps.bank.debit(request);
      } catch (err) {
        if (!isProviderError(err) || err.code !== 'IDEMPOTENCY_CONFLICT') throw err;
        const recorded = await deps.bank.findDebit(request.idempotencyKey);
        if (!recorded) throw err;
        log.warn('debit asked again for another amount; the bank record is booked', {
          idempotencyKey: request.idempotencyKey,
          asked: request.amountMinor,
          recorded: recorded.status === 'succeeded' ? recorded.amountMinor : 0,
        });
        return recorded;
      }
    },

    async notifyBorrower(notification: Notification): Promise<SentNotification> {
      return deps.notify.send(notification);
    },

    async withdrawNotification(idempotencyKey: string): Promise<{ withdrawn: boolean }> {
      return deps.notify.withdraw(idempotencyKey);
    },

    /** Posts in order; an entry already on the books (same source event) is a no-op. Answers the ids now booked. */
    async postJournal(entries: JournalEntry[]): Promise<string[]> {
      await deps.ledger.postAll(entries);
      return entries.map((e) => e.sourceEventId);
    },

    async fileBureauReport(report: AccountReport): Promise<string> {
      return (await deps.bureau.fileAccountReport(report)).reportId;
    },

    async saveLoan(view: LoanView): Promise<void> {
      await deps.loans.save(view);
    },

    /**
     * The outbox and the view in one transaction: the read model never shows a payment whose entries
     * are not on the books, and a change costs one history event. Answers the ids now booked.
     */
    async recordLoan({ entries, view }: { entries: JournalEntry[]; view: LoanView }): Promise<string[]> {
      await deps.books.record(entries, view);
      return entries.map((e) => e.sourceEventId);
    },
  });
}

export type LoanActivities = ReturnType<typeof createLoanActivities>;
