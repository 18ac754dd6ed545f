import { log, patched, sleep } from '@temporalio/workflow';
import { contactDeadline, nextContactOpening, openOf } from '../domain/loan';
import { localDateAt } from '../domain/localdate';
import { formatMajor } from '../domain/money';
import { provider } from './loan-activities';
import { inService, type LoanContext } from './loan-context';
import { providerCodeOf } from './loan-refusals';
import { PATCH } from './patches';

/** The installment's reminder, sent inside the borrower's contact hours and only before its due day. */
export async function remind(ctx: LoanContext, seq: number): Promise<void> {
  const { input, s } = ctx;
  const due = inService(ctx).installments.find((i) => i.seq === seq)?.dueDate;
  for (let again = false; ; again = true) {
    // Again after a refusal as too late: not before the hours of another day, whatever the gateway's clock said.
    const from = again ? Date.parse(contactDeadline(Date.now(), input.timeZone)) : Date.now();
    const opens = nextContactOpening(from, input.timeZone);
    if (opens > Date.now() && (again || patched(PATCH.remindInsideContactHours))) {
      // One that could arrive only on its due day or later reminds no one (a loan catching up on
      // months, or an outage of days): the due day's own messages take over.
      if (!due || localDateAt(opens, input.timeZone) >= due) {
        if (again) s.reminders.push({ seq, at: new Date(Date.now()).toISOString(), sent: false });
        return;
      }
      await sleep(opens - Date.now(), { summary: `reminder of installment ${seq}: contact hours` });
    }
    const installment = inService(ctx).installments.find((i) => i.seq === seq);
    if (!installment || openOf(installment) === 0) return;
    try {
      await provider.notifyBorrower({
        idempotencyKey: `${input.loanId}:reminder:${seq}`,
        channel: 'sms',
        to: input.borrower.phone,
        template: 'loan.installment_due',
        notAfter: contactDeadline(Date.now(), input.timeZone),
        params: {
          dueDate: installment.dueDate,
          amount: formatMajor(openOf(installment)),
          currency: input.principal.currency,
        },
      });
      s.reminders.push({ seq, at: new Date(Date.now()).toISOString(), sent: true });
      return;
    } catch (err) {
      log.warn('reminder not sent', { loanId: input.loanId, seq, error: (err as Error).message });
      // The gateway answered only after the day's contact hours (its retries ran past them): the
      // next morning still reminds, if that is before the due day.
      const late = providerCodeOf(err) === 'DELIVERY_WINDOW_PASSED';
      if (late && patched(PATCH.remindInNextContactHours)) continue;
      s.reminders.push({ seq, at: new Date(Date.now()).toISOString(), sent: false });
      return;
    }
  }
}
