import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { isValidCardNumber, isValidIdNumber, isValidPhone } from '../domain/identity';
import { DAY_COUNTS } from '../domain/daycount';
import { STAGES } from '../domain/delinquency';
import { isTimeZone } from '../domain/localdate';
import { CURRENCIES } from '../domain/money';
import { PRODUCTS } from '../domain/products';
import { MAX_AMOUNT, MAX_ANNUAL_RATE, MAX_TERM_COUNT, METHODS } from '../domain/schedule';
import { isCursor } from '../db/paging';

extendZodWithOpenApi(z);

/*
 * Edge primitives: every value a client sends is bounded here, before any arithmetic, database or
 * workflow sees it, so what passes is what PostgreSQL and the domain can hold.
 */

/** PostgreSQL text holds neither NUL nor an unpaired surrogate (UTF-8 cannot encode one). */
// eslint-disable-next-line no-control-regex -- NUL is exactly what is refused
const PG_TEXT = /^[^\u0000\uD800-\uDFFF]*$/u;
const PG_TEXT_MESSAGE = 'must not contain NUL or unpaired surrogate characters';

/*
 * What the OpenAPI document says of PG_TEXT (the generator would print it with its flag, and tools
 * cannot compile a surrogate range): no NUL; the API still answers a lone surrogate with 400. Trimmed
 * text must hold one character outside JavaScript's trim set.
 */
const JS_SPACE = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const PG_TEXT_DOC = { pattern: '^[^\\u0000]*$' };
const TRIMMED_DOC = { pattern: `^[^\\u0000]*[^\\u0000${JS_SPACE}][^\\u0000]*$` };

/** A free-text string: trimmed, 1..max characters, storable. */
export const text = (max: number) =>
  z.string().trim().min(1).max(max).regex(PG_TEXT, PG_TEXT_MESSAGE).openapi(TRIMMED_DOC);
/** A string checked by a rule (check digit, Luhn, known code): its length is bounded before the rule runs. */
const checked = (max: number) => z.string().max(max).regex(PG_TEXT, PG_TEXT_MESSAGE).openapi(PG_TEXT_DOC);

/** Ids the API hands out: `cl_…`, `ln_…`, `rv_cl_…`, `ct_ln_…_1_call`, `so_…`. */
export const ID_PATTERN = /^[a-z]{2,4}_[A-Za-z0-9_-]{1,120}$/;
export const IdSchema = z.string().regex(ID_PATTERN, 'is not an id this API issued');

/*
 * The document states the year bound and the calendar in one pattern (the generator keeps only the
 * year regex, and fuzzers read `format` loosely): real dates of those years, leap days included.
 */
const calendarDate = (centuries: string, leapYears: string) =>
  String.raw`(?:(?:${leapYears})-02-29|(?:${centuries})\d\d-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)|02-(?:0[1-9]|1\d|2[0-8])))`;
const LEAP = String.raw`(?:0[48]|[2468][048]|[13579][26])`;
/** Real offsets lie within ±14:00; PostgreSQL refuses any beyond ±15:59. */
const UTC_OFFSET = String.raw`(?:Z|[+-](?:0\d|1[0-3]):[0-5]\d|[+-]14:00)`;
const OFFSET_TIME = String.raw`T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?${UTC_OFFSET}`;

/** Business dates (loans, promises, snapshots): years 1900–2199, what the calendar code handles. */
export const BusinessDateSchema = z.iso
  .date()
  .regex(/^(19|20|21)\d\d-/, 'must be a date in the years 1900–2199')
  .openapi({ pattern: `^${calendarDate('19|20|21', `(?:19|20|21)${LEAP}|2000`)}$` });
/** Instants: years 2000–2199, an offset required. */
export const InstantSchema = z.iso
  .datetime({ offset: true })
  .regex(/^(20|21)\d\d-/, 'must be an instant in the years 2000–2199')
  .regex(new RegExp(`${UTC_OFFSET}$`), 'must have a UTC offset between -14:00 and +14:00')
  .openapi({ pattern: `^${calendarDate('20|21', `(?:20|21)${LEAP}|2000`)}${OFFSET_TIME}$` });
