import { createHash, randomBytes } from 'node:crypto';
import type { Pool } from 'pg';

export const ROLES = ['client', 'reviewer', 'collector', 'ops', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  id: string;
  role: Role;
  name: string;
}

export const hashApiKey = (key: string): string => createHash('sha256').update(key).digest('hex');

/** API keys: only their SHA-256 is stored, so a database leak does not leak credentials. */
export function apiKeyRepository(pool: Pool) {
  return {
    async create(role: Role, name: string): Promise<{ id: string; key: string }> {
      const id = `key_${randomBytes(8).toString('hex')}`;
      const key = `lf_${role}_${randomBytes(24).toString('base64url')}`;
      await pool.query('insert into api_keys (id, key_hash, role, name) values ($1, $2, $3, $4)', [
        id,
        hashApiKey(key),
        role,
        name,
      ]);
      return { id, key };
    },

    async findActive(key: string): Promise<Actor | undefined> {
      const res = await pool.query<Actor>(
        'select id, role, name from api_keys where key_hash = $1 and revoked_at is null',
        [hashApiKey(key)],
      );
      return res.rows[0];
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof apiKeyRepository>;
