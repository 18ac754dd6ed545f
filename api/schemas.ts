import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { isValidCardNumber, isValidIdNumber, isValidPhone } from '../domain/identity';
import { DAY_COUNTS, type DayCount } from '../domain/daycount';
import { CURRENCIES } from '../domain/money';
import { PRODUCTS } from '../domain/products';
import { METHODS, type Method } from '../domain/schedule';

extendZodWithOpenApi(z);

/** Wire schemas: the single source for validation and for the OpenAPI document. */

export const MoneySchema = z
  .strictObject({
    amount: z
      .number()
      .int()
      .positive()
      .max(Number.MAX_SAFE_INTEGER)
      .openapi({ description: 'integer minor units', example: 500000 }),
    currency: z.enum(CURRENCIES as [string, ...string[]]).openapi({ example: 'CNY' }),
  })
  .openapi('Money');

const knownProduct = (code: string) => PRODUCTS.some((p) => p.code === code);

export const ApplicantSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    idNumber: z
      .string()
      .refine(isValidIdNumber, 'is not a valid GB 11643 ID number (format, birth date or check digit)'),
    phone: z.string().refine(isValidPhone, 'must be 11 digits starting with 1'),
    bankCard: z.string().refine(isValidCardNumber, 'is not a valid card number (Luhn check failed)'),
    deviceId: z.string().min(1).max(128).optional(),
  })
  .openapi('Applicant');

export const CreditLineApplicationSchema = z
  .strictObject({
    customer: ApplicantSchema,
    productCode: z
      .string()
      .refine(knownProduct, 'is not a known product code')
      .openapi({ example: 'cash-installment' }),
    requestedLimit: MoneySchema,
    consents: z.strictObject({
      bureauQuery: z.strictObject({
        version: z.string().min(1).max(40),
        acceptedAt: z.iso.datetime({ offset: true }),
      }),
    }),
  })
  .openapi('CreditLineApplication');
export type CreditLineApplicationBody = z.infer<typeof CreditLineApplicationSchema>;

export const ReasonSchema = z.object({ code: z.string(), message: z.string() }).openapi('Reason');