/** A consent is given before the application reaches us; a few minutes of client clock skew pass. */
const CLOCK_SKEW_MS = 5 * 60_000;
const pastInstant = InstantSchema.refine(
  (t) => Date.parse(t) <= Date.now() + CLOCK_SKEW_MS,
  'must not be in the future',
);

/**
 * A rate as a plain decimal string, refused before decimal.js sees it: no exponent (`1e-99999999`
 * would build a 100 MB number), at most 3 integer and 12 decimal digits, and at most `max`.
 */
export const rateString = (max: number) =>
  z
    .string()
    .max(16)
    .regex(
      /^\d{1,3}(\.\d{1,12})?$/,
      'must be a plain decimal such as "0.049": at most 12 decimals, no exponent',
    )
    .refine((s) => Number(s) <= max, `must be at most ${max}`);

/** ISO-8601 date durations with bounded fields; the domain checks the rest (P1M, P2W, P10D). */
const PeriodSchema = z
  .string()
  .regex(/^P(\d{1,3}Y)?(\d{1,4}M)?(\d{1,3}W)?(\d{1,4}D)?$/, 'must be an ISO-8601 duration such as P1M');

/** A keyset cursor this API returned: its shape is checked here, so a forged one never reaches SQL. */
const CursorSchema = z
  .string()
  .max(200)
  .superRefine((c, ctx) => {
    if (!isCursor(c))
      ctx.addIssue({
        code: 'invalid_format',
        format: 'cursor',
        input: c,
        message: 'is not a cursor this listing returned',
      });
  });

/** Wire schemas: the single source for validation and for the OpenAPI document. */

export const MoneySchema = z
  .strictObject({
    amount: z
      .number()
      .int()
      .positive()
      .max(MAX_AMOUNT)
      .openapi({ description: 'integer minor units', example: 500000 }),
    currency: z.enum(CURRENCIES as [string, ...string[]]).openapi({ example: 'CNY' }),
  })
  .openapi('Money');

/** Money in a response, where zero is a balance too (nothing available, no credit held). */
export const AmountSchema = z
  .object({ amount: z.number().int(), currency: z.string() })
  .openapi('Amount', { description: 'integer minor units with their currency' });

const knownProduct = (code: string) => PRODUCTS.some((p) => p.code === code);
const productOnSale = (code: string) => !PRODUCTS.find((p) => p.code === code)?.notOffered;

export const ApplicantSchema = z
  .strictObject({
    name: text(100),
    idNumber: checked(32)
      .refine(isValidIdNumber, 'is not a valid GB 11643 ID number (format, birth date or check digit)')
      .openapi({
        pattern: '^\\d{17}[\\dX]$',
        example: '110101199003076632',
        description:
          'GB 11643 resident ID: 17 digits with the birth date at 7–14, then a mod-11 check character',
      }),
    phone: checked(32)
      .refine(isValidPhone, 'must be 11 digits starting with 1')
      .openapi({ pattern: '^1\\d{10}$', example: '13800138000', description: 'mainland mobile number' }),
    bankCard: checked(32)
      .refine(isValidCardNumber, 'is not a valid card number (Luhn check failed)')
      .openapi({
        pattern: '^\\d{12,19}$',
        example: '6222020200112233446',
        description: '12–19 digits passing the Luhn check',
      }),
    deviceId: text(128).optional(),
  })
  .openapi('Applicant');

export const CreditLineApplicationSchema = z
  .strictObject({
    customer: ApplicantSchema,
    productCode: checked(64)
      .refine(knownProduct, 'is not a known product code')
      .refine(productOnSale, 'is not offered for new applications')
      .openapi({ example: 'cash-installment' }),
    requestedLimit: MoneySchema,
    timeZone: checked(64).refine(isTimeZone, 'is not a known IANA time zone').optional().openapi({
      example: 'Asia/Shanghai',
      description:
        "the borrower's IANA zone: due dates, expiry and contact hours follow it; the product's when absent",
    }),
    consents: z.strictObject({
      bureauQuery: z.strictObject({
        version: text(40),
        acceptedAt: pastInstant,
      }),
    }),
  })
  // A product lends in one currency: any other would start a workflow the decision must refuse.
  .superRefine((a, ctx) => {
    const currency = PRODUCTS.find((p) => p.code === a.productCode)?.currency;
    if (currency && currency !== a.requestedLimit.currency)
      ctx.addIssue({
        code: 'custom',
        path: ['requestedLimit', 'currency'],
        message: `must be ${currency}, the currency ${a.productCode} lends in`,
      });
  })
  .openapi('CreditLineApplication');
