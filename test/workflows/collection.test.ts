import { randomUUID } from 'node:crypto';
import { DEFAULT_STRATEGY } from '../../domain/collection';
import { penaltyByInstallment } from '../../domain/penalty';
import { addDays, localDateAt, localDateTimeAt } from '../../domain/localdate';
import type { collection } from '../../workflows/collection';
import {
  collectionWorkflowId,
  type CollectionView,
  decideSettlement,
  getCollection,
  offerSettlement,
  promiseToPay,
  recordTaskOutcome,
  type TaskOutcome,
} from '../../contracts/collection';
import { creditLine } from '../../workflows/credit-line';
import { extendLoan, type LoanView, repay } from '../../contracts/loan';
import { controlLine, creditLineWorkflowId, drawdown, verifyCard } from '../../contracts/credit-line';
import { bankCard } from '../support/applicants';
import { expectDomainFailure } from '../support/domain-error';
import { approvedApplication, loanHarness, ZONE } from '../support/loan-harness';
import { statusTrail } from '../support/search-attributes';

const h = loanHarness('test-collection');
beforeAll(() => h.setUp());
afterAll(() => h.tearDown());

/** A flat loan: each installment's principal is 100,000.00 so a day of 0.05% penalty is a whole 50 fen. */
const billLoan = (card: string | null, extra: Parameters<typeof h.start>[0] = {}, settings = {}) =>
  h.start(
    {
      card: card ? bankCard(card) : bankCard(),
      productCode: 'bill-installment',
      method: 'flat',
      annualRate: '0.12',
      termMonths: 3,
      principal: { amount: 300_000, currency: 'CNY' },
      ...extra,
    },
    { settings },
  );

const collectionOf = (loanId: string) =>
  h.env.client.workflow.getHandle<typeof collection>(collectionWorkflowId(loanId));

