import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { addDays, instantOfLocal, localDateTimeAt } from '../../domain/localdate';
import { creditLine } from '../../workflows/credit-line';
import {
  getLoan,
  type LoanView,
  paymentCallback,
  payoffQuote,
  repay,
  type RepaymentRequest,
} from '../../contracts/loan';
import { creditLineWorkflowId, drawdown, getCreditLine, verifyCard } from '../../contracts/credit-line';
import { ProviderError } from '../../adapters/errors';
import { providerQueue } from '../../workflows/task-queues';
import { bankCard, idNumber, phone } from '../support/applicants';
import { approvedApplication, loanHarness, ZONE } from '../support/loan-harness';

const h = loanHarness('test-loan');
beforeAll(() => h.setUp());
afterAll(() => h.tearDown());

const paidSeqs = (v: LoanView) => v.installments.filter((i) => i.status === 'paid').map((i) => i.seq);
const inst = (v: LoanView, seq: number) => v.installments.find((i) => i.seq === seq)!;
const attemptsOf = (v: LoanView, seq: number) => v.autopayAttempts.filter((a) => a.seq === seq);
const interestIncome = async (loanId: string) =>
  (await h.ledger.entries(loanId))
    .flatMap((e) => e.lines)
    .filter((l) => l.account === 'interest_income')
    .reduce((s, l) => s + l.credit - l.debit, 0);
const payment = (amount: number, extra: Partial<RepaymentRequest> = {}): RepaymentRequest => ({
  paymentId: `pay_${randomUUID()}`,
  amount: { amount, currency: 'CNY' },
  channel: 'app',
  ...extra,
});

/** An approved credit line from the real workflow, to see its limit reserved and given back. */
async function activeLine(limit = 2_000_000, productCode = 'cash-installment') {
  const app = await approvedApplication(limit, await h.today(), productCode);
  const line = h.env.client.workflow.getHandle<typeof creditLine>(creditLineWorkflowId(app.creditLineId));
  await h.env.client.workflow.start(creditLine, {
    workflowId: line.workflowId,
    taskQueue: h.taskQueue,
    args: [{ application: app }],
  });
  const view = await h.untilLine(line, (v) => v.status !== 'pending');
  expect({ status: view.status, reasons: view.reasons }).toMatchObject({ status: 'active' });
  return Object.assign(line, { application: app });
}

