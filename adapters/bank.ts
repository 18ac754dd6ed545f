import { z } from 'zod';
import { isValidCardNumber } from '../domain/identity';
import { localDateAt } from '../domain/localdate';
import { CURRENCIES, type Currency } from '../domain/money';
import { ProviderError } from './errors';
import { HttpProviderClient, type HttpProviderOptions } from './http';
import { type BankTransfer, memorySandboxStore, type SandboxStore } from './sandbox-store';
import type {
  PayRequest,
  Payout,
  DebitRequest,
  DebitFailureReason,
  DebitResult,
  StatementItem,
  BankStatement,
  BankGateway,
  DebitRecord,
} from '../contracts/providers/bank';

/**
 * Sandbox (docs/design.md, "Sandbox providers"), by the last four digits of the card:
 * - `0002`: payouts refused, non-retryable `DISBURSEMENT_REFUSED`;
 * - `0003`: the first 2 payout attempts of an idempotency key (in this process) throw retryable
 *   `BANK_UNAVAILABLE`, the 3rd pays;
 * - `0004`: every debit fails with INSUFFICIENT_FUNDS;
 * - `0005`: the first debit key seen for a (card, due date) fails with INSUFFICIENT_FUNDS, later
 *   keys for that day succeed.
 * Payouts and debits are booked in the store by idempotency key, as a bank books them: durably, so
 * a restarted worker's retry is answered with the original record (the same payout id) instead of
 * paying again. The same key with a different amount, currency, card or payee is a non-retryable
 * `IDEMPOTENCY_CONFLICT`. References come from the store, unique across processes.
 */
export class SandboxBank implements BankGateway {
  /** What this instance answered, by key: a synchronous view for tests. The store is the bank's record. */
  private readonly answeredPayouts = new Map<string, Payout>();
  private readonly answeredDebits = new Map<string, DebitRecord>();
  private readonly payAttempts = new Map<string, number>();
  private readonly timeZone: string;
  private readonly store: SandboxStore;

  constructor(
    private readonly now: () => Date = () => new Date(),
    options: {
      /** The bank's business day runs in its own zone, not the borrower's. */
      timeZone?: string;
      /** Where the bank's record lives; memory (this process only) when absent. */
      store?: SandboxStore;
    } = {},
  ) {
    this.timeZone = options.timeZone ?? 'Asia/Shanghai';
    this.store = options.store ?? memorySandboxStore();
  }

  async pay(request: PayRequest): Promise<Payout> {
    validate(request.idempotencyKey, request.amountMinor, request.currency, request.toCard);
    if (!request.payee) throw ProviderError.fatal('INVALID_REQUEST', 'payee is required');

    const earlier = await this.store.transfer(request.idempotencyKey);
    if (earlier) return this.payoutOf(earlier, request);

    if (request.toCard.endsWith('0002'))
      throw ProviderError.fatal('DISBURSEMENT_REFUSED', 'the receiving bank refused the payout');
    const attempt = (this.payAttempts.get(request.idempotencyKey) ?? 0) + 1;
    this.payAttempts.set(request.idempotencyKey, attempt);
    if (request.toCard.endsWith('0003') && attempt <= 2) {
      throw ProviderError.retryable('BANK_UNAVAILABLE', `sandbox bank outage (attempt ${attempt} of 2)`);
    }

    const booked = await this.store.bookTransfer(
      {
        kind: 'payout',
        idempotencyKey: request.idempotencyKey,
        amountMinor: request.amountMinor,
        currency: request.currency,
        card: request.toCard,
        payee: request.payee,
        dueDate: null,
        status: 'paid',
        failureReason: null,
        at: this.now().toISOString(),
      },
      'sbx-po',
    );
    // Another process may have booked the key meanwhile: its transfer is the answer, if it matches.
    return this.payoutOf(booked, request);
  }

  async debit(request: DebitRequest): Promise<DebitResult> {
    validate(request.idempotencyKey, request.amountMinor, request.currency, request.fromCard);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(request.dueDate))
      throw ProviderError.fatal('INVALID_REQUEST', 'dueDate must be an ISO date');

    const earlier = await this.store.transfer(request.idempotencyKey);
    if (earlier) return this.debitOf(earlier, request);

