/**
 * Every patch id the workflows branch on. A run started before a change replays its history without
 * the change's marker, so `patched()` answers false there and the run keeps the commands it first
 * made; runs started after record the marker and take the new path.
 *
 * For each id: what changed, the recorded histories that replay the old path (no marker) and the new
 * one (test/replay replays them all; test/workflows/patches.test.ts checks these lists against the
 * markers in test/histories), and when `deprecatePatch` may replace `patched`. Every condition is the
 * same visibility query, with the time the release that added the patch reached the workers:
 * `WorkflowType = '<type>' AND ExecutionStatus = 'Running' AND StartTime < '<release time>'` finds no
 * run. Once that holds, `deprecatePatch` and the new path alone ship; the old path's code in
 * workflows/legacy.ts goes with it. The `deprecatePatch` call itself goes once no run started before
 * that release is open either.
 */
export const PATCH = {
  /**
   * A new loan measures DPD with its product's buckets (the seed's by default) instead of the earlier
   * ranges. Changes no command's type, only the data and timer lengths, so replay cannot tell the two
   * paths apart: the lists below are where the old path runs. Asked only by a loan's first run; a
   * continued run keeps the buckets it carries.
   * Old path: loan-autopay-closed.json, loan-continued-first-run.json, loan-delinquent-repaid.json,
   * loan-disbursement-refused.json, loan-overpaid-before-refunds.json, loan-overpaid-refunded.json,
   * loan-repayments-payoff.json, loan-settled.json, loan-written-off-recovered.json.
   * New path: loan-late-receipt-refunded.json, loan-saved-with-entries.json,
   * loan-written-off-recovered-seed-buckets.json, loan-yearly-first-run.json, loan-two-years-one-run.json,
   * loan-debited-in-task.json, loan-reminders-with-gateway.json, loan-extended-closed.json.
   * Deprecate: no loan run started before it is open. Even then a loan carried on from a first run
   * older than kept buckets keeps the earlier ranges (workflows/legacy.ts).
   */
  seedBuckets: 'seed-buckets',
  /**
   * Late charges, DPD thresholds, write-off and recoveries, collection, settlement, the line's hold and
   * bureau filings: a loan without it keeps the first agenda (reminders, autopay, bucket wakes).
   * Asked by every run, so a loan continued as new after the release takes the new agenda from its
   * next run.
   * Old path: loan-autopay-closed.json, loan-continued-first-run.json, loan-continued-last-run.json,
   * loan-delinquent-repaid.json, loan-disbursement-refused.json, loan-repayments-payoff.json.
   * New path: loan-late-receipt-refunded.json, loan-overpaid-before-refunds.json,
   * loan-overpaid-refunded.json, loan-saved-with-entries.json, loan-settled.json,
   * loan-written-off-recovered.json, loan-written-off-recovered-seed-buckets.json,
   * loan-yearly-first-run.json, loan-yearly-last-run.json, loan-two-years-one-run.json,
   * loan-debited-in-task.json, loan-reminders-with-gateway.json, loan-extended-closed.json.
   * Deprecate: no loan run started before it is open.
   */
  delinquencyCollection: 'delinquency-collection',
  /**
   * Credit left at payoff is paid back to the borrower's card (a `refundCredit` activity) before the
   * limit goes back. Asked only at the closure of a loan that holds credit.
   * Old path: loan-overpaid-before-refunds.json.
   * New path: loan-late-receipt-refunded.json, loan-overpaid-refunded.json.
   * Deprecate: no loan run started before it is open.
   */
  refundCreditAtClosure: 'refund-credit-at-closure',
  /**
   * The apply update answers once the decision is saved (a local activity in the same task) instead
   * of before the save (a server activity). Asked at the start of every credit-line run.
   * Old path: credit-line-applied-answered-first.json, credit-line-applied-answered-first-review.json,
   * credit-line-approved-closed.json, credit-line-identity-declined.json,
   * credit-line-maker-checker-first-run.json, credit-line-maker-checker-last-run.json,
   * credit-line-review-expired.json.
   * New path: credit-line-applied-when-saved.json, credit-line-applied-when-saved-review.json,
   * credit-line-drawdown-before-repayment-card.json, credit-line-drawdown-repaid-closed.json,
   * credit-line-served-renewed.json, credit-line-review-info-approved.json.
   * Deprecate: no credit-line run started before it is open.
   */
  answerDecisionWhenSaved: 'answer-decision-when-saved',
  /**
   * The applicant hears each decision by SMS (a `notifyApplicant` activity). Asked when a decision is
   * told: after the assessment and after a review.
   * Old path: credit-line-approved-closed.json, credit-line-identity-declined.json,
   * credit-line-maker-checker-first-run.json, credit-line-review-expired.json.
   * New path: credit-line-applied-answered-first.json, credit-line-applied-answered-first-review.json,
   * credit-line-applied-when-saved.json, credit-line-applied-when-saved-review.json,
   * credit-line-drawdown-before-repayment-card.json, credit-line-drawdown-repaid-closed.json,
   * credit-line-served-renewed.json, credit-line-review-info-approved.json.
   * Deprecate: no credit-line run started before it is open.
   */
  notifyApplicantOfDecision: 'notify-applicant-of-decision',
  /**
   * A reminder whose timer fired outside contact hours (the workers were down at its time) waits on
   * a timer for the hours to open instead of going out at night. Asked only in that case, so no
   * recorded history holds the marker or asks.
   * Old path: none recorded.
   * New path: none recorded.
   * Deprecate: no loan run started before it is open.
   */
  remindInsideContactHours: 'remind-inside-contact-hours',
  /**
   * A collection contact whose timer fired outside contact hours (a worker outage) takes the next
   * contact slot instead of going out then. Asked only in that case.
   * Old path: none recorded.
   * New path: none recorded.
   * Deprecate: no collection run started before it is open.
   */
  contactSlotOnLateWake: 'contact-slot-on-late-wake',
  /**
   * A reminder the gateway refused as past its delivery window (its retries outlasted the day's
   * contact hours) is sent again when contact hours next open, if that is before the due day, instead
   * of being recorded as not sent. Asked only on that refusal.
   * Old path: none recorded.
   * New path: none recorded.
   * Deprecate: no loan run started before it is open.
   */
  remindInNextContactHours: 'remind-in-next-contact-hours',
  /**
   * A closed loan stays open for `lateReceiptDays`, booking a provider's late success callbacks as
   * credit and refunding them, instead of completing at once. Asked when a loan closes.
   * Old path: loan-autopay-closed.json, loan-continued-last-run.json, loan-delinquent-repaid.json,
   * loan-overpaid-before-refunds.json, loan-overpaid-refunded.json, loan-repayments-payoff.json,
   * loan-settled.json.
   * New path: loan-late-receipt-refunded.json, loan-saved-with-entries.json, loan-yearly-last-run.json,
   * loan-two-years-one-run.json, loan-debited-in-task.json, loan-reminders-with-gateway.json,
   * loan-extended-closed.json.
   * Deprecate: no loan run started before it is open.
   */
  lateReceiptsAfterClosure: 'late-receipts-after-closure',
  /**
   * A loan saves its view and posts its outbox in one local activity (`recordLoan`, one transaction)
   * instead of `postJournal` then `saveLoan`: one history event less per change, and the read model
   * never ahead of the books. Asked at a run's first save.
   * Old path: loan-autopay-closed.json, loan-continued-first-run.json, loan-continued-last-run.json,
   * loan-delinquent-repaid.json, loan-disbursement-refused.json, loan-overpaid-before-refunds.json,
   * loan-overpaid-refunded.json, loan-repayments-payoff.json, loan-settled.json,
   * loan-written-off-recovered.json, loan-written-off-recovered-seed-buckets.json.
   * New path: loan-late-receipt-refunded.json, loan-saved-with-entries.json, loan-yearly-first-run.json,
   * loan-yearly-last-run.json, loan-two-years-one-run.json, loan-debited-in-task.json,
   * loan-reminders-with-gateway.json, loan-extended-closed.json.
   * Deprecate: no loan run started before it is open.
   */
  postWithSave: 'post-with-save',
  /**
   * An autopay debit runs as a server activity on the bank's queue, asked until the bank answers,
   * instead of a local activity: a crashed task re-ran the local one later under the same key with
   * another amount (charges had grown), the bank refused the repeat and the first debit went unbooked.
   * Asked at every debit.
   * Old path: loan-autopay-closed.json, loan-continued-first-run.json, loan-continued-last-run.json,
   * loan-delinquent-repaid.json, loan-settled.json, loan-written-off-recovered.json,
   * loan-written-off-recovered-seed-buckets.json.
   * New path: loan-saved-with-entries.json, loan-yearly-first-run.json, loan-yearly-last-run.json,
   * loan-two-years-one-run.json.
   * Deprecate: no loan run started before it is open.
   */
  debitAsActivity: 'debit-as-activity',
  /**
   * A loan hands over to a fresh run once a run has served `installmentsPerRun` due days (a year),
   * instead of only when its history is long: a replay after the worker's cache lost the loan then
   * reads a year of history at most. Asked only once a run reaches that many due days.
   * Old path: loan-two-years-one-run.json (recorded on the code before the patch: 24 due days in one run).
   * New path: loan-yearly-first-run.json, loan-yearly-last-run.json (each run asks on its 12th due
   * day; the last one then closes instead).
   * Deprecate: no loan run started before it is open.
   */
  continueEachYear: 'continue-each-year',
  /**
   * An autopay debit runs inside the loan's task again, as a local activity (one marker instead of an
   * activity's three events and the task after them), now safe: asked again after a crash for another
   * amount, it books the bank's record of the first debit (activities/loan.ts collectAutopay).
   * Asked at every debit, before debit-as-activity.
   * Old path: loan-saved-with-entries.json, loan-yearly-first-run.json, loan-yearly-last-run.json.
   * New path: loan-debited-in-task.json, loan-reminders-with-gateway.json, loan-extended-closed.json.
   * Deprecate: no loan run started before it is open; debit-as-activity's old and new paths then go too.
   */
  debitInTask: 'debit-in-task',
  /**
   * A loan hands each reminder to the gateway ahead of time, to be delivered at its instant, instead
   * of waking for it: one event at the due day before instead of a timer, a task and the send. The
   * reminder of a paid or moved installment is withdrawn before it goes out. Asked once, at the start
   * of a run.
   * Old path: loan-debited-in-task.json, loan-saved-with-entries.json.
   * New path: loan-reminders-with-gateway.json, loan-extended-closed.json.
   * Deprecate: no loan run started before it is open.
   */
  remindersWithGateway: 'reminders-with-gateway',
} as const;
