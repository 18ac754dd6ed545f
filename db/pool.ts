import { Pool, types } from 'pg';

// bigint columns hold minor units well inside Number.MAX_SAFE_INTEGER; read them as numbers.
types.setTypeParser(types.builtins.INT8, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds the safe integer range`);
  return n;
});

/**
 * An idle connection the server drops (a restart, a failover, a dropped test database) is an `error`
 * event on the pool; unheard, it would crash the process. The pool discards that client by itself and
 * the next query opens a new one, so hearing it is enough.
 */
export function createPool(
  connectionString: string,
  onIdleError: (err: Error) => void = (err) =>
    process.emitWarning(`PostgreSQL dropped an idle connection: ${err.message}`),
): Pool {
  const pool = new Pool({ connectionString, max: 10, idleTimeoutMillis: 10_000 });
  pool.on('error', onIdleError);
  return pool;
}

/**
 * The database cannot be reached for a moment (a restart, a failover, too many connections): the
 * request may succeed when retried, unlike a query the database refuses.
 */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '53300',
]);

export function isDatabaseUnavailable(err: unknown): boolean {
  // Not `instanceof Error`: errors from Node's own modules come from another realm under a test runner.
  if (typeof err !== 'object' || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  // SQLSTATE class 08 is a connection exception.
  if (typeof code === 'string' && (UNREACHABLE.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
  // What pg raises, without a code, when the server goes away mid-query or a connect times out.
  return (
    typeof message === 'string' &&
    /^Connection terminated|timeout exceeded when trying to connect/.test(message)
  );
}

export type { Pool } from 'pg';
