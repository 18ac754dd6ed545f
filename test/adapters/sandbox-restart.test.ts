import { randomUUID } from 'node:crypto';
import { HttpBank } from '../../adapters/bank';
import { type PayRequest } from '../../contracts/providers/bank';
import { type Adapters, bindSandboxPool, createAdapters, type SandboxBank } from '../../adapters/index';
import { startSandboxServer } from '../../adapters/sandbox-server';
import { sandboxStore } from '../../db/sandbox-providers';
import { testPool } from '../support/db';
import { card, consent, failure, idNumber, phone } from './fixtures';

// Each `sandboxes()` is a worker's sandboxes after a restart: new instances over the same database.
const pool = testPool();
afterAll(() => pool.end());
const clock = () => new Date('2026-11-20T02:00:00.000Z');
// The worker comes back a few minutes later: what it answers from the record keeps the first instant.
const later = () => new Date('2026-11-20T02:05:00.000Z');
const DATE = '2026-11-20';
const sandboxes = (now = clock): Adapters => createAdapters({ mode: 'sandbox', now, pool });
const bankOf = (a: Adapters) => a.bank as SandboxBank;

const pay = (over: Partial<PayRequest> = {}): PayRequest => ({
  idempotencyKey: `ln_${randomUUID()}:disbursement`,
  amountMinor: 2_000_000,
  currency: 'CNY',
  toCard: card('1234'),
  payee: 'borrower',
  ...over,
});
const debit = (fromCard: string, dueDate = '2026-12-20') => ({
  idempotencyKey: `ln_${randomUUID()}:autopay:1:0900`,
  amountMinor: 90_000,
  currency: 'CNY' as const,
  fromCard,
  dueDate,
});
const onStatement = async (bank: SandboxBank, keys: string[]) =>
  (await bank.statement(DATE)).items.filter((i) => keys.includes(i.idempotencyKey));

describe('the sandbox bank across a worker restart', () => {
  test('a key paid before the restart is answered with the same payout after it, and paid once', async () => {
    const request = pay();
    const before = await bankOf(sandboxes()).pay(request);
    const after = bankOf(sandboxes(later));
    expect(await after.pay(request)).toEqual(before);
    const items = await onStatement(bankOf(sandboxes(later)), [request.idempotencyKey]);
    expect(items).toEqual([expect.objectContaining({ kind: 'payout', reference: before.payoutId })]);
  });

  test('a key sent to two processes at once (a retry while the first attempt still runs) pays once', async () => {
    const request = pay();
    const [a, b] = await Promise.all([
      bankOf(sandboxes()).pay(request),
      bankOf(sandboxes(later)).pay(request),
    ]);
    expect(b).toEqual(a);
    expect(await onStatement(bankOf(sandboxes()), [request.idempotencyKey])).toHaveLength(1);
  });

  test('payouts and debits of different keys never share a reference across processes', async () => {
    const [a, b] = [bankOf(sandboxes()), bankOf(sandboxes())];
    const paid = await Promise.all([a, b, a, b, a, b].map((bank) => bank.pay(pay())));
    const debited = await Promise.all([a, b, a, b].map((bank) => bank.debit(debit(card('1234')))));
    const refs = [
      ...paid.map((p) => p.payoutId),
      ...debited.map((d) => (d.status === 'succeeded' ? d.debitId : 'refused')),
    ];
    expect(new Set(refs).size).toBe(10);
    const keys = paid.map((p) => p.idempotencyKey);
    expect((await onStatement(b, keys)).map((i) => i.reference).sort()).toEqual(
      paid.map((p) => p.payoutId).sort(),
    );
  });

  test('a key reused after the restart for another amount or payee is a conflict and pays nothing', async () => {
    const request = pay();
    await bankOf(sandboxes()).pay(request);
    const after = bankOf(sandboxes());
    for (const other of [{ amountMinor: 2_000_001 }, { payee: 'card-issuer' }, { toCard: card('1234', 7) }]) {
      expect(await failure(after.pay({ ...request, ...other }))).toMatchObject({
        code: 'IDEMPOTENCY_CONFLICT',
        retryable: false,
      });
    }
    expect(
      await failure(after.debit({ ...debit(request.toCard), idempotencyKey: request.idempotencyKey })),
    ).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT' });
    expect(await onStatement(after, [request.idempotencyKey])).toHaveLength(1);
  });

  test('a debit is answered the same after the restart, and the 0005 card still fails only its first attempt of a day', async () => {
    const first = debit(card('0005', Math.floor(Math.random() * 90_000)));
    const refused = await bankOf(sandboxes()).debit(first);
    expect(refused).toEqual({ status: 'failed', reason: 'INSUFFICIENT_FUNDS' });
    const after = bankOf(sandboxes());
    expect(await after.debit(first)).toEqual(refused);
    const second = { ...debit(first.fromCard, first.dueDate) };
    const collected = await after.debit(second);
    expect(collected).toMatchObject({ status: 'succeeded', amountMinor: 90_000 });
    expect(await bankOf(sandboxes()).debit(second)).toEqual(collected);
    expect(await onStatement(after, [first.idempotencyKey, second.idempotencyKey])).toHaveLength(1);
  });

  test('sandboxes made without a pool refuse to work until the worker binds one, then keep their records in it', async () => {
    const adapters = createAdapters({ mode: 'sandbox', now: clock });
    const request = pay();
    await expect(adapters.bank.pay(request)).rejects.toThrow(/PostgreSQL/);
    bindSandboxPool(adapters, pool);
    const payout = await adapters.bank.pay(request);
    expect(await bankOf(sandboxes()).pay(request)).toEqual(payout);
  });
});