/** Draws on a line as the API does; answers the new loan's id. */
async function drawOn(
  line: Awaited<ReturnType<typeof activeLine>>,
  terms: { amount: number; termMonths: number; purpose: string; bankCard?: string },
): Promise<string> {
  const { amount, ...rest } = terms;
  const loanId = `ln_test_${randomUUID()}`;
  await line.executeUpdate(drawdown, {
    args: [{ loanId, amount: { amount, currency: 'CNY' }, ...rest, actor: 'key_test_client' }],
  });
  return loanId;
}
describe('the life of a loan', () => {
  test('a 12-month annuity drawn from a line is repaid by autopay to closed, and the line gets its limit back', async () => {
    const line = await activeLine();
    const loanId = await drawOn(line, { amount: 1_200_000, termMonths: 12, purpose: 'furniture' });
    expect((await line.query(getCreditLine)).available?.amount).toBe(800_000);

    const running = await h.until(loanId, (v) => v.status === 'active');
    const scheduledInterest = running.installments.reduce((s, i) => s + i.interest, 0);
    expect(running.installments).toHaveLength(12);
    expect(running.installments[0]!.dueDate > running.disbursement!.date).toBe(true);

    // To the last due day's noon, after its 09:00 autopay, not to the workflow's end: it stays open for
    // late receipts, and the line would expire and renew meanwhile.
    const after = instantOfLocal(running.installments.at(-1)!.dueDate, '12:00', ZONE);
    await h.env.sleep(after - (await h.env.currentTimeMs()));
    const done = await h.until(loanId, (v) => v.status === 'closed' && v.ledgerPending === 0);
    expect(paidSeqs(done)).toEqual(running.installments.map((i) => i.seq));
    expect(done.autopayAttempts.map((a) => [a.seq, a.slot, a.result])).toEqual(
      running.installments.map((i) => [i.seq, 0, 'succeeded']),
    );
    for (const r of done.reminders) {
      const local = localDateTimeAt(Date.parse(r.at), ZONE);
      expect(r.sent).toBe(true);
      expect(local.date).toBe(addDays(inst(running, r.seq).dueDate, -3));
      expect(local.hour).toBeGreaterThanOrEqual(8);
      expect(local.hour).toBeLessThan(20);
    }
    expect(done.reminders).toHaveLength(12);
    expect(h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(loanId))).toHaveLength(1);
    expect(await interestIncome(loanId)).toBe(scheduledInterest);

    const restored = await h.untilLine(line, (v) => v.available?.amount === v.limit?.amount);
    expect(restored.available?.amount).toBe(2_000_000);
    await h.checkBooks(loanId);
  });

  test('a payoff in month 3 pays exactly the quote, closes the loan and costs less interest than the schedule', async () => {
    const { input, handle } = await h.start();
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    await h.sleepUntilLocal(addDays(v0.installments[1]!.dueDate, 10));
    const v = await h.until(input.loanId, (x) => paidSeqs(x).length === 2, 'two installments paid');
    const today = await h.today();

    const quote = await handle.query(payoffQuote, today);
    expect(quote.breakdown.principal).toBe(v.receivable.principal);
    expect(quote.breakdown.accruedInterest).toBeGreaterThan(0);
    expect(quote.breakdown.accruedInterest).toBeLessThan(inst(v, 3).interest);
    expect(quote.amount.amount).toBe(quote.breakdown.principal + quote.breakdown.accruedInterest);

    await expect(
      handle.executeUpdate(repay, { args: [payment(quote.amount.amount + 1)] }),
    ).rejects.toMatchObject({
      cause: { message: expect.stringMatching(/settle the loan today/) },
    });
    const paid = await handle.executeUpdate(repay, { args: [payment(quote.amount.amount)] });
    expect(paid).toMatchObject({
      kind: 'payoff',
      status: 'closed',
      outstanding: { amount: 0 },
      creditBalance: { amount: 0 },
    });

    const done = await handle.result();
    expect(done.status).toBe('closed');
    expect(paidSeqs(done)).toHaveLength(12);
    const scheduled = v0.installments.reduce((s, i) => s + i.interest, 0);
    const earned = await interestIncome(input.loanId);
    expect(earned).toBe(inst(v, 1).interest + inst(v, 2).interest + quote.breakdown.accruedInterest);
    expect(earned).toBeLessThan(scheduled);
    await h.checkBooks(input.loanId);
  });

  test.each(['reduce-term', 'reduce-installment'] as const)(
    'a partial prepayment (%s) re-amortises the rest, then autopay closes it',
    async (mode) => {
      const { input, handle } = await h.start();
      const v0 = await h.until(input.loanId, (v) => v.status === 'active');
      await h.sleepUntilLocal(addDays(v0.installments[0]!.dueDate, 10));
      const before = await h.until(input.loanId, (x) => paidSeqs(x).length === 1);

      const r = await handle.executeUpdate(repay, { args: [payment(300_000, { mode })] });
      expect(r.kind).toBe('prepayment');
      expect(r.prepayment!.principalReduction + r.prepayment!.accruedInterest).toBe(300_000);
      const after = await handle.query(getLoan);
      expect(after.receivable.principal).toBe(before.receivable.principal - r.prepayment!.principalReduction);
      const next = (v: LoanView) => v.installments.filter((i) => i.seq > 1);
      if (mode === 'reduce-term') {
        expect(next(after).length).toBeLessThan(next(before).length);
        expect(inst(after, 3).total).toBeLessThanOrEqual(inst(before, 3).total);
      } else {
        expect(next(after).length).toBe(next(before).length);
        expect(inst(after, 3).total).toBeLessThan(inst(before, 3).total);
        expect(next(after).map((i) => i.dueDate)).toEqual(next(before).map((i) => i.dueDate));
      }
      await h.checkBooks(input.loanId);

      const done = await handle.result();
      expect(done.status).toBe('closed');
      expect(done.autopayAttempts).toHaveLength(after.installments.length);
      await h.checkBooks(input.loanId);
    },
  );

  test('an overpayment is held as credit and pays the next due amount first; a repeated payment id changes nothing', async () => {
    const { input, handle } = await h.start();
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    await h.sleepUntilLocal(addDays(v0.installments[0]!.dueDate, 10));
    await h.until(input.loanId, (x) => paidSeqs(x).length === 1);

    const second = inst(v0, 2);
    const req = payment(second.total + 10_000);
    const first = await handle.executeUpdate(repay, { args: [req] });
    expect(first.allocation).toMatchObject({
      toCredit: 10_000,
      principal: second.principal,
      interest: second.interest,
    });
    expect(first.allocation.installments.map((i) => i.seq)).toEqual([2]);
    expect(first.creditBalance.amount).toBe(10_000);
    const again = await handle.executeUpdate(repay, { args: [req] });
    expect(again).toEqual(first);
    const v1 = await handle.query(getLoan);
    expect(v1.payments).toHaveLength(2); // the autopay of installment 1 and this one
    expect(v1.creditBalance.amount).toBe(10_000);

    const refused = (r: RepaymentRequest) =>
      expect(handle.executeUpdate(repay, { args: [r] })).rejects.toMatchObject({
        cause: { type: 'DomainError' },
      });
    await refused({ ...req, amount: { amount: 5, currency: 'CNY' } });
    await refused(payment(0));
    await refused({ ...payment(100), amount: { amount: 100, currency: 'USD' } });
    await refused(payment(100, { paymentId: 'autopay:9:0' }));
    expect((await handle.query(getLoan)).version).toBe(v1.version);

    const third = inst(v0, 3);
    await h.sleepUntilLocal(addDays(third.dueDate, 1));
    const v3 = await h.until(input.loanId, (x) => x.autopayAttempts.some((a) => a.seq === 3));
    expect(attemptsOf(v3, 2)).toEqual([]);
    expect(attemptsOf(v3, 3)).toMatchObject([{ slot: 0, result: 'succeeded', amount: third.total - 10_000 }]);
    expect(v3.creditBalance.amount).toBe(0);
    await h.checkBooks(input.loanId);

    expect((await handle.result()).status).toBe('closed');
    await h.checkBooks(input.loanId);
  });
});

