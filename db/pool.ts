import { Pool, types } from 'pg';

// bigint columns hold minor units well inside Number.MAX_SAFE_INTEGER; read them as numbers.
types.setTypeParser(types.builtins.INT8, (v) => {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`int8 value ${v} exceeds the safe integer range`);
  return n;
});

export function createPool(connectionString: string): Pool {
  return new Pool({ connectionString, max: 10, idleTimeoutMillis: 10_000 });
}

export type { Pool } from 'pg';
