import type { Pool } from 'pg';

export interface StoredRequest {
  requestHash: string;
  statusCode: number | null;
  responseBody: unknown;
}

/** Idempotency records of API requests: the first response is stored and replayed for the same key. */
export function idempotencyRepository(pool: Pool) {
  return {
    /** Claims the key; answers the earlier record instead when the key was already used. */
    async claim(rec: {
      actor: string;
      key: string;
      method: string;
      path: string;
      requestHash: string;
    }): Promise<{ claimed: true } | { claimed: false; existing: StoredRequest }> {
      const inserted = await pool.query(
        `insert into idempotency_keys (actor, key, method, path, request_hash) values ($1, $2, $3, $4, $5)
         on conflict (actor, key) do nothing`,
        [rec.actor, rec.key, rec.method, rec.path, rec.requestHash],
      );
      if (inserted.rowCount === 1) return { claimed: true };
      const found = await pool.query<{
        request_hash: string;
        status_code: number | null;
        response_body: unknown;
      }>(
        'select request_hash, status_code, response_body from idempotency_keys where actor = $1 and key = $2',
        [rec.actor, rec.key],
      );
      const row = found.rows[0];
      if (!row) return this.claim(rec); // released between the two statements; try again
      return {
        claimed: false,
        existing: {
          requestHash: row.request_hash,
          statusCode: row.status_code,
          responseBody: row.response_body,
        },
      };
    },

    async complete(actor: string, key: string, statusCode: number, body: unknown): Promise<void> {
      await pool.query(
        `update idempotency_keys set status_code = $3, response_body = $4, completed_at = now()
         where actor = $1 and key = $2`,
        [actor, key, statusCode, JSON.stringify(body)],
      );
    },

    /** A request that failed on our side frees its key so the client's retry can run again. */
    async release(actor: string, key: string): Promise<void> {
      await pool.query('delete from idempotency_keys where actor = $1 and key = $2 and status_code is null', [
        actor,
        key,
      ]);
    },
  };
}

export type IdempotencyRepository = ReturnType<typeof idempotencyRepository>;
