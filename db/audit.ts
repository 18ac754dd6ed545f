import type { Pool } from 'pg';

export interface AuditEntry {
  actor: string;
  role: string;
  action: string;
  subject?: string;
  requestId?: string;
  details?: Record<string, unknown>;
}

/** Append-only audit log: who did what to which subject, and under which request. */
export function auditRepository(pool: Pool) {
  return {
    async record(e: AuditEntry): Promise<void> {
      await pool.query(
        'insert into audit_log (actor, role, action, subject, request_id, details) values ($1, $2, $3, $4, $5, $6)',
        [e.actor, e.role, e.action, e.subject ?? null, e.requestId ?? null, JSON.stringify(e.details ?? {})],
      );
    },
  };
}

export type AuditRepository = ReturnType<typeof auditRepository>;
