import fc from 'fast-check';
import { type ServicingCalendar } from '../../domain/loan';
import { localDateTimeAt } from '../../domain/localdate';
import {
  type GatewayReminder,
  reminderInstant,
  reminderKey,
  reminderToHandOver,
  remindersToWithdraw,
  stillHeld,
} from '../../domain/reminders';
import { openLedgeredLoan } from '../support/ledgered-loan';

const cal: ServicingCalendar = {
  timeZone: 'Asia/Shanghai',
  reminderDaysBefore: 3,
  reminderTime: '10:00',
  autopayTimes: ['09:00'],
  gatewayReminders: true,
};
const loan = () =>
  openLedgeredLoan({ loanId: 'ln_r', start: '2026-01-15', amount: 1_200_000, termCount: 12 });

describe('reminders handed to the gateway ahead', () => {
  test("an installment's reminder is at its hour three days before its due date", () => {
    expect(localDateTimeAt(reminderInstant('2026-02-15', cal), cal.timeZone)).toMatchObject({
      date: '2026-02-12',
      hour: 10,
      minute: 0,
    });
  });

  test('one at a time: the next installment owing whose reminder is ahead, unless the gateway holds it', () => {
    const { book } = loan();
    const at = Date.parse('2026-01-20T00:00:00Z');
    const first = reminderToHandOver(book, cal, [], at)!;
    expect(first).toMatchObject({
      seq: 1,
      dueDate: '2026-02-15',
      deliverAt: reminderInstant('2026-02-15', cal),
    });
    expect(reminderToHandOver(book, cal, [first], at)).toBeNull();
    // Past the first reminder's hour the second is next, even though the first is still unpaid.
    expect(reminderToHandOver(book, cal, [first], first.deliverAt)).toMatchObject({ seq: 2 });
  });

  test('a held reminder of a paid or moved installment is withdrawn; every one when out of service', () => {
    const { book } = loan();
    const now = Date.parse('2026-01-20T00:00:00Z');
    const held: GatewayReminder[] = [reminderToHandOver(book, cal, [], now)!];
    expect(remindersToWithdraw(book, held, true, now)).toEqual([]);
    expect(remindersToWithdraw(book, held, false, now)).toEqual(held);
    const moved = { ...book, installments: book.installments.map((i) => ({ ...i, dueDate: '2026-02-20' })) };
    expect(remindersToWithdraw(moved, held, true, now)).toEqual(held);
    const paid = {
      ...book,
      installments: book.installments.map((i) =>
        i.seq === 1
          ? { ...i, paid: { principal: i.principal, interest: i.interest, fees: i.fees, penalty: i.penalty } }
          : i,
      ),
    };
    expect(remindersToWithdraw(paid, held, true, now)).toEqual(held);
    // Delivered already, or refused by the gateway: nothing to withdraw.
    expect(remindersToWithdraw(paid, held, true, held[0]!.deliverAt)).toEqual([]);
    expect(remindersToWithdraw(paid, [{ ...held[0]!, refused: true }], true, now)).toEqual([]);
  });

  test('whatever the instant, at most one is handed over, it is ahead, and a delivered one is no longer held', () => {
    const { book } = loan();
    const from = Date.parse('2026-01-15T00:00:00Z');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * 86_400_000 }), (offset) => {
        const now = from + offset;
        const next = reminderToHandOver(book, cal, [], now);
        if (next) {
          expect(next.deliverAt).toBeGreaterThan(now);
          expect(reminderKey('ln_r', next)).toBe(`ln_r:reminder:${next.seq}:${next.dueDate}`);
          expect(stillHeld([next], next.deliverAt)).toEqual([]);
          expect(stillHeld([next], now)).toEqual([next]);
        } else {
          expect(now).toBeGreaterThanOrEqual(reminderInstant(book.installments.at(-1)!.dueDate, cal));
        }
      }),
    );
  });
});