describe('the other sandboxes across a worker restart', () => {
  test('a message, a filing, a hand-off, a legal notice and a bureau pull are answered once per key, with references unique across processes', async () => {
    const [a, b] = [sandboxes(), sandboxes()];
    const id = randomUUID();
    const message = (key: string) => ({
      idempotencyKey: key,
      channel: 'sms' as const,
      to: phone(),
      template: 'due-reminder',
      params: { dueDate: '2026-12-20' },
    });
    const handOff = (key: string) => ({
      idempotencyKey: key,
      loanId: `ln_${id}`,
      customerId: 'cus_1',
      amountMinor: 10_000,
      currency: 'CNY',
      dpd: 61,
      bucket: 'M3',
    });
    const filing = (key: string) => ({
      ...handOff(key),
      status: 'delinquent' as const,
      outstandingMinor: 10_000,
      asOf: DATE,
    });
    const refs = async (x: Adapters, key: string) => [
      (await x.notify.send(message(`${key}:sms`))).messageId,
      (await x.bureau.fileAccountReport(filing(`${key}:bureau`))).reportId,
      (await x.agency.handOff(handOff(`${key}:agency`))).agencyRef,
      (await x.agency.serveLegalNotice(handOff(`${key}:legal`))).noticeRef,
    ];
    const first = await refs(a, `ln_${id}:1`);
    expect(await refs(b, `ln_${id}:1`)).toEqual(first);
    const other = await refs(b, `ln_${id}:2`);
    expect(new Set([...first, ...other]).size).toBe(8);

    // A pull is billed once: the restarted bureau answers the key with the first report, same instant.
    const query = { name: '张三', idNumber: idNumber(), consent };
    const report = await a.bureau.pullReport(query, `cl_${id}:bureau`);
    const restarted = sandboxes(() => new Date());
    expect(await restarted.bureau.pullReport(query, `cl_${id}:bureau`)).toEqual(report);
  });
});

describe('the HTTP sandbox over PostgreSQL', () => {
  test('a payout whose answer was lost is answered with it by the restarted server, and paid once', async () => {
    const store = sandboxStore(pool);
    const request = pay();
    const lossy = await startSandboxServer({
      apiKey: 'k',
      now: clock,
      store,
      faultRate: 1,
      faultAfterEffect: true,
    });
    expect(await failure(new HttpBank({ baseUrl: lossy.url, apiKey: 'k' }).pay(request))).toMatchObject({
      code: 'INJECTED_FAULT',
      retryable: true,
    });
    await lossy.close();

    const restarted = await startSandboxServer({ apiKey: 'k', now: later, store });
    try {
      const bank = new HttpBank({ baseUrl: restarted.url, apiKey: 'k' });
      const payout = await bank.pay(request);
      expect(payout.paidAt).toBe(clock().toISOString());
      const statement = await bank.statement(DATE);
      expect(statement.items.filter((i) => i.idempotencyKey === request.idempotencyKey)).toEqual([
        expect.objectContaining({ reference: payout.payoutId, amountMinor: request.amountMinor }),
      ]);
    } finally {
      await restarted.close();
    }
  });
});