export type CreditLineApplicationBody = z.infer<typeof CreditLineApplicationSchema>;

export const ReasonSchema = z.object({ code: z.string(), message: z.string() }).openapi('Reason');

/** The review a line waits on, as the line carries it. */
export const LineReviewSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'info_requested', 'approved', 'declined', 'expired']),
    reviewersRequired: z.number().int(),
    approvals: z.array(z.string()),
    deadlineAt: z.string(),
    escalations: z.number().int(),
    infoRequested: z.boolean(),
  })
  .openapi('LineReview');

export const CreditLineSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'pending_review', 'active', 'declined', 'frozen', 'closed']),
    productCode: z.string(),
    requestedLimit: MoneySchema,
    grade: z.string().nullable(),
    limit: AmountSchema.nullable(),
    available: AmountSchema.nullable(),
    apr: z.string().nullable().openapi({ description: 'annual percentage rate as a decimal string' }),
    reasons: z.array(ReasonSchema),
    expiresOn: z.string().nullable().openapi({ description: "the borrower's last local date of the line" }),
    review: LineReviewSchema.nullable(),
  })
  .openapi('CreditLine');

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    field: z.string().optional().openapi({ description: 'the first offending field' }),
    errors: z
      .array(
        z.object({
          field: z.string(),
          message: z.string(),
          code: z.string().optional().openapi({ description: "the rule's code, when a rule refused it" }),
        }),
      )
      .optional(),
  })
  .openapi('Problem');

export const ReviewDecisionSchema = z
  .strictObject({
    decision: z.enum(['approve', 'decline', 'request_info']),
    reason: text(500).optional(),
  })
  .refine((d) => d.decision === 'approve' || !!d.reason, {
    message: 'a reason is required to decline or request information',
    path: ['reason'],
  })
  .openapi('ReviewDecision');

export const ReviewListQuerySchema = z.strictObject({
  status: z.enum(['pending', 'info_requested', 'approved', 'declined', 'expired']).optional(),
  dueBefore: InstantSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z
    .string()
    .max(200)
    .regex(/^[A-Za-z0-9_-]+$/, 'is not a cursor this API issued')
    .optional(),
});

export const ReviewSchema = z
  .object({
    id: z.string(),
    creditLineId: z.string(),
    status: z.string(),
    reviewersRequired: z.number().int(),
    approvals: z.array(z.string()),
    proposedLimit: MoneySchema,
    grade: z.string().nullable(),
    escalations: z.number().int(),
    dueAt: z.string(),
  })
  .openapi('Review');

/** A reviewer's dossier: the review, why the engine proposed it, and the applicant masked. */
export const ReviewDossierSchema = ReviewSchema.extend({
  lineStatus: z.string(),
  productCode: z.string(),
  timeZone: z.string().openapi({ description: "the borrower's IANA zone; dates are shown in it" }),
  requestedLimit: MoneySchema,
  applicant: z
    .object({ name: z.string(), idNumber: z.string(), phone: z.string(), bankCard: z.string() })
    .openapi({ description: "masked: the name's initial, the last four digits of each number" }),
  score: z
    .object({
      value: z.number(),
      grade: z.string(),
      scorecardVersion: z.string(),
      contributions: z.array(z.object({ characteristic: z.string(), value: z.number(), points: z.number() })),
    })
    .nullable(),
  reasons: z.array(ReasonSchema),
  bureau: z
    .object({
      reportId: z.string(),
      pulledAt: z.string(),
      score: z.number(),
      currentDebts: AmountSchema,
      overdueCountLast24m: z.number().int(),
      maxDpdLast24m: z.number().int(),
    })
    .nullable(),
  screening: z.object({ listed: z.string().nullable(), matchedOn: z.string().optional() }).nullable(),
  identity: z.object({ matched: z.boolean(), reasonCode: z.string().optional() }).nullable(),
  info: z.array(
    z.object({
      monthlyIncome: MoneySchema.optional(),
      occupation: z.string().optional(),
      emergencyContact: z.object({ name: z.string(), phone: z.string(), relation: z.string() }).optional(),
    }),
  ),
  decisions: z.array(
    z.object({ reviewerId: z.string(), decision: z.string(), reason: z.string().optional(), at: z.string() }),
  ),
  history: z.array(z.object({ type: z.string(), at: z.string() }).catchall(z.unknown())),
}).openapi('ReviewDossier');

