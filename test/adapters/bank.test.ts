import fc from 'fast-check';
import { SandboxBank } from '../../adapters/bank';
import { type PayRequest } from '../../contracts/providers/bank';
import { NON_RETRYABLE_PROVIDER_ERROR, RETRYABLE_PROVIDER_ERROR } from '../../adapters/errors';
import { card, failure } from './fixtures';

const clock = () => new Date('2026-11-20T02:00:00.000Z');
const pay = (overrides: Partial<PayRequest> = {}): PayRequest => ({
  idempotencyKey: 'loan_1:disbursement',
  amountMinor: 2_000_000,
  currency: 'CNY',
  toCard: card('1234'),
  payee: '张三',
  ...overrides,
});

describe('sandbox disbursement', () => {
  test('pays once and answers the original payout for the same key', async () => {
    const bank = new SandboxBank(clock);
    const first = await bank.pay(pay());
    const again = await bank.pay(pay());
    expect(again).toEqual(first);
    expect(first).toMatchObject({
      status: 'paid',
      amountMinor: 2_000_000,
      paidAt: '2026-11-20T02:00:00.000Z',
    });
    expect(bank.payouts()).toHaveLength(1);
  });

  test('the same key with another amount or card is a non-retryable conflict, and pays nothing more', async () => {
    const bank = new SandboxBank(clock);
    await bank.pay(pay());
    expect(await failure(bank.pay(pay({ amountMinor: 2_000_001 })))).toEqual({
      name: NON_RETRYABLE_PROVIDER_ERROR,
      code: 'IDEMPOTENCY_CONFLICT',
      retryable: false,
    });
    expect(await failure(bank.pay(pay({ toCard: card('1234', 1) })))).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(bank.payouts()).toHaveLength(1);
  });

  test('card 0002 is refused, non-retryable, every time', async () => {
    const bank = new SandboxBank(clock);
    for (let i = 0; i < 3; i++) {
      expect(await failure(bank.pay(pay({ toCard: card('0002') })))).toEqual({
        name: NON_RETRYABLE_PROVIDER_ERROR,
        code: 'DISBURSEMENT_REFUSED',
        retryable: false,
      });
    }
    expect(bank.payouts()).toEqual([]);
  });

  test('card 0003 fails transiently twice per key, then pays exactly once', async () => {
    const bank = new SandboxBank(clock);
    const request = pay({ toCard: card('0003') });
    expect(await failure(bank.pay(request))).toEqual({
      name: RETRYABLE_PROVIDER_ERROR,
      code: 'BANK_UNAVAILABLE',
      retryable: true,
    });
    expect(await failure(bank.pay(request))).toMatchObject({ retryable: true });
    const payout = await bank.pay(request);
    expect(await bank.pay(request)).toEqual(payout);
    expect(bank.payouts()).toEqual([payout]);
    // Another loan to the same card starts its own count.
    expect(await failure(bank.pay({ ...request, idempotencyKey: 'loan_2:disbursement' }))).toMatchObject({
      code: 'BANK_UNAVAILABLE',
    });
  });

  test('malformed requests are refused before anything is paid', async () => {
    const bank = new SandboxBank(clock);
    expect(await failure(bank.pay(pay({ toCard: '6222020000001235' })))).toMatchObject({
      code: 'INVALID_CARD',
      retryable: false,
    });
    expect(await failure(bank.pay(pay({ amountMinor: 0 })))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await failure(bank.pay(pay({ amountMinor: 10.5 })))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await failure(bank.pay(pay({ idempotencyKey: '' })))).toMatchObject({ code: 'INVALID_REQUEST' });
    expect(bank.payouts()).toEqual([]);
  });

  test('whatever the order of retries and concurrent calls, no key is ever paid twice', async () => {
    const keys = ['loan_a', 'loan_b', 'loan_c'];
    const cards = [card('1234'), card('0003'), card('0002')];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { minLength: 1, maxLength: 30 }),
        async (calls) => {
          const bank = new SandboxBank(clock);
          await Promise.allSettled(
            calls.map(([k, c]) => bank.pay(pay({ idempotencyKey: `${keys[k]}:${c}`, toCard: cards[c] }))),
          );
          const paid = bank.payouts().map((p) => p.idempotencyKey);
          expect(new Set(paid).size).toBe(paid.length);
          expect(bank.payouts().every((p) => !p.toCard.endsWith('0002'))).toBe(true);
        },
      ),
    );
  });
});

describe('sandbox autopay', () => {
  const debit = (idempotencyKey: string, fromCard: string, dueDate = '2026-12-20') => ({
    idempotencyKey,
    amountMinor: 180_000,
    currency: 'CNY' as const,
    fromCard,
    dueDate,
  });

  test('a normal card is debited; the same key answers the same debit', async () => {
    const bank = new SandboxBank(clock);
    const r = await bank.debit(debit('loan_1:autopay:1:0', card('1234')));
    expect(r).toMatchObject({ status: 'succeeded', amountMinor: 180_000, currency: 'CNY' });
    expect(await bank.debit(debit('loan_1:autopay:1:0', card('1234')))).toEqual(r);
    expect(bank.debits()).toHaveLength(1);
  });

  test('card 0004 always fails for insufficient funds, as a result and not an exception', async () => {
    const bank = new SandboxBank(clock);
    for (let slot = 0; slot < 4; slot++) {
      expect(await bank.debit(debit(`loan_1:autopay:1:${slot}`, card('0004')))).toEqual({
        status: 'failed',
        reason: 'INSUFFICIENT_FUNDS',
      });
    }
  });

  test('card 0005 fails the first attempt of each due day and succeeds on a later one', async () => {
    const bank = new SandboxBank(clock);
    const c = card('0005');
    expect(await bank.debit(debit('l:autopay:1:0', c))).toEqual({
      status: 'failed',
      reason: 'INSUFFICIENT_FUNDS',
    });
    // A retry of that same attempt is still that attempt.
    expect(await bank.debit(debit('l:autopay:1:0', c))).toEqual({
      status: 'failed',
      reason: 'INSUFFICIENT_FUNDS',
    });
    expect((await bank.debit(debit('l:autopay:1:1', c))).status).toBe('succeeded');
    expect(await bank.debit(debit('l:autopay:2:0', c, '2027-01-20'))).toEqual({
      status: 'failed',
      reason: 'INSUFFICIENT_FUNDS',
    });
    expect((await bank.debit(debit('l:autopay:2:1', c, '2027-01-20'))).status).toBe('succeeded');
  });

  test('a malformed due date is refused', async () => {
    expect(await failure(new SandboxBank(clock).debit(debit('k', card('1234'), '20/12/2026')))).toMatchObject(
      { code: 'INVALID_REQUEST', retryable: false },
    );
  });
});
