import { HttpBank } from '../../adapters/bank';
import { HttpCreditBureau } from '../../adapters/bureau';
import { NON_RETRYABLE_PROVIDER_ERROR, RETRYABLE_PROVIDER_ERROR } from '../../adapters/errors';
import { createAdapters, type Adapters } from '../../adapters/index';
import { startSandboxServer, type SandboxServer } from '../../adapters/sandbox-server';
import type { PayRequest } from '../../contracts/providers/bank';
import { card, consent, failure, idNumber, phone } from './fixtures';

const API_KEY = 'sk_sandbox_test';
const servers: SandboxServer[] = [];

async function start(options: Parameters<typeof startSandboxServer>[0] = {}): Promise<SandboxServer> {
  const server = await startSandboxServer({
    apiKey: API_KEY,
    now: () => new Date('2026-11-20T02:00:00.000Z'),
    ...options,
  });
  servers.push(server);
  return server;
}

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

/** A payout to a card ending in `suffix`: the ending is where the sandbox bank reads its magic. */
const payRequest = (
  idempotencyKey: string,
  suffix: string,
  amountMinor = 100_000,
  payee = '张三',
): PayRequest => ({
  idempotencyKey,
  amountMinor,
  currency: 'CNY',
  toCard: card(suffix),
  payee,
});

