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

export type { Pool } from 'pg';