export const ApplicantInfoSchema = z
  .strictObject({
    monthlyIncome: MoneySchema.optional(),
    occupation: text(100).optional(),
    emergencyContact: z
      .strictObject({
        name: text(100),
        phone: checked(32).refine(isValidPhone, 'must be 11 digits starting with 1'),
        relation: text(40),
      })
      .optional(),
  })
  .refine((i) => Object.keys(i).length > 0, {
    message: 'give at least one of monthlyIncome, occupation, emergencyContact',
  })
  .openapi('ApplicantInfo');

export const LineControlSchema = z.strictObject({ reason: text(500) }).openapi('LineControl');
export const LimitChangeSchema = z
  .strictObject({ reason: text(500), limit: MoneySchema })
  .openapi('LimitChange');

const FeeDefSchema = z.strictObject({
  amount: z
    .number()
    .int()
    .nonnegative()
    .max(MAX_AMOUNT)
    .optional()
    .openapi({ description: 'fixed, minor units' }),
  rate: rateString(1).optional().openapi({ description: 'decimal string of the base' }),
});

export const QuoteRequestSchema = z
  .strictObject({
    amount: MoneySchema,
    annualRate: rateString(MAX_ANNUAL_RATE).openapi({
      example: '0.049',
      description: 'nominal annual rate, decimal string',
    }),
    termCount: z.number().int().min(1).max(MAX_TERM_COUNT).openapi({ example: 360 }),
    method: z.enum(METHODS),
    startDate: BusinessDateSchema.openapi({ example: '2026-01-15' }),
    dayCount: z.enum(DAY_COUNTS).optional(),
    period: PeriodSchema.optional().openapi({ description: 'ISO-8601 duration, P1M by default' }),
    firstDueDate: BusinessDateSchema.optional(),
    fees: z
      .strictObject({
        origination: FeeDefSchema.extend({ mode: z.enum(['deducted', 'financed']).optional() }).optional(),
        servicePerPeriod: FeeDefSchema.optional(),
        late: FeeDefSchema.optional(),
        extension: FeeDefSchema.optional(),
      })
      .optional(),
  })
  .openapi('QuoteRequest');
export type QuoteRequest = z.infer<typeof QuoteRequestSchema>;

export const InstallmentSchema = z
  .object({
    seq: z.number().int(),
    dueDate: z.string(),
    principal: z.number().int(),
    interest: z.number().int(),
    fees: z.number().int(),
    total: z.number().int(),
    balanceAfter: z.number().int(),
    status: z.string(),
  })
  .openapi('Installment');

export const QuoteSchema = z
  .object({
    currency: z.string(),
    amount: z.number().int(),
    principal: z.number().int().openapi({ description: 'the financed principal the schedule amortises' }),
    netDisbursed: z.number().int().openapi({ description: 'what reaches the borrower' }),
    annualRate: z.string(),
    method: z.string(),
    termCount: z.number().int(),
    dayCount: z.string(),
    period: z.string(),
    startDate: z.string(),
    firstDueDate: z.string().optional(),
    fees: z.object({
      origination: z.number().int(),
      originationMode: z.enum(['deducted', 'financed']),
      perPeriod: z.number().int(),
    }),
    installments: z.array(InstallmentSchema),
    totals: z.record(z.string(), z.number()),
    apr: z.object({ nominal: z.string(), effective: z.string() }),
  })
  .openapi('Quote');

export const DrawdownSchema = z
  .strictObject({
    amount: MoneySchema,
    termMonths: z.number().int().positive().max(360),
    purpose: text(200).openapi({ example: 'home renovation' }),
    method: z.enum(METHODS).optional(),
    bankCard: checked(32)
      .refine(isValidCardNumber, 'is not a valid card number (Luhn check failed)')
      .openapi({
        pattern: '^\\d{12,19}$',
        example: '6222020200112233446',
        description: 'a verified payout card',
      })
      .optional(),
  })
  .openapi('Drawdown');

