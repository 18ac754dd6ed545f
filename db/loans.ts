import type { Pool, PoolClient } from 'pg';
import { decodeCursor, encodeCursor, inTransaction } from './paging';
import { camelRow } from './rows';
import type { InstallmentView, LoanStatus, LoanView } from '../contracts/loan';

export interface LoanRow {
  id: string;
  creditLineId: string;
  customerId: string;
  productCode: string;
  status: LoanStatus;
  currency: string;
  principal: number;
  outstanding: number;
  creditBalance: number;
  nextDueDate: string | null;
  nextDueAmount: number | null;
  dpd: number;
  bucket: string;
  stage: string;
  createdAt: string;
  updatedAt: string;
}

export interface LoanListQuery {
  status?: LoanStatus;
  bucket?: string;
  stage?: string;
  productCode?: string;
  creditLineId?: string;
  /** Opaque cursor from a previous page's `next`. */
  after?: string;
  limit: number;
}

export interface LoanPage {
  items: LoanRow[];
  /** Cursor of the next page; null on the last one. */
  next: string | null;
}

const COLUMNS = `id, credit_line_id, customer_id, product_code, status, currency, principal, outstanding, credit_balance,
  to_char(next_due_date, 'YYYY-MM-DD') as next_due_date, next_due_amount, dpd, bucket, stage, created_at, updated_at,
  (extract(epoch from created_at) * 1000000)::bigint as created_us`;

/**
 * Saves the loan's view and schedule on a client inside the caller's transaction; a view older than
 * the saved one (a retried save after a later one) changes nothing.
 */
export async function saveLoanOn(client: PoolClient, view: LoanView): Promise<'saved' | 'stale'> {
  const res = await client.query(
    `insert into loans (id, credit_line_id, customer_id, product_code, status, currency, principal, outstanding,
         credit_balance, next_due_date, next_due_amount, dpd, bucket, version, stage, view)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       on conflict (id) do update set status = excluded.status, outstanding = excluded.outstanding,
         credit_balance = excluded.credit_balance, next_due_date = excluded.next_due_date,
         next_due_amount = excluded.next_due_amount, dpd = excluded.dpd, bucket = excluded.bucket,
         stage = excluded.stage, version = excluded.version, view = excluded.view, updated_at = now()
       where loans.version < excluded.version
       returning id`,
    [
      view.id,
      view.creditLineId,
      view.customerId,
      view.productCode,
      view.status,
      view.principal.currency,
      view.principal.amount,
      view.outstanding.amount,
      view.creditBalance.amount,
      view.nextDue?.dueDate ?? null,
      view.nextDue?.amount ?? null,
      view.dpd,
      view.bucket,
      view.version,
      view.stage,
      JSON.stringify(view),
    ],
  );
  if (res.rowCount === 0) return 'stale';
  await writeSchedule(client, view.id, view.installments);
  return 'saved';
}

/**
 * Read model of loans. Writes come from the loan workflow through an activity: idempotent, and a write
 * carrying an older version than the row changes nothing, so retries and races cannot go backwards.
 */
