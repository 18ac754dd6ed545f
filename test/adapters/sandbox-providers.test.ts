import { SandboxCreditBureau } from '../../adapters/bureau';
import { ProviderError, RETRYABLE_PROVIDER_ERROR, isRetryableStatus } from '../../adapters/errors';
import { SandboxIdentityVerifier } from '../../adapters/identity';
import { type IdentityVerifier } from '../../contracts/providers/identity';
import { createAdapters, memorySandboxStore } from '../../adapters/index';
import { SandboxListScreener } from '../../adapters/lists';
import { SandboxNotifier } from '../../adapters/notify';
import { card, consent, failure, idNumber, phone } from './fixtures';

const clock = () => new Date('2026-11-20T02:00:00.000Z');

describe('ProviderError', () => {
  test('carries retryability in its name, so a Temporal retry policy can name the non-retryable type', () => {
    const e = ProviderError.fatal('DISBURSEMENT_REFUSED', 'no');
    expect([e.name, e.type, e.retryable, e.code]).toEqual([
      'ProviderNonRetryableError',
      'ProviderNonRetryableError',
      false,
      'DISBURSEMENT_REFUSED',
    ]);
    expect(ProviderError.retryable('X', 'y').name).toBe(RETRYABLE_PROVIDER_ERROR);
    expect(e).toBeInstanceOf(Error);
  });

  test.each([
    [408, true],
    [429, true],
    [500, true],
    [503, true],
    [400, false],
    [401, false],
    [409, false],
    [422, false],
  ])('HTTP %i retryable: %s', (status, retryable) => expect(isRetryableStatus(status)).toBe(retryable));
});

describe('sandbox identity', () => {
  test('card 0001 is a four-element mismatch; others match', async () => {
    const v: IdentityVerifier = new SandboxIdentityVerifier();
    const base = { name: '张三', idNumber: idNumber(), phone: phone() };
    expect(await v.verifyFourElements({ ...base, bankCard: card('0001') }, 'k1')).toEqual({
      matched: false,
      reasonCode: 'IDENTITY_MISMATCH',
    });
    expect(await v.verifyFourElements({ ...base, bankCard: card('1234') }, 'k2')).toEqual({ matched: true });
  });
});

describe('sandbox lists', () => {
  test('phone 0000 is blacklisted, 1111 whitelisted, others clear', async () => {
    const lists = new SandboxListScreener();
    expect(await lists.screen({ idNumber: idNumber(), phone: phone('0000') })).toEqual({
      listed: 'blacklist',
      matchedOn: 'phone',
    });
    expect(await lists.screen({ idNumber: idNumber(), phone: phone('1111') })).toEqual({
      listed: 'whitelist',
      matchedOn: 'phone',
    });
    expect(await lists.screen({ idNumber: idNumber(), phone: phone('2222') })).toEqual({ listed: null });
  });

  test('entries on other elements match, and a blacklist hit beats a whitelist hit', async () => {
    const lists = new SandboxListScreener([
      { list: 'blacklist', on: 'deviceId', value: 'dev-bad' },
      { list: 'whitelist', on: 'idNumber', value: idNumber('19800101') },
    ]);
    expect(await lists.screen({ idNumber: idNumber('19800101'), phone: phone('2222') })).toEqual({
      listed: 'whitelist',
      matchedOn: 'idNumber',
    });
    expect(
      await lists.screen({ idNumber: idNumber('19800101'), phone: phone('2222'), deviceId: 'dev-bad' }),
    ).toEqual({ listed: 'blacklist', matchedOn: 'deviceId' });
    expect(
      await lists.screen({
        idNumber: idNumber(),
        phone: phone('1111'),
        bankCard: card('1234'),
        deviceId: 'dev-bad',
      }),
    ).toEqual({ listed: 'blacklist', matchedOn: 'deviceId' });
  });
});

