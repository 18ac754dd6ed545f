import { ApplicationFailure } from '@temporalio/common';
import { providerFailure } from './provider-errors';

import { DATABASE_CONSTRAINT_ERROR, DATABASE_DATA_ERROR } from '../contracts/failures';

/**
 * Integrity violations a retry can mend are left retryable: a unique or exclusion violation is a
 * concurrent writer of the same row (the retry's `on conflict` or read sees the winner), a foreign
 * key or restrict violation a parent written or removed by another activity still in flight.
 */
const HOPELESS_INTEGRITY = new Set(['23502', '23514']);

const CONDITIONS: Record<string, string> = {
  '22001': 'string_data_right_truncation',
  '22003': 'numeric_value_out_of_range',
  '22004': 'null_value_not_allowed',
  '22007': 'invalid_datetime_format',
  '22008': 'datetime_field_overflow',
  '22012': 'division_by_zero',
  '22021': 'character_not_in_repertoire',
  '22023': 'invalid_parameter_value',
  '22P02': 'invalid_text_representation',
  '22P05': 'untranslatable_character',
  '23502': 'not_null_violation',
  '23514': 'check_violation',
};

interface PgError {
  code: string;
  table?: string;
  column?: string;
  constraint?: string;
}

/** Duck-typed: pg's DatabaseError may come from another realm (jest), and a Node system error has a code too. */
function pgErrorOf(err: unknown): PgError | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as Record<string, unknown>;
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code) || typeof e.severity !== 'string')
    return undefined;
  const name = (k: string) => (typeof e[k] === 'string' ? (e[k] as string) : undefined);
  return { code: e.code, table: name('table'), column: name('column'), constraint: name('constraint') };
}

/**
 * The failure for a database error no retry can mend, or undefined. Its message and details name
 * the SQLSTATE and the schema objects only: PostgreSQL's own message may quote the value (a
 * customer's name), so neither it nor the error itself goes into the failure.
 */
export function databaseFailure(activity: string, err: unknown): ApplicationFailure | undefined {
  const pg = pgErrorOf(err);
  if (!pg) return undefined;
  const data = pg.code.startsWith('22');
  if (!data && !HOPELESS_INTEGRITY.has(pg.code)) return undefined;
  const condition = CONDITIONS[pg.code] ?? (data ? 'data_exception' : 'integrity_constraint_violation');
  const where = [pg.table, pg.column, pg.constraint].filter(Boolean).join(' ');
  return ApplicationFailure.create({
    type: data ? DATABASE_DATA_ERROR : DATABASE_CONSTRAINT_ERROR,
    message: `${activity}: PostgreSQL refused the input (SQLSTATE ${pg.code} ${condition}${where ? ` on ${where}` : ''}); a retry cannot succeed`,
    nonRetryable: true,
    details: [
      {
        code: data ? 'UNSTORABLE_INPUT' : 'CONSTRAINT_VIOLATED',
        sqlstate: pg.code,
        condition,
        ...(pg.table ? { table: pg.table } : {}),
        ...(pg.column ? { column: pg.column } : {}),
        ...(pg.constraint ? { constraint: pg.constraint } : {}),
      },
    ],
  });
}

type Activity = (...args: never[]) => Promise<unknown>;

/**
 * Every activity of a set, failing without retry on an error that can never succeed: a provider's
 * definite refusal, or a value or row PostgreSQL refuses. Anything else (a connection refused, a
 * timeout, a serialization failure) is thrown as it is and retried by the caller's policy.
 */
export function failFastWhenHopeless<A extends Record<string, Activity>>(activities: A): A {
  const wrapped = Object.entries(activities).map(([name, fn]) => [
    name,
    async (...args: never[]) => {
      try {
        return await fn(...args);
      } catch (err) {
        throw providerFailure(err) ?? databaseFailure(name, err) ?? err;
      }
    },
  ]);
  return Object.fromEntries(wrapped) as A;
}
