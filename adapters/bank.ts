import { z } from 'zod';
import { isValidCardNumber } from '../domain/identity';
import { localDateAt } from '../domain/localdate';
import { CURRENCIES, type Currency } from '../domain/money';
import { ProviderError } from './errors';
import { HttpProviderClient, type HttpProviderOptions } from './http';

export interface PayRequest {
  /** From a business id (`{loanId}:disbursement`): the bank pays one key at most once, ever. */
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  toCard: string;
  payee: string;
}

export interface Payout {
  payoutId: string;
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  toCard: string;
  payee: string;
  status: 'paid';
  /** ISO instant. */
  paidAt: string;
}

export interface DebitRequest {
  /** `{loanId}:autopay:{seq}:{attempt-slot}`: one key per attempt, so a retried attempt is not a second debit. */
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  fromCard: string;
  /** The borrower's local due date (ISO) this attempt collects for. */
  dueDate: string;
}

export type DebitFailureReason = 'INSUFFICIENT_FUNDS' | 'CARD_BLOCKED' | 'MANDATE_MISSING';

/** A refused debit is an answer, not an error: the workflow reacts to it (retry slot, delinquency). */
export type DebitResult =
  | { status: 'succeeded'; debitId: string; amountMinor: number; currency: Currency; debitedAt: string }
  | { status: 'failed'; reason: DebitFailureReason };

/** Money that moved on a bank business day, as the bank books it: what reconciliation trusts. */
export interface StatementItem {
  kind: 'payout' | 'debit';
  /** The bank's id: payoutId or debitId. */
  reference: string;
  /** Ours, as sent: it names the loan and the event (`{loanId}:disbursement`, `{loanId}:autopay:{seq}:{slot}`). */
  idempotencyKey: string;
  amountMinor: number;
  currency: Currency;
  /** ISO instant. */
  at: string;
}

export interface BankStatement {
  /** The bank's business day (ISO local date in the bank's zone). */
  date: string;
  items: StatementItem[];
}

export interface BankGateway {
  /** Disbursement. Throws ProviderError: non-retryable when the bank refused, retryable when the outcome is unknown. */
  pay(request: PayRequest): Promise<Payout>;
  /** Autopay collection. */
  debit(request: DebitRequest): Promise<DebitResult>;
  /** Payouts made and debits collected on one business day; refused debits moved nothing and are not listed. */
  statement(date: string): Promise<BankStatement>;
}

export interface DebitRecord {
  request: DebitRequest;
  result: DebitResult;
}

/**
 * Sandbox (DESIGN §11), by the last four digits of the card:
 * - `0002`: payouts refused, non-retryable `DISBURSEMENT_REFUSED`;
 * - `0003`: the first 2 payout attempts of an idempotency key throw retryable `BANK_UNAVAILABLE`,
 *   the 3rd pays;
 * - `0004`: every debit fails with INSUFFICIENT_FUNDS;
 * - `0005`: the first debit key seen for a (card, due date) fails with INSUFFICIENT_FUNDS, later
 *   keys for that day succeed.
 * Payouts and debits are kept by idempotency key: the same key answers the original result, and the
 * same key with a different amount, currency or card is a non-retryable `IDEMPOTENCY_CONFLICT`.
 */
export class SandboxBank implements BankGateway {
  private readonly payoutsByKey = new Map<string, Payout>();
  private readonly debitsByKey = new Map<string, DebitRecord>();
  private readonly payAttempts = new Map<string, number>();
  private readonly dueDaysAttempted = new Set<string>();
  private sequence = 0;

  constructor(
    private readonly now: () => Date = () => new Date(),
    /** The bank's business day runs in its own zone, not the borrower's. */
    private readonly timeZone = 'Asia/Shanghai',
  ) {}