describe('sandbox bureau', () => {
  test('a good report, the same for the same applicant, within its ranges', async () => {
    const a = await new SandboxCreditBureau(clock).pullReport(
      { name: '张三', idNumber: idNumber(), consent },
      'cl_1:bureau',
    );
    const b = await new SandboxCreditBureau(clock).pullReport(
      { name: '张三', idNumber: idNumber(), consent },
      'cl_1:bureau',
    );
    expect(a).toEqual(b);
    expect(a.score).toBeGreaterThanOrEqual(700);
    expect(a.score).toBeLessThanOrEqual(900);
    expect(a).toMatchObject({
      overdueCountLast24m: 0,
      maxDpdLast24m: 0,
      pulledAt: '2026-11-20T02:00:00.000Z',
    });
    expect(Number.isSafeInteger(a.currentDebtsMinor)).toBe(true);
  });

  test('a body ending 999 answers 2 transient errors per idempotency key, then the report', async () => {
    const bureau = new SandboxCreditBureau(clock);
    const query = { name: '李四', idNumber: idNumber('19900101', '999'), consent };
    expect(await failure(bureau.pullReport(query, 'cl_9:bureau'))).toEqual({
      name: RETRYABLE_PROVIDER_ERROR,
      code: 'BUREAU_UNAVAILABLE',
      retryable: true,
    });
    expect(await failure(bureau.pullReport(query, 'cl_9:bureau'))).toMatchObject({
      code: 'BUREAU_UNAVAILABLE',
    });
    const report = await bureau.pullReport(query, 'cl_9:bureau');
    expect(report.score).toBeGreaterThanOrEqual(700);
    expect(await bureau.pullReport(query, 'cl_9:bureau')).toEqual(report);
    expect(await failure(bureau.pullReport(query, 'cl_10:bureau'))).toMatchObject({
      code: 'BUREAU_UNAVAILABLE',
    });
  });

  test('region 999998 is severely delinquent, 999997 a weak file', async () => {
    const bureau = new SandboxCreditBureau(clock);
    expect(
      await bureau.pullReport({ name: 'x', idNumber: idNumber('19900101', '123', '999998'), consent }, 'k1'),
    ).toMatchObject({ score: 480, maxDpdLast24m: 120 });
    expect(
      await bureau.pullReport({ name: 'x', idNumber: idNumber('19900101', '123', '999997'), consent }, 'k2'),
    ).toMatchObject({ score: 520, overdueCountLast24m: 3 });
  });

  test('no consent or a malformed id is refused, non-retryable', async () => {
    const bureau = new SandboxCreditBureau(clock);
    expect(
      await failure(
        bureau.pullReport({ name: 'x', idNumber: idNumber(), consent: { version: '', acceptedAt: '' } }, 'k'),
      ),
    ).toMatchObject({ code: 'CONSENT_MISSING', retryable: false });
    const wrongCheck = `${idNumber().slice(0, 17)}${idNumber().endsWith('0') ? '1' : '0'}`;
    expect(await failure(bureau.pullReport({ name: 'x', idNumber: wrongCheck, consent }, 'k'))).toMatchObject(
      { code: 'INVALID_ID_NUMBER', retryable: false },
    );
  });
});

describe('sandbox notifier', () => {
  test('records one message per key and refuses SMS to a non-phone', async () => {
    const n = new SandboxNotifier(clock);
    const msg = {
      idempotencyKey: 'loan_1:reminder:1',
      channel: 'sms' as const,
      to: phone(),
      template: 'due-reminder',
      params: { dueDate: '2026-12-20' },
    };
    const a = await n.send(msg);
    expect(await n.send(msg)).toEqual(a);
    expect(n.sent()).toEqual([{ ...msg, messageId: a.messageId, sentAt: '2026-11-20T02:00:00.000Z' }]);
    expect(await failure(n.send({ ...msg, idempotencyKey: 'k2', to: '12345' }))).toMatchObject({
      code: 'INVALID_RECIPIENT',
      retryable: false,
    });
  });

  test('drops a message whose deadline has passed, but answers a retry of one it delivered in time', async () => {
    let now = new Date('2026-11-20T11:59:00.000Z');
    const n = new SandboxNotifier(() => now);
    const msg = {
      idempotencyKey: 'loan_1:collection:e1:sms-1',
      channel: 'sms' as const,
      to: phone(),
      template: 'collection.m1',
      params: {},
      notAfter: '2026-11-20T12:00:00.000Z',
    };
    const sent = await n.send(msg);
    now = new Date('2026-11-20T12:30:00.000Z');
    expect(await n.send(msg)).toEqual(sent);
    expect(await failure(n.send({ ...msg, idempotencyKey: 'loan_1:reminder:2' }))).toMatchObject({
      code: 'DELIVERY_WINDOW_PASSED',
      retryable: false,
    });
    expect(n.sent().map((m) => m.idempotencyKey)).toEqual([msg.idempotencyKey]);
  });
});

describe('createAdapters', () => {
  test('sandbox mode wires the sandbox providers', async () => {
    const a = createAdapters({ mode: 'sandbox', now: clock, store: memorySandboxStore() });
    expect(await a.lists.screen({ idNumber: idNumber(), phone: phone('0000') })).toMatchObject({
      listed: 'blacklist',
    });
    expect(
      (
        await a.bank.pay({
          idempotencyKey: 'k',
          amountMinor: 1,
          currency: 'CNY',
          toCard: card('1234'),
          payee: 'x',
        })
      ).status,
    ).toBe('paid');
  });

  test('http mode needs a base URL and an API key', () => {
    expect(() => createAdapters({ mode: 'http', baseUrl: '', apiKey: 'k' })).toThrow(/baseUrl/);
    expect(() => createAdapters({ mode: 'http', baseUrl: 'http://127.0.0.1:1', apiKey: '' })).toThrow(
      /apiKey/,
    );
  });
});