export function loanRepository(pool: Pool) {
  return {
    async save(view: LoanView): Promise<'saved' | 'stale'> {
      return inTransaction(pool, (client) => saveLoanOn(client, view));
    },

    /** Replaces the schedule: a reduce-term prepayment drops installments, so stale rows go. */
    async saveSchedule(loanId: string, installments: readonly InstallmentView[]): Promise<void> {
      await inTransaction(pool, (client) => writeSchedule(client, loanId, installments));
    },

    async find(id: string): Promise<LoanRow | undefined> {
      const res = await pool.query(`select ${COLUMNS} from loans where id = $1`, [id]);
      return res.rows[0] ? toRow(res.rows[0]) : undefined;
    },

    /**
     * The loan as its workflow last saved it, with the owner of its line when the line's row names
     * one; undefined when there is no row or it predates saved views (read those from the workflow).
     */
    async findView(id: string): Promise<{ view: LoanView; lineOwner: string | null } | undefined> {
      const res = await pool.query<{ view: LoanView | null; submitted_by: string | null }>(
        `select l.view, c.submitted_by from loans l left join credit_lines c on c.id = l.credit_line_id
         where l.id = $1`,
        [id],
      );
      const r = res.rows[0];
      return r?.view ? { view: r.view, lineOwner: r.submitted_by } : undefined;
    },

    async schedule(loanId: string): Promise<InstallmentView[]> {
      const res = await pool.query(
        `select seq, to_char(due_date, 'YYYY-MM-DD') as due_date, principal, interest, fees, total, paid, balance_after, status
         from loan_installments where loan_id = $1 order by seq`,
        [loanId],
      );
      return res.rows.map((r) => ({
        seq: r.seq,
        dueDate: r.due_date,
        principal: r.principal,
        interest: r.interest,
        fees: r.fees,
        total: r.total,
        paid: r.paid,
        balanceAfter: r.balance_after,
        status: r.status,
      }));
    },

    /** Newest first, keyset-paginated on (created_at, id) so pages stay stable while loans are added. */
    async list(q: LoanListQuery): Promise<LoanPage> {
      const where: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown) => {
        args.push(v);
        return `$${args.length}`;
      };
      if (q.status) where.push(`status = ${arg(q.status)}`);
      if (q.bucket) where.push(`bucket = ${arg(q.bucket)}`);
      if (q.stage) where.push(`stage = ${arg(q.stage)}`);
      if (q.productCode) where.push(`product_code = ${arg(q.productCode)}`);
      if (q.creditLineId) where.push(`credit_line_id = ${arg(q.creditLineId)}`);
      if (q.after) {
        const c = decodeCursor(q.after, 'after');
        where.push(
          `(created_at, id) < (timestamptz 'epoch' + ${arg(c.keyUs)}::bigint * interval '1 microsecond', ${arg(c.id)})`,
        );
      }
      const limit = Math.max(1, Math.min(200, Math.trunc(q.limit)));
      const res = await pool.query(
        `select ${COLUMNS} from loans ${where.length ? `where ${where.join(' and ')}` : ''}
         order by created_at desc, id desc limit ${arg(limit + 1)}`,
        args,
      );
      const rows = res.rows.slice(0, limit);
      const last = rows[rows.length - 1];
      return {
        items: rows.map(toRow),
        next: res.rows.length > limit && last ? encodeCursor(Number(last.created_us), last.id) : null,
      };
    },
  };
}

export type LoanRepository = ReturnType<typeof loanRepository>;

async function writeSchedule(
  client: PoolClient,
  loanId: string,
  installments: readonly InstallmentView[],
): Promise<void> {
  await client.query('delete from loan_installments where loan_id = $1 and not (seq = any($2::int[]))', [
    loanId,
    installments.map((i) => i.seq),
  ]);
  if (installments.length === 0) return;
  const col = <K extends keyof InstallmentView>(k: K) => installments.map((i) => i[k]);
  await client.query(
    `insert into loan_installments (loan_id, seq, due_date, principal, interest, fees, total, paid, balance_after, status)
     select $1, unnest($2::int[]), unnest($3::date[]), unnest($4::bigint[]), unnest($5::bigint[]), unnest($6::bigint[]),
       unnest($7::bigint[]), unnest($8::bigint[]), unnest($9::bigint[]), unnest($10::text[])
     on conflict (loan_id, seq) do update set due_date = excluded.due_date, principal = excluded.principal,
       interest = excluded.interest, fees = excluded.fees, total = excluded.total, paid = excluded.paid,
       balance_after = excluded.balance_after, status = excluded.status
     -- Most saves change one installment or none: rows left as they are cost no write.
     where (loan_installments.due_date, loan_installments.principal, loan_installments.interest,
       loan_installments.fees, loan_installments.total, loan_installments.paid, loan_installments.balance_after,
       loan_installments.status) is distinct from (excluded.due_date, excluded.principal, excluded.interest,
       excluded.fees, excluded.total, excluded.paid, excluded.balance_after, excluded.status)`,
    [
      loanId,
      col('seq'),
      col('dueDate'),
      col('principal'),
      col('interest'),
      col('fees'),
      col('total'),
      col('paid'),
      col('balanceAfter'),
      col('status'),
    ],
  );
}

const toRow = (r: Record<string, unknown>): LoanRow => camelRow<LoanRow>(r, ['created_us']);