describe('HTTP adapters against the sandbox server', () => {
  let server: SandboxServer;
  let adapters: Adapters;

  beforeAll(async () => {
    server = await start();
    adapters = createAdapters({ mode: 'http', baseUrl: server.url, apiKey: API_KEY, timeoutMs: 5_000 });
  });

  test('listens on an ephemeral loopback port', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('identity: card 0001 mismatches, others match', async () => {
    const base = { name: '张三', idNumber: idNumber(), phone: phone() };
    expect(
      await adapters.identity.verifyFourElements({ ...base, bankCard: card('0001') }, 'cl_1:identity'),
    ).toEqual({ matched: false, reasonCode: 'IDENTITY_MISMATCH' });
    expect(
      await adapters.identity.verifyFourElements({ ...base, bankCard: card('1234') }, 'cl_2:identity'),
    ).toEqual({ matched: true });
  });

  test('lists: blacklist and whitelist by phone', async () => {
    expect(await adapters.lists.screen({ idNumber: idNumber(), phone: phone('0000') })).toEqual({
      listed: 'blacklist',
      matchedOn: 'phone',
    });
    expect(
      await adapters.lists.screen({ idNumber: idNumber(), phone: phone('1111'), deviceId: 'd1' }),
    ).toEqual({ listed: 'whitelist', matchedOn: 'phone' });
    expect(await adapters.lists.screen({ idNumber: idNumber(), phone: phone('2345') })).toEqual({
      listed: null,
    });
  });

  test('bureau: the 999 outage arrives as retryable 503s, then the report', async () => {
    const query = { name: '李四', idNumber: idNumber('19900101', '999'), consent };
    expect(await failure(adapters.bureau.pullReport(query, 'cl_3:bureau'))).toEqual({
      name: RETRYABLE_PROVIDER_ERROR,
      code: 'BUREAU_UNAVAILABLE',
      retryable: true,
      status: 503,
    });
    expect(await failure(adapters.bureau.pullReport(query, 'cl_3:bureau'))).toMatchObject({
      retryable: true,
    });
    const report = await adapters.bureau.pullReport(query, 'cl_3:bureau');
    expect(report).toMatchObject({ overdueCountLast24m: 0, pulledAt: '2026-11-20T02:00:00.000Z' });
    expect(report.score).toBeGreaterThanOrEqual(700);
  });

  test('bank: 0002 refusal is non-retryable; 0003 pays once after two transient errors', async () => {
    const refused = payRequest('loan_2:disbursement', '0002');
    expect(await failure(adapters.bank.pay(refused))).toEqual({
      name: NON_RETRYABLE_PROVIDER_ERROR,
      code: 'DISBURSEMENT_REFUSED',
      retryable: false,
      status: 422,
    });

    const request = { ...refused, idempotencyKey: 'loan_3:disbursement', toCard: card('0003') };
    expect(await failure(adapters.bank.pay(request))).toMatchObject({
      code: 'BANK_UNAVAILABLE',
      retryable: true,
      status: 503,
    });
    expect(await failure(adapters.bank.pay(request))).toMatchObject({ retryable: true });
    const payout = await adapters.bank.pay(request);
    expect(await adapters.bank.pay(request)).toEqual(payout);
    expect(
      server.providers.bank.payouts().filter((p) => p.idempotencyKey === request.idempotencyKey),
    ).toEqual([payout]);
  });

  test('bank: the day statement lists the payouts made over HTTP, as the sandbox recorded them', async () => {
    const payout = await adapters.bank.pay(payRequest('loan_stmt:disbursement', '1234', 250_000, 'borrower'));
    const local = await server.providers.bank.statement('2026-11-20');
    const remote = await adapters.bank.statement('2026-11-20');
    expect(remote).toEqual(local);
    expect(remote.items).toContainEqual(
      expect.objectContaining({ kind: 'payout', reference: payout.payoutId, amountMinor: 250_000 }),
    );
    expect(await failure(adapters.bank.statement('20-11-2026'))).toMatchObject({ retryable: false });
  });

  test('collection partners and bureau filings: one effect per idempotency key', async () => {
    const handOff = {
      idempotencyKey: 'ln_c:collection:agency',
      loanId: 'ln_c',
      customerId: 'cus_hash',
      amountMinor: 310_000,
      currency: 'CNY',
      dpd: 61,
      bucket: 'M3',
    };
    const first = await adapters.agency.handOff(handOff);
    expect(await adapters.agency.handOff(handOff)).toEqual(first);
    expect(server.providers.agency.assignments.size).toBe(1);
    const notice = await adapters.agency.serveLegalNotice({ ...handOff, idempotencyKey: 'ln_c:legal' });
    expect(notice.noticeRef).toMatch(/^sbx-lgl-/);
    const filing = {
      idempotencyKey: 'ln_c:bureau:2026-08-01:M2',
      loanId: 'ln_c',
      customerId: 'cus_hash',
      status: 'delinquent' as const,
      dpd: 31,
      bucket: 'M2',
      outstandingMinor: 310_000,
      currency: 'CNY',
      asOf: '2026-09-01',
    };
    const filed = await adapters.bureau.fileAccountReport(filing);
    expect(await adapters.bureau.fileAccountReport(filing)).toEqual(filed);
    expect([...server.providers.bureau.filed.values()].map((f) => [f.status, f.bucket])).toEqual([
      ['delinquent', 'M2'],
    ]);
  });

  test('bank: key reuse with another amount is a 409, not a second payout', async () => {
    const request = payRequest('loan_4:disbursement', '1234');
    await adapters.bank.pay(request);
    expect(await failure(adapters.bank.pay({ ...request, amountMinor: 100_001 }))).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
      retryable: false,
      status: 409,
    });
  });

  test('bank: an insufficient-funds debit is a result, not an error', async () => {
    const r = await adapters.bank.debit({
      idempotencyKey: 'loan_5:autopay:1:0',
      amountMinor: 50_000,
      currency: 'CNY',
      fromCard: card('0004'),
      dueDate: '2026-12-20',
    });
    expect(r).toEqual({ status: 'failed', reason: 'INSUFFICIENT_FUNDS' });
  });

  test('notify: sends and the server records it', async () => {
    const sent = await adapters.notify.send({
      idempotencyKey: 'loan_5:reminder:1',
      channel: 'sms',
      to: phone(),
      template: 'due-reminder',
      params: { amount: '500.00' },
    });
    expect(server.providers.notify.sent().map((m) => m.messageId)).toContain(sent.messageId);
  });

  test('bank: a debit is found by its key over the wire, whatever amount asked again; an unknown key is null', async () => {
    const request = {
      idempotencyKey: 'loan_6:autopay:1:0',
      amountMinor: 50_000,
      currency: 'CNY' as const,
      fromCard: card('1234'),
      dueDate: '2026-12-20',
    };
    const first = await adapters.bank.debit(request);
    expect(await failure(adapters.bank.debit({ ...request, amountMinor: 50_500 }))).toMatchObject({
      code: 'IDEMPOTENCY_CONFLICT',
    });
    expect(await adapters.bank.findDebit(request.idempotencyKey)).toEqual(first);
    expect(await adapters.bank.findDebit('loan_6:autopay:9:0')).toBeNull();
  });

  test('notify: a message held for later is delivered then, and withdrawn once before it goes out', async () => {
    // The sandbox server's clock stands at 2026-11-20T02:00Z: three hours ahead of it.
    const notBefore = '2026-11-20T05:00:00.000Z';
    const key = 'loan_7:reminder:1:2026-12-20';
    await adapters.notify.send({
      idempotencyKey: key,
      channel: 'sms',
      to: phone(),
      template: 'due-reminder',
      params: { amount: '500.00' },
      notBefore,
    });
    expect(server.providers.notify.sent().find((m) => m.idempotencyKey === key)?.sentAt).toBe(notBefore);
    expect(await adapters.notify.withdraw(key)).toEqual({ withdrawn: true });
    expect(await adapters.notify.withdraw(key)).toEqual({ withdrawn: true });
    expect(await adapters.notify.withdraw('loan_7:reminder:9:2026-12-20')).toEqual({ withdrawn: false });
  });

  test('a malformed request is a non-retryable 400', async () => {
    expect(
      await failure(adapters.bank.pay({ ...payRequest('k', '1234', 1, 'x'), currency: 'XXX' as 'CNY' })),
    ).toMatchObject({
      code: 'INVALID_REQUEST',
      retryable: false,
      status: 400,
    });
  });

  test('a wrong API key is a non-retryable 401', async () => {
    const bureau = new HttpCreditBureau({ baseUrl: server.url, apiKey: 'wrong' });
    expect(await failure(bureau.pullReport({ name: 'x', idNumber: idNumber(), consent }, 'k'))).toEqual({
      name: NON_RETRYABLE_PROVIDER_ERROR,
      code: 'UNAUTHORIZED',
      retryable: false,
      status: 401,
    });
  });
});

