import type { Pool } from 'pg';

export interface ReviewRow {
  id: string;
  creditLineId: string;
  status: string;
  reviewersRequired: number;
  approvals: string[];
  proposedLimit: number;
  currency: string;
  grade: string | null;
  escalations: number;
  dueAt: string;
  outcome: unknown;
}

const COLUMNS = `id, credit_line_id as "creditLineId", status, reviewers_required as "reviewersRequired", approvals,
  proposed_limit as "proposedLimit", currency, grade, escalations, due_at as "dueAt", outcome`;

/** The review queue projection; upserts make the writing activity safe to retry. */
export function reviewRepository(pool: Pool) {
  return {
    async save(r: ReviewRow): Promise<void> {
      await pool.query(
        `insert into reviews (id, credit_line_id, status, reviewers_required, approvals, proposed_limit, currency, grade,
           escalations, due_at, outcome)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (id) do update set status = excluded.status, approvals = excluded.approvals,
           escalations = excluded.escalations, due_at = excluded.due_at, outcome = excluded.outcome, updated_at = now()`,
        [
          r.id,
          r.creditLineId,
          r.status,
          r.reviewersRequired,
          JSON.stringify(r.approvals),
          r.proposedLimit,
          r.currency,
          r.grade,
          r.escalations,
          r.dueAt,
          JSON.stringify(r.outcome ?? null),
        ],
      );
    },

    async find(id: string): Promise<ReviewRow | undefined> {
      const res = await pool.query<ReviewRow>(`select ${COLUMNS} from reviews where id = $1`, [id]);
      return res.rows[0] && withIsoDue(res.rows[0]);
    },

    /** Oldest due first, the order a reviewer should work them; keyset pagination on (due_at, id). */
    async list(filter: {
      status?: string;
      dueBefore?: string;
      after?: { dueAt: string; id: string };
      limit: number;
    }): Promise<ReviewRow[]> {
      const where: string[] = [];
      const args: unknown[] = [];
      if (filter.status) where.push(`status = $${args.push(filter.status)}`);
      if (filter.dueBefore) where.push(`due_at < $${args.push(filter.dueBefore)}`);
      if (filter.after)
        where.push(`(due_at, id) > ($${args.push(filter.after.dueAt)}, $${args.push(filter.after.id)})`);
      const sql = `select ${COLUMNS} from reviews ${where.length ? `where ${where.join(' and ')}` : ''}
        order by due_at, id limit $${args.push(filter.limit)}`;
      return (await pool.query<ReviewRow>(sql, args)).rows.map(withIsoDue);
    },
  };
}

const withIsoDue = (r: ReviewRow): ReviewRow => ({ ...r, dueAt: new Date(r.dueAt).toISOString() });

export type ReviewRepository = ReturnType<typeof reviewRepository>;