describe('credit left after payoff', () => {
  /** A bank transfer the borrower sent above the payoff: the loan closes with the difference held. */
  async function overpaid(over: Parameters<typeof h.start>[0] = {}) {
    const { input, handle } = await h.start({
      principal: { amount: 300_000, currency: 'CNY' },
      termMonths: 3,
      ...over,
    });
    await h.until(input.loanId, (v) => v.status === 'active');
    const paidOn = await h.today();
    const quote = await handle.query(payoffQuote, paidOn);
    await handle.signal(paymentCallback, {
      eventId: `evt_${randomUUID()}`,
      kind: 'success',
      paymentId: `transfer_${randomUUID()}`,
      amount: { amount: quote.amount.amount + 777, currency: 'CNY' },
    });
    return { input, paidOn, done: await handle.result() };
  }

  test("goes back to the borrower's card once, under the loan's refund key, and the books end at zero", async () => {
    const { input, paidOn, done } = await overpaid();
    expect(done).toMatchObject({ status: 'closed', closedAs: 'paid', creditBalance: { amount: 0 } });
    const paid = h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(`${input.loanId}:refund`));
    expect(paid).toEqual([
      expect.objectContaining({
        idempotencyKey: `${input.loanId}:refund:1`,
        amountMinor: 777,
        toCard: input.payee.bankCard,
      }),
    ]);
    expect(done.refunds).toEqual([
      { refundId: 'refund:1', amount: 777, payoutId: paid[0]!.payoutId, date: paidOn },
    ]);
    const refund = (await h.ledger.entries(input.loanId)).filter((e) => e.kind === 'refund');
    expect(refund.map((e) => e.sourceEventId)).toEqual([`${input.loanId}:refund:1`]);
    const v = await h.checkBooks(input.loanId);
    expect(v.outstanding.amount).toBe(0);
  });

  test("a card-repayment loan refunds to the borrower's repayment card, never to the issuer's", async () => {
    const issuer = bankCard();
    const own = bankCard();
    const { input, done } = await overpaid({
      payee: { kind: 'card-issuer', bankCard: issuer },
      repaymentCard: own,
    });
    expect(done).toMatchObject({ status: 'closed', creditBalance: { amount: 0 } });
    const paid = h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(input.loanId));
    expect(paid.map((p) => [p.idempotencyKey, p.toCard])).toEqual([
      [`${input.loanId}:disbursement`, issuer],
      [`${input.loanId}:refund:1`, own],
    ]);
    await h.checkBooks(input.loanId);
  });

  test('a card-repayment loan started before repayment cards were kept holds the credit and tells an operator', async () => {
    const { input, done } = await overpaid({ payee: { kind: 'card-issuer', bankCard: bankCard() } });
    expect(done).toMatchObject({ status: 'closed', creditBalance: { amount: 777 } });
    expect(done.refunds).toBeUndefined();
    expect(done.exceptions).toEqual([
      expect.objectContaining({
        eventId: `${input.loanId}:refund:1`,
        reason: expect.stringMatching(/no borrower card/),
      }),
    ]);
    expect(h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(`${input.loanId}:refund`))).toEqual([]);
    await h.checkBooks(input.loanId);
  });
});