export const CardVerificationSchema = z
  .strictObject({
    bankCard: checked(32)
      .refine(isValidCardNumber, 'is not a valid card number (Luhn check failed)')
      .openapi({ pattern: '^\\d{12,19}$', example: '6222020200112233446' }),
  })
  .openapi('CardVerification');

export const CardVerificationResultSchema = z
  .object({ verified: z.literal(true), last4: z.string() })
  .openapi('CardVerificationResult');

export const DrawdownResultSchema = z
  .object({ loanId: z.string(), status: z.literal('disbursing') })
  .openapi('DrawdownResult');

export const RepaymentSchema = z
  .strictObject({
    amount: MoneySchema,
    channel: z.enum(['app', 'bank_transfer', 'counter', 'autopay_manual']).openapi({ example: 'app' }),
    mode: z
      .enum(['reduce-term', 'reduce-installment'])
      .optional()
      .openapi({ description: 'partial prepayment re-amortising the rest' }),
  })
  .openapi('Repayment');

/** A product as a filter: one of the catalogue's codes, so a mistyped code is refused, not an empty page. */
const productCodeFilter = () =>
  z
    .enum(PRODUCTS.map((p) => p.code) as [string, ...string[]])
    .optional()
    .openapi({ example: 'cash-installment' });

export const LoanListQuerySchema = z.strictObject({
  status: z
    .enum(['disbursing', 'active', 'delinquent', 'closed', 'disbursement_failed', 'written_off'])
    .optional(),
  bucket: z
    .string()
    .regex(/^M\d\+?$/)
    .optional(),
  stage: z.enum(STAGES).optional(),
  productCode: productCodeFilter(),
  creditLineId: IdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: CursorSchema.optional(),
});

export const PayoffQuerySchema = z.strictObject({
  date: BusinessDateSchema.optional().openapi({ description: "the borrower's local date; today by default" }),
});

// Loan answers: the read model's rows, the workflow's view, its schedule, payoff and repayments.

const int = () => z.number().int();