async function untilCollection(loanId: string, done: (v: CollectionView) => boolean, what: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await collectionOf(loanId)
      .query(getCollection)
      .catch(() => null);
    if (v && done(v)) return v;
    if (Date.now() > deadline) throw new Error(`${what} not reached; last: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const penaltyIncome = async (loanId: string) =>
  (await h.ledger.entries(loanId))
    .flatMap((e) => e.lines)
    .filter((l) => l.account === 'penalty_income')
    .reduce((s, l) => s + l.credit - l.debit, 0);

describe('delinquency and collection', () => {
  test('card 0004 walks M1 → M2 → M3 → written off at DPD 180 on the exact days, with late charges by the formulas, then takes a recovery', async () => {
    const { input, handle } = await billLoan('0004');
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    const due = v0.installments[0]!.dueDate;
    const at = async (date: string, time: string) => {
      await h.sleepUntilLocal(date, time);
      return handle.query('getLoan') as Promise<LoanView>;
    };
    for (const [day, before, after] of [
      [1, 'M0', 'M1'],
      [30, 'M1', 'M2'],
      [60, 'M2', 'M3'],
      [90, 'M3', 'M4'],
    ] as const) {
      expect((await at(addDays(due, day - 1), '23:30')).bucket).toBe(before);
      await h.sleepUntilLocal(addDays(due, day), '00:30');
      const v = await h.until(input.loanId, (x) => x.bucket === after, `${after} on DPD ${day}`);
      expect(await h.today()).toBe(addDays(due, day));
      expect(v).toMatchObject({
        status: 'delinquent',
        dpd: day,
        stage: day < 30 ? 'early' : day < 90 ? 'middle' : 'late',
      });
    }
    await h.sleepUntilLocal(addDays(due, 91), '12:00');
    const m4 = await untilCollection(input.loanId, (c) => c.legalNoticeOn !== null, 'legal notice');
    expect(m4.agencyRef).toMatch(/^sbx-agy-/);
    expect([...h.agency.assignments.values()].map((a) => a.loanId)).toEqual([input.loanId]);

    expect((await at(addDays(due, 179), '23:30')).status).toBe('delinquent');
    await h.sleepUntilLocal(addDays(due, 180), '00:30');
    const writtenOff = await h.until(input.loanId, (v) => v.status === 'written_off', 'written off');
    const writeOffDate = addDays(due, 180);
    expect(await h.today()).toBe(writeOffDate);
    expect(writtenOff.writtenOff).toMatchObject({ date: writeOffDate, recovered: 0 });
    // M1's card retries, asked for by collection at DPD 3, 7, 14, 21 and 28, each under its own key.
    const retries = writtenOff.autopayAttempts.filter((a) => a.retryId);
    expect(retries.map((a) => localDateAt(Date.parse(a.at), ZONE))).toEqual(
      [3, 7, 14, 21, 28].map((d) => addDays(due, d)),
    );
    expect(new Set(retries.map((a) => a.reason))).toEqual(new Set(['INSUFFICIENT_FUNDS']));

    // Late fee: 30.00 once per installment; penalty: 0.05% a day of each installment's principal from
    // the day after its due date to the write-off day, exactly the domain formula.
    const expectedPenalty = penaltyByInstallment(
      v0.installments.map((i) => ({ seq: i.seq, dueDate: i.dueDate, principal: i.principal })),
      '0.0005',
      addDays(due, 1),
      writeOffDate,
    ).reduce((s, p) => s + p.amount, 0);
    const entries = await h.ledger.entries(input.loanId);
    const lateFees = entries
      .filter((e) => e.kind === 'accrual')
      .flatMap((e) => e.lines)
      .filter((l) => l.account === 'fee_income')
      .reduce((s, l) => s + l.credit, 0);
    expect(lateFees).toBe(3 * 3_000);
    expect(await penaltyIncome(input.loanId)).toBe(expectedPenalty);
    expect(writtenOff.lateCharges?.capped).toBe(0);
    const writeOff = entries.find((e) => e.kind === 'write-off')!;
    const total = 300_000 + v0.installments.reduce((s, i) => s + i.interest, 0) + 9_000 + expectedPenalty;
    expect(writeOff.lines.reduce((s, l) => s + l.debit, 0)).toBe(total);
    expect(writtenOff.outstanding.amount).toBe(0);
    await h.checkBooks(input.loanId);
    expect(await h.loans.find(input.loanId)).toMatchObject({ status: 'written_off', stage: 'written_off' });
    await untilCollection(
      input.loanId,
      (c) => c.status === 'written_off' && c.openTasks.length === 0,
      'collection ended',
    );
    const filed = [...h.bureau.filed.values()].filter((f) => f.loanId === input.loanId);
    expect(filed.map((f) => [f.status, f.bucket])).toEqual([
      ['delinquent', 'M2'],
      ['delinquent', 'M3'],
      ['delinquent', 'M4'],
      ['delinquent', 'M5'],
      ['delinquent', 'M6'],
      ['written_off', 'M7+'],
    ]);

    const recovery = await handle.executeUpdate(repay, {
      args: [
        { paymentId: `pay_${randomUUID()}`, amount: { amount: 50_000, currency: 'CNY' }, channel: 'agency' },
      ],
    });
    expect(recovery).toMatchObject({
      kind: 'recovery',
      status: 'written_off',
      recovery: { recovered: 50_000 },
    });
    const afterRecovery = await h.until(
      input.loanId,
      (v) => v.ledgerPending === 0 && v.writtenOff?.recovered === 50_000,
      'recovered',
    );
    expect(afterRecovery.payments.at(-1)).toMatchObject({ amount: 50_000, kind: 'recovery' });
    const recovered = (await h.ledger.entries(input.loanId))
      .flatMap((e) => e.lines)
      .filter((l) => l.account === 'recovery_income')
      .reduce((s, l) => s + l.credit, 0);
    expect(recovered).toBe(50_000);
    await h.checkBooks(input.loanId);

    // A loan that went all the way stays far below the history limits (50k events, 50 MB).
    const history = await handle.fetchHistory();
    // Search attributes followed every transition (listing them needs the dev server: search-attributes.test.ts).
    expect(statusTrail(history)).toEqual([
      { status: 'disbursing', bucket: 'M0' },
      { status: 'active', bucket: 'M0' },
      { status: 'delinquent', bucket: 'M0' },
      ...['M1', 'M2', 'M3', 'M4', 'M5', 'M6'].map((bucket) => ({ status: 'delinquent', bucket })),
      // DPD 180 opens M7+ on the day the loan is written off.
      { status: 'written_off', bucket: 'M7+' },
    ]);
    expect(history.events?.length).toBeLessThan(1_500);
    await h.finish(input.loanId);
  });

  test.each([
    ['Pacific/Kiritimati', 'UTC+14'],
    ['Pacific/Pago_Pago', 'UTC−11'],
  ])('contact stays within 08:00–20:00 in %s (%s) and never beyond the daily limit', async (timeZone) => {
    const strategy = {
      ...DEFAULT_STRATEGY,
      maxContactsPerDay: 1,
      steps: [
        { bucket: 'M1', dpd: 1, kind: 'sms', at: '08:00' },
        { bucket: 'M1', dpd: 1, kind: 'push', at: '19:59' },
        { bucket: 'M1', dpd: 2, kind: 'sms', at: '08:00' },
        { bucket: 'M1', dpd: 3, kind: 'push', at: '08:00' },
      ],
    };
    const { input } = await billLoan('0004', { timeZone }, { collection: { strategy } });
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    const due = v0.installments[0]!.dueDate;
    const target = Date.parse(`${addDays(due, 5)}T12:00:00Z`);
    const now = await h.env.currentTimeMs();
    await h.env.sleep(target - now);
    const c = await untilCollection(input.loanId, (x) => x.contacts.length >= 4, 'four contacts');
    const byDay: Record<string, number> = {};
    for (const contact of c.contacts) {
      const local = localDateTimeAt(Date.parse(contact.at), timeZone);
      expect(local.hour).toBeGreaterThanOrEqual(8);
      expect(local.hour).toBeLessThan(20);
      byDay[local.date] = (byDay[local.date] ?? 0) + 1;
    }
    expect(Math.max(...Object.values(byDay))).toBe(1);
    // One a day: each message beyond the limit waits for the next day's opening hour, in order.
    expect(c.contacts.map((x) => [x.channel, x.localDate, x.localTime])).toEqual([
      ['sms', addDays(due, 1), '08:00'],
      ['push', addDays(due, 2), '08:00'],
      ['sms', addDays(due, 3), '08:00'],
      ['push', addDays(due, 4), '08:00'],
    ]);
    const logged = await h.collection.contacts(input.loanId);
    expect(logged.map((r) => r.localTime).sort()).toEqual(c.contacts.map((x) => x.localTime).sort());
    await h.finish(input.loanId);
  });

  test('cure from M2 by paying everything overdue ends collection and cancels its call tasks', async () => {
    const { input, handle } = await billLoan('0004');
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    // The day after the second due date: both installments overdue, DPD 32 or more (M2).
    await h.sleepUntilLocal(addDays(v0.installments[1]!.dueDate, 1), '12:00');
    const m2 = await h.until(input.loanId, (v) => v.bucket === 'M2', 'M2');
    const c = await untilCollection(input.loanId, (x) => x.openTasks.length === 1, 'call task');
    expect((await h.collection.getTask(c.openTasks[0]!))?.status).toBe('open');
    const overdue = m2.installments.filter((i) => i.status === 'overdue');
    expect(overdue.length).toBe(2);
    const owed = m2.nextDue!.amount + ((await handle.query('getLoan')) as LoanView).installments[1]!.total;
    const r = await handle.executeUpdate(repay, {
      args: [
        {
          paymentId: `pay_${randomUUID()}`,
          amount: { amount: owed + 10_000, currency: 'CNY' },
          channel: 'app',
        },
      ],
    });
    expect(r.status).toBe('active');
    const cured = await h.until(input.loanId, (v) => v.bucket === 'M0' && v.dpd === 0, 'cured');
    expect(cured.status).toBe('active');
    // Collection ends by closing its tasks in PostgreSQL.
    await untilCollection(input.loanId, (x) => x.status === 'cured' && x.openTasks.length === 0, 'cured');
    expect((await h.collection.getTask(c.openTasks[0]!))?.status).toBe('cancelled');
    await h.checkBooks(input.loanId);
    await h.finish(input.loanId);
  });

  test('a promise made on an M2 call pauses escalation; an outcome for a task that is not open changes nothing', async () => {
    const { input } = await billLoan('0004');
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    await h.sleepUntilLocal(addDays(v0.installments[1]!.dueDate, 1), '12:00');
    const c = await untilCollection(input.loanId, (x) => x.openTasks.length === 1, 'call task');
    const at = new Date(await h.env.currentTimeMs()).toISOString();
    const outcome = (taskId: string, promiseId: string): TaskOutcome => ({
      taskId,
      outcome: 'promise_to_pay',
      collectorId: 'collector-1',
      at,
      promise: {
        promiseId,
        date: addDays(localDateAt(Date.parse(at), ZONE), 3),
        amount: { amount: 50_000, currency: 'CNY' },
      },
    });
    await collectionOf(input.loanId).signal(recordTaskOutcome, outcome(c.openTasks[0]!, 'ptp_call_1'));
    const paused = await untilCollection(input.loanId, (x) => x.status === 'paused', 'paused by the call');
    expect(paused.promises).toEqual([expect.objectContaining({ id: 'ptp_call_1', status: 'open' })]);
    expect(paused.openTasks).toEqual([]);
    expect(paused.contacts.at(-1)).toMatchObject({ channel: 'call', outcome: 'promise_to_pay' });

    // A report for a task collection never opened (or already closed) is not a contact and not a promise.
    await collectionOf(input.loanId).signal(recordTaskOutcome, {
      ...outcome('ct_other', 'ptp_call_2'),
    });
    const again = await collectionOf(input.loanId).query(getCollection);
    expect(again.promises.map((p) => p.id)).toEqual(['ptp_call_1']);
    expect(again.contacts).toHaveLength(paused.contacts.length);
    await h.finish(input.loanId);
  });

  test('a promise kept ends collection; a promise broken resumes escalation the day after its grace', async () => {
    const kept = await billLoan('0004');
    const broken = await billLoan('0004');
    const v0 = await h.until(kept.input.loanId, (v) => v.status === 'active');
    await h.until(broken.input.loanId, (v) => v.status === 'active');
    const due = v0.installments[0]!.dueDate;
    await h.sleepUntilLocal(addDays(due, 2), '12:00');
    const promise = (loanId: string, date: string) =>
      collectionOf(loanId).executeUpdate(promiseToPay, {
        args: [
          {
            promiseId: `ptp_${randomUUID()}`,
            date,
            amount: { amount: v0.installments[0]!.total, currency: 'CNY' },
            collectorId: 'collector-1',
          },
        ],
      });
    expect(await promise(kept.input.loanId, addDays(due, 6))).toMatchObject({ status: 'open' });
    const p = await promise(broken.input.loanId, addDays(due, 4));
    await expectDomainFailure(promise(broken.input.loanId, addDays(due, 5)), 'promise');

    const owed = (await h.until(kept.input.loanId, (v) => v.status === 'delinquent')).nextDue!.amount;
    await kept.handle.executeUpdate(repay, {
      args: [{ paymentId: `pay_${randomUUID()}`, amount: { amount: owed, currency: 'CNY' }, channel: 'app' }],
    });
    const keptView = await untilCollection(kept.input.loanId, (x) => x.status === 'cured', 'kept');
    expect(keptView.promises.map((x) => x.status)).toEqual(['kept']);

    // Paused: no contact between the promise and its deadline (date + 2 days' grace).
    const paused = await untilCollection(broken.input.loanId, (x) => x.status === 'paused', 'paused');
    const before = paused.contacts.length;
    await h.sleepUntilLocal(addDays(due, 6), '19:00');
    expect((await collectionOf(broken.input.loanId).query(getCollection)).contacts.length).toBe(before);
    await h.sleepUntilLocal(addDays(due, 7), '12:00');
    const resumed = await untilCollection(
      broken.input.loanId,
      (x) => x.promises[0]?.status === 'broken' && x.contacts.length > before,
      'escalation resumed',
    );
    expect(resumed.promises[0]).toMatchObject({ id: p.id, status: 'broken', resolvedOn: addDays(due, 7) });
    expect(resumed.contacts.at(-1)!.localDate).toBe(addDays(due, 7));
    await h.finish(kept.input.loanId);
    await h.finish(broken.input.loanId);
  });

  test('the line is held while its loan is late: drawdowns and unfreezing are refused until the loan is cured', async () => {
    const app = await approvedApplication(2_000_000, await h.today());
    const line = h.env.client.workflow.getHandle<typeof creditLine>(creditLineWorkflowId(app.creditLineId));
    await h.env.client.workflow.start(creditLine, {
      workflowId: line.workflowId,
      taskQueue: h.taskQueue,
      args: [{ application: app }],
    });
    await h.untilLine(line, (v) => v.status === 'active');
    // A card whose autopay always fails, verified for the customer so it may receive the payout.
    const failing = bankCard('0004');
    await line.executeUpdate(verifyCard, { args: [{ bankCard: failing, requestId: randomUUID() }] });
    const loanId = `ln_test_${randomUUID()}`;
    const draw = (id: string) =>
      line.executeUpdate(drawdown, {
        args: [
          {
            loanId: id,
            amount: { amount: 300_000, currency: 'CNY' },
            termMonths: 3,
            purpose: 'furniture',
            bankCard: failing,
            actor: 'key_test_client',
          },
        ],
      });
    await draw(loanId);
    const v0 = await h.until(loanId, (v) => v.status === 'active');
    await h.sleepUntilLocal(addDays(v0.installments[0]!.dueDate, 2), '12:00');
    const late = await h.until(loanId, (v) => v.bucket === 'M1', 'M1');
    const held = await h.untilLine(line, (v) => v.status === 'frozen');
    expect(held.reasons.at(-1)?.code).toBe('LINE_HELD_DELINQUENT');
    await expectDomainFailure(draw(`ln_test_${randomUUID()}`), 'creditLine');
    await expectDomainFailure(
      line.executeUpdate(controlLine, { args: [{ action: 'unfreeze', reason: 'asked', actor: 'ops-1' }] }),
      'action',
      'line_held',
    );

    await h.handle(loanId).executeUpdate(repay, {
      args: [
        {
          paymentId: `pay_${randomUUID()}`,
          amount: { amount: late.nextDue!.amount + 10_000, currency: 'CNY' },
          channel: 'app',
        },
      ],
    });
    await h.until(loanId, (v) => v.status === 'active', 'cured');
    const released = await h.untilLine(line, (v) => v.status === 'active');
    expect(released.reasons.at(-1)?.code).toBe('LINE_RELEASED_CURED');
    await h.finish(loanId);
    await line.terminate('scenario over');
  });

  test('an extension moves the due dates and books its fee; a second one and too many days are refused by name', async () => {
    const { input, handle } = await billLoan(null);
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    await h.sleepUntilLocal(addDays(v0.installments[0]!.dueDate, 1), '12:00');
    await h.until(input.loanId, (v) => v.installments[0]!.status === 'paid', 'first installment paid');
    const ext = (days: number) =>
      handle.executeUpdate(extendLoan, {
        args: [{ extensionId: `ext_${randomUUID()}`, days, actor: 'client-1' }],
      });
    await expectDomainFailure(ext(45), 'days', 'extension_days');
    const r = await ext(10);
    expect(r.fee).toEqual({ amount: 2_000, currency: 'CNY' }); // 1% of the 200,000.00 principal left
    expect(r.dueDates).toEqual(
      v0.installments.slice(1).map((i) => ({ seq: i.seq, from: i.dueDate, to: addDays(i.dueDate, 10) })),
    );
    const after = await h.checkBooks(input.loanId);
    expect(after.installments.slice(1).map((i) => i.dueDate)).toEqual(r.dueDates.map((d) => d.to));
    expect(after.installments[1]!.fees).toBe(v0.installments[1]!.fees + 2_000);
    await expectDomainFailure(ext(5), 'loan', 'extension_limit');
    await h.finish(input.loanId);
  });

  test('a settlement declined changes nothing; one approved and paid closes the loan as settled', async () => {
    const { input, handle } = await billLoan('0004');
    const v0 = await h.until(input.loanId, (v) => v.status === 'active');
    const due = v0.installments[0]!.dueDate;
    await h.sleepUntilLocal(addDays(due, 40), '12:00');
    const late = await h.until(input.loanId, (v) => v.bucket === 'M2' && v.ledgerPending === 0);
    const c = collectionOf(input.loanId);
    const floor = late.receivable.principal + late.receivable.fees;
    const offer = (amount: number) =>
      c.executeUpdate(offerSettlement, {
        args: [
          {
            offerId: `so_${randomUUID()}`,
            amount: { amount, currency: 'CNY' },
            payBy: addDays(due, 50),
            proposedBy: 'collector-1',
            reason: 'hardship',
          },
        ],
      });
    await expectDomainFailure(offer(floor - 1), 'amount.amount');
    const first = await offer(floor + 1_000);
    const decide = (offerId: string, reviewerId: string, decision: 'approve' | 'decline') =>
      c.executeUpdate(decideSettlement, { args: [{ offerId, reviewerId, decision, reason: 'reviewed' }] });
    await expectDomainFailure(decide(first.id, 'collector-1', 'approve'), 'reviewerId', 'party_to_offer');
    expect(await decide(first.id, 'reviewer-1', 'decline')).toMatchObject({ status: 'declined' });
    expect((await h.until(input.loanId, () => true)).settlement ?? null).toBeNull();

    const second = await offer(floor + 1_000);
    expect(second.reviewersRequired).toBe(1);
    expect(await decide(second.id, 'reviewer-1', 'approve')).toMatchObject({ status: 'approved' });
    await h.until(input.loanId, (v) => v.settlement?.offerId === second.id, 'terms reached the loan');
    const paid = await handle.executeUpdate(repay, {
      args: [
        {
          paymentId: `pay_${randomUUID()}`,
          amount: { amount: floor + 1_000, currency: 'CNY' },
          channel: 'app',
        },
      ],
    });
    expect(paid.status).toBe('closed');
    const closed = await h.checkBooks(input.loanId);
    expect(closed).toMatchObject({ status: 'closed', closedAs: 'settled' });
    expect(closed.outstanding.amount).toBe(0);
    const waived = (await h.ledger.entries(input.loanId)).filter((e) => e.kind === 'waiver');
    expect(waived.length).toBe(1);
    const ended = await untilCollection(input.loanId, (x) => x.status === 'settled', 'settled');
    expect(ended.settlements.map((o) => o.status)).toEqual(['declined', 'paid']);
    await h.finish(input.loanId);
  });
});
