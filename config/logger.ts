import { ApplicationFailure } from '@temporalio/common';
import pino, { type Logger } from 'pino';
import { scrubPii } from '../codec/failure-converter';

/**
 * PII never reaches the logs. Keys that only ever hold PII are redacted at any depth; `name` only
 * under the objects that describe a person (an applicant, a customer, an emergency contact), because
 * elsewhere it is an error's or a product's name, which operators need.
 */
const PII_KEYS = ['idNumber', 'phone', 'bankCard', 'card', 'repaymentCard', 'deviceId'];
const PEOPLE = ['customer', 'applicant', 'emergencyContact'];
const depths = (path: string) => [0, 1, 2, 3, 4].map((d) => [...Array<string>(d).fill('*'), path].join('.'));
export const REDACT_PATHS = [
  ...PII_KEYS.flatMap(depths),
  ...PEOPLE.flatMap((p) => depths(`${p}.name`)),
  'req.headers.authorization',
  'req.headers.cookie',
  'apiKey',
  '*.apiKey',
];

/** A failed query carries only its message to the client, and the worker's converter encrypts it. */
const ENCODED = 'Encoded failure';

interface SerializedError {
  type: string;
  message: string;
  failureType?: string;
  nonRetryable?: boolean;
  /** The refusal's field and code, when a workflow rule refused (never the other details: they may be PII). */
  field?: string;
  code?: string | number;
  hint?: string;
  stack?: string;
  cause?: SerializedError;
}

/**
 * Errors as operators need them: the class, the Temporal failure type and the whole cause chain,
 * each with its message (decoded by the client's failure converter) cleared of ID, card and
 * phone numbers, which failure messages sometimes quote.
 */
export function serializeError(err: unknown, depth = 0): SerializedError {
  if (!(err instanceof Error)) return { type: typeof err, message: scrubPii(String(err)) };
  const out: SerializedError = { type: err.constructor?.name || err.name, message: scrubPii(err.message) };
  if (err instanceof ApplicationFailure) {
    if (err.type) out.failureType = err.type;
    out.nonRetryable = err.nonRetryable ?? false;
    const first = err.details?.[0] as { field?: unknown; code?: unknown } | undefined;
    if (typeof first?.field === 'string') out.field = first.field;
    if (typeof first?.code === 'string') out.code = first.code;
  } else {
    const { code } = err as { code?: unknown };
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
  }
  if (err.message === ENCODED)
    out.hint = 'a query handler failed with an error other than a rule refusal: its message stays encrypted';
  if (err.stack) out.stack = scrubPii(err.stack);
  if (err.cause !== undefined && depth < 8) out.cause = serializeError(err.cause, depth + 1);
  return out;
}

export const serializers = { err: serializeError, error: serializeError };

export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      serializers,
      base: { service: 'loanflow' },
    },
    destination,
  );
}

export type { Logger } from 'pino';