/** The borrower pays the first installment through the app before its reminder: answers once the next is handed over. */
async function payFirstEarly(loanId: string, running: LoanView): Promise<LoanView> {
  await h.handle(loanId).executeUpdate(repay, {
    args: [
      {
        paymentId: `early-${loanId}`,
        amount: { amount: running.nextDue!.amount, currency: 'CNY' },
        channel: 'app',
      },
    ],
  });
  return h.until(loanId, (v) => v.reminders.length === 2);
}

describe('reminders', () => {
  test('each reminder is handed to the gateway ahead for its own day and hour; paying first withdraws it', async () => {
    const { input } = await h.start({
      principal: { amount: 300_000, currency: 'CNY' },
      termMonths: 3,
    });
    const running = await h.until(input.loanId, (v) => v.status === 'active' && v.reminders.length > 0);
    const due = running.installments[0]!.dueDate;
    // Handed over at disbursement, weeks before its day: the loan wakes for no reminder.
    expect(running.reminders).toEqual([{ seq: 1, at: expect.any(String), sent: true }]);
    const local = localDateTimeAt(Date.parse(running.reminders[0]!.at), ZONE);
    expect([local.date, local.hour, local.minute]).toEqual([addDays(due, -3), 10, 0]);
    const key = `${input.loanId}:reminder:1:${due}`;
    const held = h.notifier.sent().find((n) => n.idempotencyKey === key)!;
    expect(held).toMatchObject({ notBefore: running.reminders[0]!.at, sentAt: running.reminders[0]!.at });
    expect(localDateTimeAt(Date.parse(held.notAfter!), ZONE)).toMatchObject({
      date: addDays(due, -3),
      hour: 20,
    });
    expect(held.withdrawnAt).toBeUndefined();

    // The borrower pays the first installment before its reminder is due: the reminder is withdrawn
    // and the second one handed over.
    const after = await payFirstEarly(input.loanId, running);
    expect(after.reminders.map((r) => [r.seq, r.sent])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(h.notifier.sent().find((n) => n.idempotencyKey === key)?.withdrawnAt).toEqual(expect.any(String));
    await h.finish(input.loanId);
  });
});

describe('reminders, when the gateway cannot withdraw', () => {
  test('a held reminder the gateway refuses to withdraw is left to go out; the loan carries on', async () => {
    const { input } = await h.start({
      principal: { amount: 300_000, currency: 'CNY' },
      termMonths: 3,
    });
    const withdraw = h.adapters.notify.withdraw.bind(h.adapters.notify);
    h.adapters.notify.withdraw = () =>
      Promise.reject(ProviderError.fatal('NOT_HELD', 'no such message held'));
    try {
      const running = await h.until(input.loanId, (v) => v.status === 'active' && v.reminders.length > 0);
      const after = await payFirstEarly(input.loanId, running);
      expect(after.status).toBe('active');
      expect(after.reminders.map((r) => [r.seq, r.sent])).toEqual([
        [1, true],
        [2, true],
      ]);
    } finally {
      h.adapters.notify.withdraw = withdraw;
    }
    await h.finish(input.loanId);
  });
});

describe('money reported after closure', () => {
  test('a transfer the provider reports days after payoff is booked as credit and refunded once; after the window the loan has ended', async () => {
    const { input, handle } = await h.start({
      principal: { amount: 300_000, currency: 'CNY' },
      termMonths: 3,
    });
    await h.until(input.loanId, (v) => v.status === 'active');
    const quote = await handle.query(payoffQuote, await h.today());
    await handle.executeUpdate(repay, { args: [payment(quote.amount.amount)] });
    await h.until(input.loanId, (v) => v.status === 'closed');
    await h.env.sleep(3 * 24 * 3_600_000);
    const lateOn = await h.today();
    const late = {
      eventId: `evt_${randomUUID()}`,
      kind: 'success' as const,
      paymentId: `transfer_${randomUUID()}`,
      amount: { amount: 12_345, currency: 'CNY' as const },
    };
    await handle.signal(paymentCallback, late);
    await handle.signal(paymentCallback, { ...late, eventId: `evt_${randomUUID()}` }); // the same payment again
    const v = await h.until(input.loanId, (x) => (x.refunds ?? []).length > 0);
    expect(v).toMatchObject({ status: 'closed', creditBalance: { amount: 0 }, exceptions: [] });
    const paid = h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(`${input.loanId}:refund`));
    expect(paid).toEqual([
      expect.objectContaining({ idempotencyKey: `${input.loanId}:refund:1`, amountMinor: 12_345 }),
    ]);
    expect(v.refunds).toEqual([
      { refundId: 'refund:1', amount: 12_345, payoutId: paid[0]!.payoutId, date: lateOn },
    ]);
    await h.checkBooks(input.loanId);

    const done = await handle.result(); // the time-skipping server jumps to the window's end
    expect(done.refunds).toHaveLength(1);
    await expect(
      handle.signal(paymentCallback, { ...late, eventId: `evt_${randomUUID()}` }),
    ).rejects.toMatchObject({
      name: 'WorkflowNotFoundError',
    });
  });
});