    const refusal = await this.debitRefusal(request);
    const booked = await this.store.bookTransfer(
      {
        kind: 'debit',
        idempotencyKey: request.idempotencyKey,
        amountMinor: request.amountMinor,
        currency: request.currency,
        card: request.fromCard,
        payee: null,
        dueDate: request.dueDate,
        status: refusal ? 'failed' : 'succeeded',
        failureReason: refusal,
        at: this.now().toISOString(),
      },
      'sbx-db',
    );
    return this.debitOf(booked, request);
  }

  /** Payouts this instance answered, in order; a key that was retried appears once. The bank's whole record is `statement`. */
  payouts(): Payout[] {
    return [...this.answeredPayouts.values()];
  }

  /** Debits this instance answered, refused ones included. */
  debits(): DebitRecord[] {
    return [...this.answeredDebits.values()];
  }

  /** Read from the store: every process's payouts and collected debits of the day. */
  async statement(date: string): Promise<BankStatement> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
      throw ProviderError.fatal('INVALID_REQUEST', 'date must be an ISO date');
    // A day in any zone lies within the UTC day before, of and after the date.
    const day = Date.parse(`${date}T00:00:00Z`);
    const transfers = await this.store.transfersBetween(
      new Date(day - DAY_MS).toISOString(),
      new Date(day + 2 * DAY_MS).toISOString(),
    );
    const items: StatementItem[] = transfers
      .filter((t) => t.status !== 'failed' && localDateAt(Date.parse(t.at), this.timeZone) === date)
      .map((t) => ({
        kind: t.kind,
        reference: t.id,
        idempotencyKey: t.idempotencyKey,
        amountMinor: t.amountMinor,
        currency: t.currency,
        at: t.at,
      }));
    return { date, items };
  }

  protected async debitRefusal(request: DebitRequest): Promise<DebitFailureReason | null> {
    if (request.fromCard.endsWith('0004')) return 'INSUFFICIENT_FUNDS';
    if (
      request.fromCard.endsWith('0005') &&
      !(await this.store.debitedBefore(request.fromCard, request.dueDate))
    )
      return 'INSUFFICIENT_FUNDS';
    return null;
  }

  private payoutOf(t: BankTransfer, request: PayRequest): Payout {
    const same =
      t.kind === 'payout' &&
      t.amountMinor === request.amountMinor &&
      t.currency === request.currency &&
      t.card === request.toCard &&
      t.payee === request.payee;
    if (!same) {
      throw ProviderError.fatal(
        'IDEMPOTENCY_CONFLICT',
        `key ${request.idempotencyKey} already paid a different payout`,
      );
    }
    const payout: Payout = {
      payoutId: t.id,
      idempotencyKey: t.idempotencyKey,
      amountMinor: t.amountMinor,
      currency: t.currency,
      toCard: t.card,
      payee: t.payee ?? '',
      status: 'paid',
      paidAt: t.at,
    };
    this.answeredPayouts.set(t.idempotencyKey, payout);
    return payout;
  }

  async findDebit(idempotencyKey: string): Promise<DebitResult | null> {
    const t = await this.store.transfer(idempotencyKey);
    return t?.kind === 'debit' ? debitResultOf(t) : null;
  }

  private debitOf(t: BankTransfer, request: DebitRequest): DebitResult {
    const same =
      t.kind === 'debit' &&
      t.amountMinor === request.amountMinor &&
      t.currency === request.currency &&
      t.card === request.fromCard;
    if (!same) {
      throw ProviderError.fatal(
        'IDEMPOTENCY_CONFLICT',
        `key ${request.idempotencyKey} already used for a different debit`,
      );
    }
    const result = debitResultOf(t);
    this.answeredDebits.set(t.idempotencyKey, { request: { ...request }, result });
    return result;
  }
}

const DAY_MS = 86_400_000;

function debitResultOf(t: BankTransfer): DebitResult {
  return t.status === 'failed'
    ? { status: 'failed', reason: t.failureReason as DebitFailureReason }
    : {
        status: 'succeeded',
        debitId: t.id,
        amountMinor: t.amountMinor,
        currency: t.currency,
        debitedAt: t.at,
      };
}

function validate(key: string, amountMinor: number, currency: Currency, card: string): void {
  if (!key) throw ProviderError.fatal('INVALID_REQUEST', 'idempotencyKey is required');
  if (!Number.isSafeInteger(amountMinor) || amountMinor <= 0) {
    throw ProviderError.fatal('INVALID_REQUEST', 'amountMinor must be a positive integer');
  }
  if (!CURRENCIES.includes(currency))
    throw ProviderError.fatal('INVALID_REQUEST', `unsupported currency ${String(currency)}`);
  if (!isValidCardNumber(card)) throw ProviderError.fatal('INVALID_CARD', 'card number fails the Luhn check');
}

const currencySchema = z.enum(CURRENCIES as [Currency, ...Currency[]]);

const payoutSchema = z.object({
  payoutId: z.string().min(1),
  idempotencyKey: z.string(),
  amountMinor: z.number().int().positive(),
  currency: currencySchema,
  toCard: z.string(),
  payee: z.string(),
  status: z.literal('paid'),
  paidAt: z.iso.datetime({ offset: true }),
});

const debitResultSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('succeeded'),
    debitId: z.string().min(1),
    amountMinor: z.number().int().positive(),
    currency: currencySchema,
    debitedAt: z.iso.datetime({ offset: true }),
  }),
  z.object({
    status: z.literal('failed'),
    reason: z.enum(['INSUFFICIENT_FUNDS', 'CARD_BLOCKED', 'MANDATE_MISSING']),
  }),
]);

const statementSchema = z.object({
  date: z.string(),
  items: z.array(
    z.object({
      kind: z.enum(['payout', 'debit']),
      reference: z.string().min(1),
      idempotencyKey: z.string().min(1),
      amountMinor: z.number().int().positive(),
      currency: currencySchema,
      at: z.iso.datetime({ offset: true }),
    }),
  ),
});

/** Bank over HTTP: `POST /bank/payouts`, `POST /bank/debits`, `GET /bank/statements?date=`. */
export class HttpBank implements BankGateway {
  private readonly client: HttpProviderClient;

  constructor(options: HttpProviderOptions) {
    this.client = new HttpProviderClient(options);
  }

  async pay(request: PayRequest): Promise<Payout> {
    const payout = await this.client.post('/bank/payouts', request, payoutSchema, request.idempotencyKey);
    if (payout.idempotencyKey !== request.idempotencyKey || payout.amountMinor !== request.amountMinor) {
      // A payout we did not ask for must not be booked as ours; the same key will fetch the real one.
      throw ProviderError.retryable('BAD_RESPONSE', 'payout does not match the request');
    }
    return payout;
  }

  async debit(request: DebitRequest): Promise<DebitResult> {
    return this.client.post('/bank/debits', request, debitResultSchema, request.idempotencyKey);
  }

  async findDebit(idempotencyKey: string): Promise<DebitResult | null> {
    return this.client.get(
      `/bank/debits/${encodeURIComponent(idempotencyKey)}`,
      debitResultSchema.nullable(),
    );
  }

  async statement(date: string): Promise<BankStatement> {
    return this.client.get(`/bank/statements?date=${encodeURIComponent(date)}`, statementSchema);
  }
}