export const LoanSummarySchema = z
  .object({
    id: z.string(),
    creditLineId: z.string(),
    customerId: z.string().openapi({ description: 'opaque keyed hash of the ID number' }),
    productCode: z.string(),
    status: z.string(),
    currency: z.string(),
    principal: int(),
    outstanding: int(),
    creditBalance: int(),
    nextDueDate: z.string().nullable(),
    nextDueAmount: int().nullable(),
    dpd: int(),
    bucket: z.string(),
    stage: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('LoanSummary');

export const ExtensionResultSchema = z
  .object({
    extensionId: z.string(),
    days: int(),
    fee: AmountSchema,
    dueDates: z.array(z.object({ seq: int(), from: z.string(), to: z.string() })),
    extensionsUsed: int(),
    status: z.string(),
  })
  .openapi('ExtensionResult');

export const LoanSchema = z
  .object({
    id: z.string(),
    creditLineId: z.string(),
    productCode: z.string(),
    method: z.string(),
    annualRate: z.string(),
    termMonths: int(),
    timeZone: z
      .string()
      .optional()
      .openapi({ description: "the borrower's zone: due dates and DPD follow it" }),
    status: z.string(),
    principal: AmountSchema,
    outstanding: AmountSchema,
    creditBalance: AmountSchema,
    dpd: int(),
    bucket: z.string(),
    stage: z.string(),
    nextDue: z.object({ seq: int(), dueDate: z.string(), amount: int() }).nullable(),
    autopayAttempts: z.array(
      z.object({
        seq: int(),
        slot: int(),
        at: z.string(),
        result: z.enum(['succeeded', 'failed']),
        reason: z.string().optional(),
        amount: int(),
        paymentId: z.string().optional(),
        retryId: z.string().optional(),
      }),
    ),
    payments: z
      .array(
        z.object({
          paymentId: z.string(),
          amount: int(),
          date: z.string(),
          kind: z.enum(['allocation', 'prepayment', 'payoff', 'recovery']),
          reversed: z.boolean(),
        }),
      )
      .openapi({ description: 'recovery: received after write-off, booked as recovery income' }),
    disbursement: z.object({ payoutId: z.string(), netAmount: int(), date: z.string() }).nullable(),
    failure: z.object({ code: z.string(), message: z.string() }).nullable(),
    exceptions: z
      .array(z.object({ eventId: z.string(), paymentId: z.string(), reason: z.string() }))
      .openapi({ description: 'provider callbacks an operator must look at' }),
    lateCharges: z
      .object({ lateFees: int(), penaltyThrough: z.record(z.string(), z.string()), capped: int() })
      .optional(),
    extensions: z.array(ExtensionResultSchema).optional(),
    settlement: z
      .object({ offerId: z.string(), amount: AmountSchema, payBy: z.string(), received: int() })
      .nullable()
      .optional()
      .openapi({ description: 'an approved settlement waiting for its money' }),
    closedAs: z.enum(['paid', 'settled']).nullable().optional(),
    writtenOff: z.object({ date: z.string(), amount: int(), recovered: int() }).nullable().optional(),
    refunds: z
      .array(z.object({ refundId: z.string(), amount: int(), payoutId: z.string(), date: z.string() }))
      .optional()
      .openapi({ description: "credit left after payoff, paid back to the borrower's card" }),
  })
  .openapi('Loan');

export const ScheduleSchema = z
  .object({
    currency: z.string(),
    installments: z.array(InstallmentSchema.extend({ paid: int() })),
  })
  .openapi('Schedule');

export const PayoffQuoteSchema = z
  .object({
    amount: AmountSchema,
    date: z.string(),
    breakdown: z.object({
      principal: int(),
      dueInterest: int(),
      accruedInterest: int(),
      fees: int(),
      penalties: int(),
      credit: int().openapi({ description: 'credit held, netted from the amount' }),
    }),
  })
  .openapi('PayoffQuote');

const partsOf = { penalty: int(), fees: int(), interest: int(), principal: int() };
export const RepaymentResultSchema = z
  .object({
    paymentId: z.string(),
    kind: z.enum(['allocation', 'prepayment', 'payoff', 'recovery']),
    allocation: z.object({
      ...partsOf,
      toCredit: int(),
      fromCredit: int(),
      installments: z.array(z.object({ seq: int(), ...partsOf })),
    }),
    prepayment: z
      .object({
        mode: z.enum(['reduce-term', 'reduce-installment']),
        accruedInterest: int(),
        principalReduction: int(),
        installmentsAfter: int(),
      })
      .optional(),
    recovery: z.object({ recovered: int(), remaining: int() }).optional(),
    outstanding: AmountSchema,
    creditBalance: AmountSchema,
    status: z.string(),
  })
  .openapi('RepaymentResult');

export const PaymentWebhookSchema = z
  .strictObject({
    eventId: checked(128).min(1),
    type: z.enum(['payment.succeeded', 'payment.reversed']),
    loanId: IdSchema,
    paymentId: checked(128).min(1),
    amount: MoneySchema,
    occurredAt: InstantSchema.optional(),
  })
  .openapi('PaymentWebhook');

// Collection: call tasks, promises to pay, extensions and settlements.

const localDate = (example: string) =>
  BusinessDateSchema.openapi({ example, description: "the borrower's local date" });
const reasonText = text(500);

export const CollectionTaskListQuerySchema = z.strictObject({
  status: z.enum(['open', 'done', 'cancelled', 'expired']).optional(),
  loanId: IdSchema.optional(),
  callable: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: "true: only open tasks inside the borrower's contact window now" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: CursorSchema.optional(),
});

export const CollectionTaskSchema = z
  .object({
    id: z.string(),
    loanId: z.string(),
    bucket: z.string(),
    dpd: z.number().int(),
    timeZone: z.string(),
    notBefore: z.string().openapi({ description: 'the contact window opens (ISO instant)' }),
    notAfter: z.string().openapi({ description: 'the contact window closes; an open task then expires' }),
    status: z.enum(['open', 'done', 'cancelled', 'expired']),
    outcome: z.string().nullable(),
    collectorId: z.string().nullable(),
    note: z.string().nullable(),
    outcomeAt: z.string().nullable(),
    closeReason: z.string().nullable(),
    overdue: z
      .object({
        total: AmountSchema.openapi({
          description: "what the installments due by the borrower's today still owe",
        }),
        principal: AmountSchema,
        interest: AmountSchema,
        fees: AmountSchema.openapi({ description: 'late and service fees booked and unpaid' }),
        penalty: AmountSchema,
        since: z.string().nullable().openapi({
          description: "the oldest due date unpaid, in the borrower's calendar; null when none",
        }),
      })
      .nullable()
      .openapi({
        description:
          "the loan's arrears from its read model, all zero once it is out of service; null when the read model has no view of it",
      }),
  })
  .openapi('CollectionTask');

export const PromiseToPaySchema = z
  .strictObject({ date: localDate('2026-12-05'), amount: MoneySchema })
  .openapi('PromiseToPay');

export const TaskOutcomeSchema = z
  .strictObject({
    outcome: z.enum(['reached', 'no_answer', 'wrong_number', 'refused', 'promise_to_pay']),
    note: reasonText
      // Notes are stored beside the task: no phone, ID or card numbers in them.
      .refine((n) => !/\d[\d\s-]{8,}\d/.test(n), 'must not contain phone, ID or card numbers')
      .optional(),
    promise: PromiseToPaySchema.optional(),
  })
  .refine((o) => (o.outcome === 'promise_to_pay') === (o.promise !== undefined), {
    message: 'is required with the outcome promise_to_pay, and only with it',
    path: ['promise'],
  })
  .openapi('TaskOutcome');

export const PromiseViewSchema = z
  .object({
    id: z.string(),
    date: z.string(),
    amount: MoneySchema,
    status: z.enum(['open', 'kept', 'broken']),
    recordedBy: z.string(),
    recordedAt: z.string(),
    receivedAtPromise: z.number().int(),
    resolvedOn: z.string().optional(),
  })
  .openapi('PromiseView');

export const ExtensionSchema = z
  .strictObject({
    days: z.number().int().min(1).max(365).openapi({ description: 'days every unpaid due date moves' }),
  })
  .openapi('Extension');

export const SettlementOfferRequestSchema = z
  .strictObject({ amount: MoneySchema, payBy: localDate('2026-12-20'), reason: reasonText })
  .openapi('SettlementOfferRequest');

export const SettlementDecisionSchema = z
  .strictObject({ decision: z.enum(['approve', 'decline']), reason: reasonText })
  .openapi('SettlementDecision');

export const SettlementOfferViewSchema = z
  .object({
    id: z.string(),
    amount: MoneySchema,
    payBy: z.string(),
    waived: z.number().int().openapi({ description: 'minor units waived if paid in time' }),
    status: z.enum(['pending_approval', 'approved', 'declined', 'paid', 'lapsed']),
    reviewersRequired: z.number().int(),
    approvals: z.array(z.string()),
    proposedBy: z.string(),
    reason: z.string(),
    decisions: z.array(
      z.object({
        reviewerId: z.string(),
        decision: z.enum(['approve', 'decline']),
        reason: z.string(),
        at: z.string(),
      }),
    ),
  })
  .openapi('SettlementOffer');

// Portfolio health from the daily snapshots.

export const PortfolioMetricsQuerySchema = z.strictObject({
  date: BusinessDateSchema.optional().openapi({
    example: '2026-10-31',
    description: 'business date of the snapshot; the latest by default',
  }),
  productCode: z
    .string()
    .regex(/^[a-z0-9-]{1,64}$/, 'is not a product code')
    .optional()
    .openapi({ example: 'cash-installment' }),
  lagMonths: z.coerce
    .number()
    .int()
    .min(1)
    .max(36)
    .default(1)
    .openapi({ description: 'months back to the snapshot that lagged rates and roll rates compare with' }),
  currency: z
    .enum(CURRENCIES as [string, ...string[]])
    .optional()
    .openapi({ description: 'needed only when the snapshot holds more than one currency' }),
});

const RateSchema = z.string().nullable().openapi({
  description:
    'decimal string, 6 places; null when the denominator is zero or the earlier snapshot is missing',
  example: '0.100000',
});

const DelinquencyRatesSchema = z.object({
  date: z.string().nullable().openapi({ description: 'the snapshot whose receivables are the denominator' }),
  receivables: AmountSchema.nullable(),
  buckets: z.array(
    z.object({
      bucket: z.string(),
      balance: AmountSchema,
      rate: RateSchema,
      cumulativeBalance: AmountSchema.openapi({ description: 'this bucket and every later one' }),
      cumulativeRate: RateSchema,
    }),
  ),
  delinquent: z
    .object({ balance: AmountSchema, rate: RateSchema })
    .openapi({ description: 'every bucket after the first (M1+)' }),
});

export const PortfolioMetricsSchema = z
  .object({
    date: z.string(),
    lagDate: z.string().nullable().openapi({ description: 'the earlier snapshot, null when there is none' }),
    productCode: z.string().nullable(),
    currency: z.string(),
    loans: z.number().int(),
    receivables: AmountSchema.openapi({ description: 'outstanding principal on the books' }),
    buckets: z.array(
      z.object({
        bucket: z.string(),
        loans: z.number().int(),
        outstanding: AmountSchema.openapi({ description: 'principal, interest, fees and penalty' }),
        outstandingPrincipal: AmountSchema,
        share: RateSchema,
      }),
    ),
    writtenOff: z.object({
      loans: z.number().int(),
      outstanding: AmountSchema,
      outstandingPrincipal: AmountSchema,
    }),
    delinquency: z.object({ coincidental: DelinquencyRatesSchema, lagged: DelinquencyRatesSchema }),
    rollRateBasis: z.enum(['loans', 'cohorts']).nullable().openapi({
      description:
        'loans: each loan followed from the earlier snapshot; cohorts: net flow per product and vintage, for snapshots taken before loan positions were kept',
    }),
    rollRates: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        fromBalance: AmountSchema.nullable(),
        rolledBalance: AmountSchema.nullable(),
        rate: RateSchema,
      }),
    ),
    vintages: z.array(
      z.object({
        vintage: z.string(),
        monthsOnBook: z.number().int().openapi({
          description: "calendar months from the vintage's disbursement month to the snapshot's (0 in it)",
        }),
        loans: z.number().int(),
        disbursed: AmountSchema.nullable(),
        outstanding: AmountSchema,
        delinquent: AmountSchema,
        delinquentRate: RateSchema,
        disbursedRate: RateSchema,
        writtenOff: AmountSchema,
      }),
    ),
  })
  .openapi('PortfolioMetrics');

