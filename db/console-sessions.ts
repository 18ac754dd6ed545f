import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { type Actor, hashApiKey } from './api-keys';

export interface ConsoleSession {
  actor: Actor;
  csrfToken: string;
  expiresAt: string;
}

/** Console sign-ins; a session ends at its expiry, on sign-out, or when its API key is revoked. */
export function consoleSessionRepository(pool: Pool) {
  return {
    async open(apiKeyId: string, ttlMs: number): Promise<{ token: string } & Omit<ConsoleSession, 'actor'>> {
      const token = randomBytes(32).toString('base64url');
      const csrfToken = randomBytes(24).toString('base64url');
      const res = await pool.query<{ expiresAt: Date }>(
        `insert into console_sessions (token_hash, api_key_id, csrf_token, expires_at)
         values ($1, $2, $3, now() + make_interval(secs => $4)) returning expires_at as "expiresAt"`,
        [hashApiKey(token), apiKeyId, csrfToken, ttlMs / 1000],
      );
      return { token, csrfToken, expiresAt: new Date(res.rows[0]!.expiresAt).toISOString() };
    },

    async find(token: string): Promise<ConsoleSession | undefined> {
      const res = await pool.query<{
        id: string;
        role: Actor['role'];
        name: string;
        csrf: string;
        expiresAt: Date;
      }>(
        `select k.id, k.role, k.name, s.csrf_token as csrf, s.expires_at as "expiresAt"
           from console_sessions s join api_keys k on k.id = s.api_key_id
          where s.token_hash = $1 and s.ended_at is null and s.expires_at > now() and k.revoked_at is null`,
        [hashApiKey(token)],
      );
      const row = res.rows[0];
      return (
        row && {
          actor: { id: row.id, role: row.role, name: row.name },
          csrfToken: row.csrf,
          expiresAt: new Date(row.expiresAt).toISOString(),
        }
      );
    },

    async end(token: string): Promise<void> {
      await pool.query(
        'update console_sessions set ended_at = now() where token_hash = $1 and ended_at is null',
        [hashApiKey(token)],
      );
    },
  };
}

export type ConsoleSessionRepository = ReturnType<typeof consoleSessionRepository>;