export const CreditLineSchema = z
  .object({
    id: z.string(),
    status: z.enum(['pending', 'pending_review', 'active', 'declined', 'frozen', 'closed']),
    productCode: z.string(),
    requestedLimit: MoneySchema,
    grade: z.string().nullable(),
    limit: MoneySchema.nullable(),
    available: MoneySchema.nullable(),
    apr: z.string().nullable().openapi({ description: 'annual percentage rate as a decimal string' }),
    reasons: z.array(ReasonSchema),
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
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

export const ReviewDecisionSchema = z
  .strictObject({
    decision: z.enum(['approve', 'decline', 'request_info']),
    reason: z.string().trim().min(1).max(500).optional(),
  })
  .refine((d) => d.decision === 'approve' || !!d.reason, {
    message: 'a reason is required to decline or request information',
    path: ['reason'],
  })
  .openapi('ReviewDecision');

export const ReviewListQuerySchema = z.strictObject({
  status: z.enum(['pending', 'info_requested', 'approved', 'declined', 'expired']).optional(),
  dueBefore: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(200).optional(),
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

export const ApplicantInfoSchema = z
  .strictObject({
    monthlyIncome: MoneySchema.optional(),
    occupation: z.string().trim().min(1).max(100).optional(),
    emergencyContact: z
      .strictObject({
        name: z.string().trim().min(1).max(100),
        phone: z.string().refine(isValidPhone, 'must be 11 digits starting with 1'),
        relation: z.string().trim().min(1).max(40),
      })
      .optional(),
  })
  .refine((i) => Object.keys(i).length > 0, {
    message: 'give at least one of monthlyIncome, occupation, emergencyContact',
  })
  .openapi('ApplicantInfo');

export const LineControlSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500) })
  .openapi('LineControl');
export const LimitChangeSchema = z
  .strictObject({ reason: z.string().trim().min(1).max(500), limit: MoneySchema })
  .openapi('LimitChange');

const FeeDefSchema = z.strictObject({
  amount: z.number().int().nonnegative().optional().openapi({ description: 'fixed, minor units' }),
  rate: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional()
    .openapi({ description: 'decimal string of the base' }),
});

export const QuoteRequestSchema = z
  .strictObject({
    amount: MoneySchema,
    annualRate: z.string().openapi({ example: '0.049', description: 'nominal annual rate, decimal string' }),
    termCount: z.number().int().openapi({ example: 360 }),
    method: z.enum(METHODS as [Method, ...Method[]]),
    startDate: z.iso.date().openapi({ example: '2026-01-15' }),
    dayCount: z.enum(DAY_COUNTS as [DayCount, ...DayCount[]]).optional(),
    period: z.string().optional().openapi({ description: 'ISO-8601 duration, P1M by default' }),
    firstDueDate: z.iso.date().optional(),
    fees: z
      .strictObject({
        origination: FeeDefSchema.extend({ mode: z.enum(['deducted', 'financed']).optional() }).optional(),
        servicePerPeriod: FeeDefSchema.optional(),
        late: FeeDefSchema.optional(),
        extension: FeeDefSchema.optional(),
      })
      .optional(),
    aprCap: z.string().optional().openapi({ example: '0.36' }),
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
    installments: z.array(InstallmentSchema),
    totals: z.record(z.string(), z.number()),
    apr: z.object({ nominal: z.string(), effective: z.string() }),
  })
  .openapi('Quote');

export const DrawdownSchema = z
  .strictObject({
    amount: MoneySchema,
    termMonths: z.number().int().positive().max(360),
    purpose: z.string().trim().min(1).max(200).openapi({ example: 'home renovation' }),
    method: z.enum(METHODS as [Method, ...Method[]]).optional(),
    bankCard: z
      .string()
      .refine(isValidCardNumber, 'is not a valid card number (Luhn check failed)')
      .optional(),
  })
  .openapi('Drawdown');

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

export const LoanListQuerySchema = z.strictObject({
  status: z
    .enum(['disbursing', 'active', 'delinquent', 'closed', 'disbursement_failed', 'written_off'])
    .optional(),
  bucket: z
    .string()
    .regex(/^M\d\+?$/)
    .optional(),
  stage: z.enum(['current', 'early', 'middle', 'late', 'written_off']).optional(),
  creditLineId: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const PayoffQuerySchema = z.strictObject({ date: z.iso.date() });

export const PaymentWebhookSchema = z
  .strictObject({
    eventId: z.string().min(1).max(128),
    type: z.enum(['payment.succeeded', 'payment.reversed']),
    loanId: z.string().min(1).max(64),
    paymentId: z.string().min(1).max(128),
    amount: MoneySchema,
    occurredAt: z.iso.datetime({ offset: true }).optional(),
  })
  .openapi('PaymentWebhook');

// Collection: call tasks, promises to pay, extensions and settlements.

const localDate = (example: string) =>
  z.iso.date().openapi({ example, description: "the borrower's local date" });
const reasonText = z.string().trim().min(1).max(500);

export const CollectionTaskListQuerySchema = z.strictObject({
  status: z.enum(['open', 'done', 'cancelled', 'expired']).optional(),
  loanId: z.string().min(1).max(64).optional(),
  callable: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: "true: only open tasks inside the borrower's contact window now" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
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

export const ExtensionResultSchema = z
  .object({
    extensionId: z.string(),
    days: z.number().int(),
    fee: MoneySchema,
    dueDates: z.array(z.object({ seq: z.number().int(), from: z.string(), to: z.string() })),
    extensionsUsed: z.number().int(),
    status: z.string(),
  })
  .openapi('ExtensionResult');

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
  date: z.iso
    .date()
    .optional()
    .openapi({ example: '2026-10-31', description: 'business date of the snapshot; the latest by default' }),
  productCode: z.string().min(1).max(64).optional().openapi({ example: 'cash-installment' }),
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
const WireMoneySchema = z.object({ amount: z.number().int(), currency: z.string() });

const DelinquencyRatesSchema = z.object({
  date: z.string().nullable().openapi({ description: 'the snapshot whose receivables are the denominator' }),
  receivables: WireMoneySchema.nullable(),
  buckets: z.array(
    z.object({
      bucket: z.string(),
      balance: WireMoneySchema,
      rate: RateSchema,
      cumulativeBalance: WireMoneySchema.openapi({ description: 'this bucket and every later one' }),
      cumulativeRate: RateSchema,
    }),
  ),
  delinquent: z
    .object({ balance: WireMoneySchema, rate: RateSchema })
    .openapi({ description: 'every bucket after the first (M1+)' }),
});

export const PortfolioMetricsSchema = z
  .object({
    date: z.string(),
    lagDate: z.string().nullable().openapi({ description: 'the earlier snapshot, null when there is none' }),
    productCode: z.string().nullable(),
    currency: z.string(),
    loans: z.number().int(),
    receivables: WireMoneySchema.openapi({ description: 'outstanding principal on the books' }),
    buckets: z.array(
      z.object({
        bucket: z.string(),
        loans: z.number().int(),
        outstanding: WireMoneySchema.openapi({ description: 'principal, interest, fees and penalty' }),
        outstandingPrincipal: WireMoneySchema,
        share: RateSchema,
      }),
    ),
    writtenOff: z.object({
      loans: z.number().int(),
      outstanding: WireMoneySchema,
      outstandingPrincipal: WireMoneySchema,
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
        fromBalance: WireMoneySchema.nullable(),
        rolledBalance: WireMoneySchema.nullable(),
        rate: RateSchema,
      }),
    ),
    vintages: z.array(
      z.object({
        vintage: z.string(),
        loans: z.number().int(),
        disbursed: WireMoneySchema.nullable(),
        outstanding: WireMoneySchema,
        delinquent: WireMoneySchema,
        delinquentRate: RateSchema,
        disbursedRate: RateSchema,
        writtenOff: WireMoneySchema,
      }),
    ),
  })
  .openapi('PortfolioMetrics');