/** Asks the bank to match another card to the line's customer, as the API does. */
const verify = (line: Awaited<ReturnType<typeof activeLine>>, card: string) =>
  line.executeUpdate(verifyCard, { args: [{ bankCard: card, requestId: randomUUID() }] });

describe('payout card', () => {
  test('a drawdown to a card never verified for the customer is refused, reserves nothing and pays nothing', async () => {
    const line = await activeLine();
    const stranger = bankCard();
    await expect(
      drawOn(line, { amount: 500_000, termMonths: 6, purpose: 'travel', bankCard: stranger }),
    ).rejects.toMatchObject({
      cause: { type: 'DomainError', details: [{ field: 'bankCard', code: 'card_not_verified' }] },
    });
    expect((await line.query(getCreditLine)).available?.amount).toBe(2_000_000);
    expect(h.bank.payouts().filter((p) => p.toCard === stranger)).toEqual([]);
  });

  test('a card the bank matches to the four elements is paid; one it does not match stays refused', async () => {
    const line = await activeLine();
    const own = bankCard();
    expect(await verify(line, own)).toEqual({ verified: true, last4: own.slice(-4) });
    const loanId = await drawOn(line, { amount: 500_000, termMonths: 6, purpose: 'travel', bankCard: own });
    await h.until(loanId, (v) => v.status === 'active');
    expect(
      h.bank
        .payouts()
        .filter((p) => p.idempotencyKey.startsWith(loanId))
        .map((p) => p.toCard),
    ).toEqual([own]);

    const mismatched = bankCard('0001');
    expect(await verify(line, mismatched)).toMatchObject({
      verified: false,
      reasonCode: 'IDENTITY_MISMATCH',
    });
    await expect(
      drawOn(line, { amount: 500_000, termMonths: 6, purpose: 'travel', bankCard: mismatched }),
    ).rejects.toMatchObject({ cause: { details: [{ code: 'card_not_verified' }] } });
  });
});

describe('disbursement', () => {
  test("the payout and a refund run on the bank's own queue, under the rate the bank accepts", async () => {
    const { input, handle } = await h.start({
      principal: { amount: 300_000, currency: 'CNY' },
      termMonths: 3,
    });
    await h.until(input.loanId, (v) => v.status === 'active');
    const quote = await handle.query(payoffQuote, await h.today());
    await handle.signal(paymentCallback, {
      eventId: `evt_${randomUUID()}`,
      kind: 'success',
      paymentId: `transfer_${randomUUID()}`,
      amount: { amount: quote.amount.amount + 50, currency: 'CNY' },
    });
    await h.until(input.loanId, (v) => (v.refunds ?? []).length === 1);
    const scheduled = (await handle.fetchHistory()).events!.flatMap((e) => {
      const a = e.activityTaskScheduledEventAttributes;
      return a ? [[a.activityType?.name, a.taskQueue?.name]] : [];
    });
    const bankQueue = providerQueue(h.taskQueue, 'bank');
    expect(scheduled).toEqual(
      expect.arrayContaining([
        ['disburse', bankQueue],
        ['refundCredit', bankQueue],
      ]),
    );
  });

  test('card 0002: the bank refuses, the loan ends disbursement_failed and the line gets its limit back', async () => {
    const line = await activeLine();
    const refused = bankCard('0002');
    await verify(line, refused);
    const loanId = await drawOn(line, {
      amount: 500_000,
      termMonths: 6,
      purpose: 'travel',
      bankCard: refused,
    });
    const done = await h.handle(loanId).result();
    expect(done).toMatchObject({
      status: 'disbursement_failed',
      failure: { code: 'DISBURSEMENT_REFUSED' },
      installments: [],
    });
    expect(h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(loanId))).toEqual([]);
    // The refusal can come back before the line is even queried, so the release is read from the line's own history.
    const restored = await h.untilLine(line, (v) => v.available?.amount === 2_000_000);
    expect(restored.status).toBe('active');
    const signals = (await line.fetchHistory()).events?.filter(
      (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'releaseLimit',
    );
    expect(signals).toHaveLength(1);
    expect(await h.ledger.entries(loanId)).toEqual([]);
    await h.checkBooks(loanId);
  });

  test('card 0003: two transient bank errors, then exactly one payout under the loan key', async () => {
    const { input } = await h.start({ card: bankCard('0003') });
    const v = await h.until(input.loanId, (x) => x.status === 'active');
    const payouts = h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(input.loanId));
    expect(payouts).toHaveLength(1);
    expect(payouts[0]).toMatchObject({
      idempotencyKey: `${input.loanId}:disbursement`,
      amountMinor: 1_200_000,
      payoutId: v.disbursement!.payoutId,
    });
    await h.checkBooks(input.loanId);
    await h.finish(input.loanId);
  });

  test('a blacklist check that never answers refuses the loan before any payout, and the line gets its limit back', async () => {
    const line = await activeLine();
    const screen = h.adapters.lists.screen.bind(h.adapters.lists);
    h.adapters.lists.screen = () => Promise.reject(new Error('lists provider unreachable'));
    try {
      const loanId = await drawOn(line, { amount: 500_000, termMonths: 6, purpose: 'travel' });
      const done = await h.handle(loanId).result();
      expect(done).toMatchObject({
        status: 'disbursement_failed',
        failure: { code: 'CHECK_UNAVAILABLE', message: expect.stringMatching(/screenBorrower.*unreachable/) },
      });
      expect(h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(loanId))).toEqual([]);
      const restored = await h.untilLine(line, (v) => v.available?.amount === 2_000_000);
      expect(restored.status).toBe('active');
    } finally {
      h.adapters.lists.screen = screen;
    }
  });

  test('a blacklisted borrower is refused before any payout', async () => {
    const { input, handle } = await h.start({ borrower: { idNumber: idNumber(), phone: phone('0000') } });
    const done = await handle.result();
    expect(done).toMatchObject({ status: 'disbursement_failed', failure: { code: 'BLACKLISTED' } });
    expect(h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(input.loanId))).toEqual([]);
    await h.checkBooks(input.loanId);
  });
});

