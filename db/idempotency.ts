import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * How long a claim holds without being renewed. The holder renews it while its handler runs (an
 * apply waits for the credit decision, a bureau retry can take longer than this), so it only has
 * to outlast a renewal gap; a killed process's claim frees up this long after its last renewal.
 */
export const LEASE_SECONDS = 30;

export interface StoredResponse {
  status: number;
  /** The bytes that were sent; rows stored before they were kept are re-serialised from jsonb. */
  body: Buffer;
  contentType: string;
}

export type StoredRequest =
  | { requestHash: string; state: 'done'; response: StoredResponse }
  | { requestHash: string; state: 'in_progress'; retryAfterSeconds: number };

/** Held by the one request that runs the handler for a key; completes or releases only its own claim. */
export interface Claim {
  actor: string;
  key: string;
  token: string;
}

interface Row {
  request_hash: string;
  status_code: number | null;
  response_body: unknown;
  response_bytes: Buffer | null;
  response_type: string | null;
  retry_after: number;
}

/** Idempotency records of API requests: the first response is stored and replayed for the same key. */
export function idempotencyRepository(pool: Pool, leaseSeconds = LEASE_SECONDS) {
  return {
    leaseSeconds,

    /**
     * Claims the key: a new key, or one whose claim lapsed with no response (its process died) and
     * the same request. One statement, so of two retries racing for a lapsed claim one wins.
     * Otherwise answers the earlier record.
     */
    async claim(rec: {
      actor: string;
      key: string;
      method: string;
      path: string;
      requestHash: string;
    }): Promise<{ claimed: true; claim: Claim } | { claimed: false; existing: StoredRequest }> {
      const token = randomUUID();
      const taken = await pool.query(
        `insert into idempotency_keys (actor, key, method, path, request_hash, lease_until, claim_token)
         values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7)
         on conflict (actor, key) do update
           set lease_until = excluded.lease_until, claim_token = excluded.claim_token
           where idempotency_keys.status_code is null
             and idempotency_keys.request_hash = excluded.request_hash
             -- claims written before leases existed hold for one lease from their creation
             and coalesce(idempotency_keys.lease_until,
                          idempotency_keys.created_at + make_interval(secs => $6)) < now()`,
        [rec.actor, rec.key, rec.method, rec.path, rec.requestHash, leaseSeconds, token],
      );
      if (taken.rowCount === 1) return { claimed: true, claim: { actor: rec.actor, key: rec.key, token } };
      const found = await pool.query<Row>(
        `select request_hash, status_code, response_body, response_bytes, response_type,
                greatest(1, ceil(extract(epoch from coalesce(lease_until,
                  created_at + make_interval(secs => $3)) - now())))::int as retry_after
         from idempotency_keys where actor = $1 and key = $2`,
        [rec.actor, rec.key, leaseSeconds],
      );
      const row = found.rows[0];
      if (!row) return this.claim(rec); // released between the two statements; try again
      return { claimed: false, existing: stored(row) };
    },

    /** Pushes the lease on while the handler runs; false once the claim is no longer this holder's. */
    async renew(claim: Claim): Promise<boolean> {
      const res = await pool.query(
        `update idempotency_keys set lease_until = now() + make_interval(secs => $4)
         where actor = $1 and key = $2 and claim_token = $3 and status_code is null`,
        [claim.actor, claim.key, claim.token, leaseSeconds],
      );
      return res.rowCount === 1;
    },

    async complete(claim: Claim, response: StoredResponse): Promise<void> {
      await pool.query(
        `update idempotency_keys
         set status_code = $4, response_bytes = $5, response_type = $6, response_body = $7,
             completed_at = now(), lease_until = null
         where actor = $1 and key = $2 and claim_token = $3 and status_code is null`,
        [
          claim.actor,
          claim.key,
          claim.token,
          response.status,
          response.body,
          response.contentType,
          jsonOrNull(response),
        ],
      );
    },

    /** A request that failed on our side frees its key so the client's retry can run again. */
    async release(claim: Claim): Promise<void> {
      await pool.query(
        'delete from idempotency_keys where actor = $1 and key = $2 and claim_token = $3 and status_code is null',
        [claim.actor, claim.key, claim.token],
      );
    },
  };
}

function stored(row: Row): StoredRequest {
  if (row.status_code === null)
    return { requestHash: row.request_hash, state: 'in_progress', retryAfterSeconds: row.retry_after };
  const body = row.response_bytes ?? Buffer.from(JSON.stringify(row.response_body ?? null));
  return {
    requestHash: row.request_hash,
    state: 'done',
    response: {
      status: row.status_code,
      body,
      contentType: row.response_type ?? 'application/json; charset=utf-8',
    },
  };
}

/** Kept beside the bytes so the stored answers stay queryable in SQL (and readable by older code). */
function jsonOrNull(response: StoredResponse): string | null {
  if (!/^application\/(.+\+)?json\b/.test(response.contentType)) return null;
  return response.body.toString('utf8');
}

export type IdempotencyRepository = ReturnType<typeof idempotencyRepository>;
