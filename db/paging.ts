import type { Pool, PoolClient } from 'pg';
import { DomainError } from '../domain/errors';

/** Runs `fn` in one transaction on one connection: all of it commits, or none of it. */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const out = await fn(client);
    await client.query('commit');
    return out;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Keyset cursors: the sort key (a timestamp in microseconds since the epoch) and the row id of the
 * last row of a page, opaque to clients so they cannot craft one into another listing's order.
 */
export function encodeCursor(keyUs: number | string, id: string): string {
  return Buffer.from(`${keyUs}:${id}`).toString('base64url');
}

const CURSOR = /^(\d{1,17}):([a-z]{2,4}_[A-Za-z0-9_-]{1,120})$/;

function parse(cursor: string): { keyUs: string; id: string } | undefined {
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const m = CURSOR.exec(Buffer.from(cursor, 'base64url').toString());
  return m ? { keyUs: m[1]!, id: m[2]! } : undefined;
}

/** Whether `cursor` has the shape encodeCursor gives: what the API checks before any query runs. */
export const isCursor = (cursor: string): boolean => parse(cursor) !== undefined;

/** A cursor this listing did not return is a bad request naming the query field it came in. */
export function decodeCursor(cursor: string, field: string): { keyUs: string; id: string } {
  const c = parse(cursor);
  if (!c) throw new DomainError(field, `${field} is not a cursor this listing returned`, 'invalid_cursor');
  return c;
}