describe('collection by autopay', () => {
  test('a drawdown on a card-repayment line pays the bill and collects from the card verified at application', async () => {
    const line = await activeLine(1_000_000, 'card-repayment');
    const app = line.application;
    const bill = bankCard();
    const loanId = await drawOn(line, {
      amount: 300_000,
      termMonths: 3,
      purpose: 'card bill',
      bankCard: bill,
    });
    const done = await h.handle(loanId).result();
    expect(done.status).toBe('closed');
    expect(
      h.bank
        .payouts()
        .filter((p) => p.idempotencyKey.startsWith(loanId))
        .map((p) => p.toCard),
    ).toEqual([bill]);
    const debits = h.bank.debits().filter((d) => d.request.idempotencyKey.startsWith(loanId));
    expect(new Set(debits.map((d) => d.request.fromCard))).toEqual(new Set([app.applicant.bankCard]));
    expect(debits).toHaveLength(3);
  });

  test("a card-repayment loan pays the issuer and collects each installment from the borrower's own card", async () => {
    const issuer = bankCard();
    const own = bankCard();
    const { input, handle } = await h.start({
      productCode: 'card-repayment',
      method: 'flat',
      termMonths: 3,
      principal: { amount: 300_000, currency: 'CNY' },
      payee: { kind: 'card-issuer', bankCard: issuer },
      repaymentCard: own,
    });
    const done = await handle.result();
    expect(done.status).toBe('closed');
    expect(h.bank.payouts().filter((p) => p.idempotencyKey.startsWith(input.loanId))).toEqual([
      expect.objectContaining({ toCard: issuer, payee: 'card-issuer' }),
    ]);
    const debits = h.bank.debits().filter((d) => d.request.idempotencyKey.startsWith(input.loanId));
    expect(debits.map((d) => [d.request.fromCard, d.result.status])).toEqual([
      [own, 'succeeded'],
      [own, 'succeeded'],
      [own, 'succeeded'],
    ]);
    expect(done.autopayAttempts.map((a) => a.result)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    await h.checkBooks(input.loanId);
  });

  test('card 0005: the first attempt of each due day fails, a later one pays, and the loan never turns delinquent', async () => {
    const { input, handle } = await h.start({
      card: bankCard('0005'),
      termMonths: 3,
      principal: { amount: 300_000, currency: 'CNY' },
    });
    const done = await handle.result();
    expect(done.status).toBe('closed');
    for (const seq of [1, 2, 3]) {
      expect(attemptsOf(done, seq).map((a) => [a.slot, a.result, a.reason])).toEqual([
        [0, 'failed', 'INSUFFICIENT_FUNDS'],
        [1, 'succeeded', undefined],
      ]);
    }
    await h.checkBooks(input.loanId);
  });

  test('a debit the bank took for another amount under the same key (a crashed task) is booked as the bank recorded it, once', async () => {
    const { input, handle } = await h.start({
      termMonths: 3,
      principal: { amount: 300_000, currency: 'CNY' },
    });
    const key = `${input.loanId}:autopay:1:0`;
    const debit = h.adapters.bank.debit.bind(h.adapters.bank);
    let asked: number[] = [];
    // The bank takes 500 less than this task asks, as if an earlier task (fewer charges then) had
    // asked and crashed, and its answer is lost: the task asks again for its own amount.
    h.adapters.bank.debit = async (req) => {
      if (req.idempotencyKey !== key) return debit(req);
      asked = [...asked, req.amountMinor];
      if (asked.length === 1) {
        await debit({ ...req, amountMinor: req.amountMinor - 500 });
        throw ProviderError.retryable('TIMEOUT', 'the answer was lost');
      }
      return debit(req);
    };
    try {
      const done = await handle.result();
      expect(done.status).toBe('closed');
      const owed = asked[0]!;
      expect(asked).toEqual([owed, owed]);
      const recorded = await h.bank.findDebit(key);
      expect(recorded).toMatchObject({ status: 'succeeded', amountMinor: owed - 500 });
      const first = attemptsOf(done, 1);
      expect(first.map((a) => [a.slot, a.result, a.amount])).toEqual([
        [0, 'succeeded', owed - 500],
        [1, 'succeeded', 500],
      ]);
      // Every debit the bank took is booked once, and nothing the bank did not take.
      const taken = h.bank
        .debits()
        .filter((d) => d.request.idempotencyKey.startsWith(`${input.loanId}:`))
        .map((d) => (d.result.status === 'succeeded' ? d.result.amountMinor : 0));
      const booked = done.autopayAttempts.filter((a) => a.result === 'succeeded').map((a) => a.amount);
      expect(booked.reduce((x, y) => x + y, 0)).toBe(taken.reduce((x, y) => x + y, 0));
      await h.checkBooks(input.loanId);
    } finally {
      h.adapters.bank.debit = debit;
    }
  });

  test('card 0004: every attempt fails, the installment is overdue and the loan delinquent until it is repaid', async () => {
    const { input, handle } = await h.start({
      card: bankCard('0004'),
      termMonths: 3,
      principal: { amount: 300_000, currency: 'CNY' },
    });
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    const dueDate = v0.installments[0]!.dueDate;
    await h.sleepUntilLocal(dueDate, '20:00');
    const missed = await h.until(input.loanId, (v) => v.status === 'delinquent');
    expect(attemptsOf(missed, 1).map((a) => a.reason)).toEqual([
      'INSUFFICIENT_FUNDS',
      'INSUFFICIENT_FUNDS',
      'INSUFFICIENT_FUNDS',
    ]);
    expect(missed).toMatchObject({ dpd: 0, bucket: 'M0' }); // the due date itself is still on time
    // The loan wakes once at the M1 threshold (not daily) and publishes it, to the read model too.
    // Noon of that day: a later wake (a month end, say) would move the view's clock past it.
    await h.sleepUntilLocal(addDays(dueDate, 1));
    const late = await h.until(input.loanId, (v) => v.bucket === 'M1');
    expect(late).toMatchObject({
      status: 'delinquent',
      dpd: 1,
      nextDue: { seq: 1, amount: inst(v0, 1).total },
    });
    expect(inst(late, 1).status).toBe('overdue');
    await h.checkBooks(input.loanId);

    const r = await handle.executeUpdate(repay, {
      args: [payment(late.nextDue!.amount, { channel: 'counter' })],
    });
    expect(r.status).toBe('active');
    await h.checkBooks(input.loanId);
    await h.finish(input.loanId);
  });

  test('a reversed payment reopens its installment; callbacks are applied once per event', async () => {
    const { input, handle } = await h.start();
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    await h.sleepUntilLocal(addDays(v0.installments[0]!.dueDate, 1));
    const paid = await h.until(input.loanId, (v) => paidSeqs(v).length === 1);
    const debit = attemptsOf(paid, 1)[0]!;

    const reversal = {
      eventId: `evt_${randomUUID()}`,
      kind: 'reversal' as const,
      paymentId: debit.paymentId!,
      amount: { amount: debit.amount, currency: 'CNY' as const },
    };
    await handle.signal(paymentCallback, reversal);
    const reopened = await h.until(input.loanId, (v) => inst(v, 1).status !== 'paid');
    expect(reopened).toMatchObject({
      status: 'delinquent',
      dpd: 1,
      outstanding: { amount: paid.outstanding.amount + debit.amount },
    });
    expect(inst(reopened, 1)).toMatchObject({ status: 'overdue', paid: 0 });
    expect(reopened.payments.find((p) => p.paymentId === debit.paymentId)?.reversed).toBe(true);
    // Queries see every signal sent before them, so these prove the repeats changed nothing.
    await handle.signal(paymentCallback, reversal); // the same event again
    await handle.signal(paymentCallback, { ...reversal, eventId: `evt_${randomUUID()}` }); // reversing it twice
    const unchanged = await handle.query(getLoan);
    expect(unchanged.outstanding).toEqual(reopened.outstanding);
    expect(unchanged.exceptions).toEqual([]);
    await h.checkBooks(input.loanId);

    const success = {
      eventId: `evt_${randomUUID()}`,
      kind: 'success' as const,
      paymentId: `transfer_${randomUUID()}`,
      amount: { amount: debit.amount, currency: 'CNY' as const },
    };
    await handle.signal(paymentCallback, success);
    await handle.signal(paymentCallback, { ...success, eventId: `evt_${randomUUID()}` }); // the provider retried with a new event id
    const repaid = await h.until(input.loanId, (v) => v.status === 'active');
    expect(inst(repaid, 1).status).toBe('paid');
    expect(repaid.payments.filter((p) => p.paymentId === success.paymentId)).toHaveLength(1);
    expect(repaid.outstanding).toEqual(paid.outstanding);
    expect(repaid.exceptions).toEqual([]);

    // The same payment reported with another amount is not taken again, and an operator hears of it.
    const disputed = {
      ...success,
      eventId: `evt_${randomUUID()}`,
      amount: { amount: 1, currency: 'CNY' as const },
    };
    await handle.signal(paymentCallback, disputed);
    const flagged = await h.until(input.loanId, (v) => v.exceptions.length > 0);
    expect(flagged.exceptions).toEqual([
      {
        eventId: disputed.eventId,
        paymentId: success.paymentId,
        reason: expect.stringMatching(/does not match/),
      },
    ]);
    expect(flagged.outstanding).toEqual(paid.outstanding);
    await h.checkBooks(input.loanId);
    await h.finish(input.loanId);
  });
});

describe('long life', () => {
  test('a 36-month loan continues as new and carries its state intact to closure', async () => {
    const { input, handle } = await h.start(
      {
        productCode: 'cash-equal-principal',
        method: 'equal-principal',
        termMonths: 36,
        principal: { amount: 3_600_000, currency: 'CNY' },
      },
      { settings: { historyLimit: 150 } },
    );
    const firstRun = (await handle.describe()).runId;
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    expect(v0.disbursement?.netAmount).toBe(3_564_000); // the 1% origination fee is deducted

    await h.sleepUntilLocal(addDays(v0.installments[17]!.dueDate, 1));
    const mid = await h.until(input.loanId, (v) => paidSeqs(v).length === 18, '18 installments paid');
    expect((await handle.describe()).runId).not.toBe(firstRun);
    expect(mid.autopayAttempts).toHaveLength(18);
    // Eighteen reminders went out; the gateway holds the nineteenth until its day.
    expect(mid.reminders.map((r) => r.seq)).toEqual(mid.installments.slice(0, 19).map((i) => i.seq));
    expect(mid.installments.map((i) => [i.seq, i.dueDate, i.total])).toEqual(
      v0.installments.map((i) => [i.seq, i.dueDate, i.total]),
    );
    await h.checkBooks(input.loanId);

    const done = await handle.result();
    expect(done.status).toBe('closed');
    expect(paidSeqs(done)).toHaveLength(36);
    expect(done.payments).toHaveLength(36);
    expect(new Set(done.autopayAttempts.map((a) => a.seq)).size).toBe(36);
    expect(await runsOf(handle.workflowId, firstRun)).toBeGreaterThan(1);
    await h.checkBooks(input.loanId);
  });
});

/** Follows the continue-as-new chain from the first run and counts the runs. */
async function runsOf(workflowId: string, firstRunId: string): Promise<number> {
  let runs = 0;
  let runId: string | undefined = firstRunId;
  while (runId) {
    runs++;
    const history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>> = await h.env.client.workflow
      .getHandle(workflowId, runId)
      .fetchHistory();
    const events = history.events ?? [];
    const next: string | null | undefined =
      events[events.length - 1]?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    runId = next ?? undefined;
  }
  return runs;
}
