import type { Pool } from 'pg';
import type { CreditLineView } from '../contracts/credit-line';

export interface NewCreditLineRow {
  id: string;
  customerId: string;
  productCode: string;
  currency: string;
  requestedLimit: number;
  bureauConsent: { version: string; acceptedAt: string };
}

/** Read model of credit lines. Writes are idempotent so activity retries change nothing twice. */
export function creditLineRepository(pool: Pool) {
  return {
    async insertApplication(row: NewCreditLineRow): Promise<void> {
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(
          `insert into credit_lines (id, customer_id, product_code, status, currency, requested_limit)
           values ($1, $2, $3, 'pending', $4, $5) on conflict (id) do nothing`,
          [row.id, row.customerId, row.productCode, row.currency, row.requestedLimit],
        );
        await client.query(
          `insert into consents (credit_line_id, kind, version, accepted_at)
           values ($1, 'bureau_query', $2, $3) on conflict do nothing`,
          [row.id, row.bureauConsent.version, row.bureauConsent.acceptedAt],
        );
        await client.query('commit');
      } catch (err) {
        await client.query('rollback');
        throw err;
      } finally {
        client.release();
      }
    },

    async saveState(view: CreditLineView): Promise<void> {
      await pool.query(
        `update credit_lines set status = $2, limit_amount = $3, available_amount = $4, grade = $5, apr = $6,
           reasons = $7, submitted_by = coalesce(submitted_by, $8), updated_at = now()
         where id = $1`,
        [
          view.id,
          view.status,
          view.limit?.amount ?? null,
          view.available?.amount ?? null,
          view.grade,
          view.apr,
          JSON.stringify(view.reasons),
          view.submittedBy ?? null,
        ],
      );
    },

    /** Who applied for the line: undefined without a row, null when its row predates keeping it. */
    async ownerOf(id: string): Promise<string | null | undefined> {
      const res = await pool.query<{ submitted_by: string | null }>(
        'select submitted_by from credit_lines where id = $1',
        [id],
      );
      return res.rows[0] ? res.rows[0].submitted_by : undefined;
    },

    async findById(id: string): Promise<{ id: string; status: string } | undefined> {
      const res = await pool.query<{ id: string; status: string }>(
        'select id, status from credit_lines where id = $1',
        [id],
      );
      return res.rows[0];
    },
  };
}

export type CreditLineRepository = ReturnType<typeof creditLineRepository>;