  async pay(request: PayRequest): Promise<Payout> {
    validate(request.idempotencyKey, request.amountMinor, request.currency, request.toCard);
    if (!request.payee) throw ProviderError.fatal('INVALID_REQUEST', 'payee is required');

    const earlier = this.payoutsByKey.get(request.idempotencyKey);
    if (earlier) {
      if (
        earlier.amountMinor !== request.amountMinor ||
        earlier.currency !== request.currency ||
        earlier.toCard !== request.toCard
      ) {
        throw ProviderError.fatal(
          'IDEMPOTENCY_CONFLICT',
          `key ${request.idempotencyKey} already paid a different payout`,
        );
      }
      return earlier;
    }

    if (request.toCard.endsWith('0002'))
      throw ProviderError.fatal('DISBURSEMENT_REFUSED', 'the receiving bank refused the payout');
    const attempt = (this.payAttempts.get(request.idempotencyKey) ?? 0) + 1;
    this.payAttempts.set(request.idempotencyKey, attempt);
    if (request.toCard.endsWith('0003') && attempt <= 2) {
      throw ProviderError.retryable('BANK_UNAVAILABLE', `sandbox bank outage (attempt ${attempt} of 2)`);
    }

    const payout: Payout = {
      payoutId: `sbx-po-${++this.sequence}`,
      idempotencyKey: request.idempotencyKey,
      amountMinor: request.amountMinor,
      currency: request.currency,
      toCard: request.toCard,
      payee: request.payee,
      status: 'paid',
      paidAt: this.now().toISOString(),
    };
    this.payoutsByKey.set(request.idempotencyKey, payout);
    return payout;
  }

  async debit(request: DebitRequest): Promise<DebitResult> {
    validate(request.idempotencyKey, request.amountMinor, request.currency, request.fromCard);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(request.dueDate))
      throw ProviderError.fatal('INVALID_REQUEST', 'dueDate must be an ISO date');

    const earlier = this.debitsByKey.get(request.idempotencyKey);
    if (earlier) {
      const r = earlier.request;
      if (
        r.amountMinor !== request.amountMinor ||
        r.currency !== request.currency ||
        r.fromCard !== request.fromCard
      ) {
        throw ProviderError.fatal(
          'IDEMPOTENCY_CONFLICT',
          `key ${request.idempotencyKey} already used for a different debit`,
        );
      }
      return earlier.result;
    }

    const result = this.debitOutcome(request);
    this.debitsByKey.set(request.idempotencyKey, { request: { ...request }, result });
    return result;
  }

  /** Every payout made, in order; a key that was retried appears once. */
  payouts(): Payout[] {
    return [...this.payoutsByKey.values()];
  }

  debits(): DebitRecord[] {
    return [...this.debitsByKey.values()];
  }

  async statement(date: string): Promise<BankStatement> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date))
      throw ProviderError.fatal('INVALID_REQUEST', 'date must be an ISO date');
    const items: StatementItem[] = [
      ...this.payouts().map((p) => ({
        kind: 'payout' as const,
        reference: p.payoutId,
        idempotencyKey: p.idempotencyKey,
        amountMinor: p.amountMinor,
        currency: p.currency,
        at: p.paidAt,
      })),
      ...this.debits().flatMap(({ request, result }) =>
        result.status === 'succeeded'
          ? [
              {
                kind: 'debit' as const,
                reference: result.debitId,
                idempotencyKey: request.idempotencyKey,
                amountMinor: result.amountMinor,
                currency: result.currency,
                at: result.debitedAt,
              },
            ]
          : [],
      ),
    ];
    return { date, items: items.filter((i) => localDateAt(Date.parse(i.at), this.timeZone) === date) };
  }

  private debitOutcome(request: DebitRequest): DebitResult {
    if (request.fromCard.endsWith('0004')) return { status: 'failed', reason: 'INSUFFICIENT_FUNDS' };
    const day = `${request.fromCard}|${request.dueDate}`;
    const firstOfDay = !this.dueDaysAttempted.has(day);
    this.dueDaysAttempted.add(day);
    if (request.fromCard.endsWith('0005') && firstOfDay)
      return { status: 'failed', reason: 'INSUFFICIENT_FUNDS' };
    return {
      status: 'succeeded',
      debitId: `sbx-db-${++this.sequence}`,
      amountMinor: request.amountMinor,
      currency: request.currency,
      debitedAt: this.now().toISOString(),
    };
  }
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

  async statement(date: string): Promise<BankStatement> {
    return this.client.get(`/bank/statements?date=${encodeURIComponent(date)}`, statementSchema);
  }
}