/** The longest span the cash-flow series answers: a year of days, a leap year's included. */
export const CASHFLOW_MAX_DAYS = 366;

export const PortfolioCashflowsQuerySchema = z.strictObject({
  from: BusinessDateSchema.optional().openapi({
    example: '2026-11-01',
    description: 'first business day; 29 days before `to` by default',
  }),
  to: BusinessDateSchema.optional().openapi({
    example: '2026-11-30',
    description: 'last business day; today on the business calendar (Asia/Shanghai) by default',
  }),
  productCode: productCodeFilter(),
});

const CashflowDaySchema = z.object({
  date: z.string().openapi({ description: "the entries' effective date: the borrower's business day" }),
  disbursed: AmountSchema.openapi({ description: 'principal lent: loans paid out that day' }),
  paidOut: AmountSchema.openapi({ description: 'cash sent to borrowers: principal less deducted fees' }),
  loans: z.number().int().openapi({ description: 'disbursements' }),
  collected: AmountSchema.openapi({
    description: 'cash received from borrowers (repayments and recoveries), less payments reversed that day',
  }),
  payments: z.number().int().openapi({ description: 'payments received' }),
});

export const PortfolioCashflowsSchema = z
  .object({
    from: z.string(),
    to: z.string(),
    productCode: z.string().nullable(),
    series: z
      .array(
        z.object({
          currency: z.string(),
          disbursed: AmountSchema,
          collected: AmountSchema,
          days: z
            .array(CashflowDaySchema)
            .openapi({ description: 'every day from `from` to `to`, in order' }),
        }),
      )
      .openapi({ description: 'one per currency that moved in the range; empty when nothing did' }),
  })
  .openapi('PortfolioCashflows');
