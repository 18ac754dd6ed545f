import { log, patched, sleep } from '@temporalio/workflow';
import { contactDeadline, nextContactOpening, openOf } from '../domain/loan';
import { localDateAt } from '../domain/localdate';
import { formatMajor } from '../domain/money';
import { reminderKey, reminderToHandOver, remindersToWithdraw, stillHeld } from '../domain/reminders';
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

/**
 * Keeps the gateway holding the next reminder ahead and nothing stale (domain/reminders.ts): each turn
 * withdraws a held reminder whose installment was paid or moved, then hands over the next one. Both
 * are local activities inside the turn's task, so reminders cost the loan no wake of their own.
 */
export async function keepRemindersAhead(ctx: LoanContext): Promise<void> {
  const { input, s } = ctx;
  const { cal } = ctx.terms;
  if (!s.book) return;
  const now = Date.now();
  const serving = s.status === 'active' || s.status === 'delinquent';
  let held = stillHeld(s.gatewayReminders ?? [], now);
  for (const r of remindersToWithdraw(s.book, held, serving, now)) {
    // A gateway that cannot withdraw it may still deliver it: a stale reminder, never a failed loan.
    const withdrawn = await provider.withdrawNotification(reminderKey(input.loanId, r)).then(
      (answer) => answer.withdrawn,
      (err: unknown) => {
        log.warn('reminder not withdrawn', { loanId: input.loanId, seq: r.seq, error: String(err) });
        return false;
      },
    );
    held = held.filter((h) => h !== r);
    const shown = s.reminders.find((x) => x.seq === r.seq && x.at === new Date(r.deliverAt).toISOString());
    if (shown && withdrawn) shown.sent = false;
    ctx.changed = true;
  }
  s.gatewayReminders = held;
  const next = serving ? reminderToHandOver(s.book, cal, held, now) : null;
  const installment = next && s.book.installments.find((i) => i.seq === next.seq);
  if (!next || !installment) return;
  const at = new Date(next.deliverAt).toISOString();
  try {
    await provider.notifyBorrower({
      idempotencyKey: reminderKey(input.loanId, next),
      channel: 'sms',
      to: input.borrower.phone,
      template: 'loan.installment_due',
      notBefore: at,
      notAfter: contactDeadline(next.deliverAt, input.timeZone),
      params: {
        dueDate: next.dueDate,
        amount: formatMajor(openOf(installment)),
        currency: input.principal.currency,
      },
    });
    held.push(next);
    s.reminders.push({ seq: next.seq, at, sent: true });
  } catch (err) {
    log.warn('reminder not handed to the gateway', {
      loanId: input.loanId,
      seq: next.seq,
      error: String(err),
    });
    held.push({ ...next, refused: true });
    s.reminders.push({ seq: next.seq, at, sent: false });
  }
  ctx.changed = true;
}