describe('faults and latency', () => {
  test('a response lost after the payout: the retry with the same key returns the original payout', async () => {
    const script = [0, 0.99]; // first request faults, the second does not
    const server = await start({
      faultRate: 0.5,
      faultAfterEffect: true,
      random: () => script.shift() ?? 0.99,
    });
    const bank = new HttpBank({ baseUrl: server.url, apiKey: API_KEY });
    const request = payRequest('loan_6:disbursement', '1234', 300_000, '王五');

    expect(await failure(bank.pay(request))).toMatchObject({
      code: 'INJECTED_FAULT',
      retryable: true,
      status: 503,
    });
    expect(server.providers.bank.payouts()).toHaveLength(1);
    const payout = await bank.pay(request);
    expect(server.providers.bank.payouts()).toEqual([payout]);
  });

  test('a fault before the effect pays nothing', async () => {
    const server = await start({ faultRate: 1 });
    const bank = new HttpBank({ baseUrl: server.url, apiKey: API_KEY });
    expect(await failure(bank.pay(payRequest('k', '1234', 1, 'x')))).toMatchObject({ retryable: true });
    expect(server.providers.bank.payouts()).toEqual([]);
  });

  test('a provider slower than the timeout is a retryable TIMEOUT', async () => {
    const server = await start({ latencyMs: 300 });
    const bureau = new HttpCreditBureau({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 50 });
    const started = Date.now();
    expect(await failure(bureau.pullReport({ name: 'x', idNumber: idNumber(), consent }, 'k'))).toEqual({
      name: RETRYABLE_PROVIDER_ERROR,
      code: 'TIMEOUT',
      retryable: true,
    });
    expect(Date.now() - started).toBeLessThan(250);
  });

  test('nobody listening is a retryable NETWORK error', async () => {
    const server = await startSandboxServer();
    await server.close();
    const bureau = new HttpCreditBureau({ baseUrl: server.url, apiKey: API_KEY, timeoutMs: 1_000 });
    expect(await failure(bureau.pullReport({ name: 'x', idNumber: idNumber(), consent }, 'k'))).toMatchObject(
      { code: 'NETWORK', retryable: true },
    );
  });

  test('an answer that does not fit the contract is retryable BAD_RESPONSE (the outcome is unknown)', async () => {
    const fakeFetch = (async () =>
      new Response('{"payoutId": 7}', {
        status: 200,
        headers: { 'content-type': 'application/json' },
      })) as typeof fetch;
    const bank = new HttpBank({ baseUrl: 'http://provider.invalid', apiKey: 'k', fetch: fakeFetch });
    expect(await failure(bank.pay(payRequest('k', '1234', 1, 'x')))).toMatchObject({
      code: 'BAD_RESPONSE',
      retryable: true,
    });
  });

  test('a gateway error page without a JSON body still classifies by status', async () => {
    const fakeFetch = (async () => new Response('<html>bad gateway</html>', { status: 502 })) as typeof fetch;
    const bureau = new HttpCreditBureau({
      baseUrl: 'http://provider.invalid',
      apiKey: 'k',
      fetch: fakeFetch,
    });
    expect(await failure(bureau.pullReport({ name: 'x', idNumber: idNumber(), consent }, 'k'))).toEqual({
      name: RETRYABLE_PROVIDER_ERROR,
      code: 'HTTP_502',
      retryable: true,
      status: 502,
    });
  });
});
