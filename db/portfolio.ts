import type { Pool } from 'pg';

export type SnapshotState = 'open' | 'closed' | 'written_off';

/** One row of `portfolio_snapshots`: the loans of a product, bucket, vintage, currency and state on a date. */
export interface SnapshotRow {
  productCode: string;
  bucket: string;
  /** 'YYYY-MM' of disbursement. */
  vintage: string;
  currency: string;
  state: SnapshotState;
  loans: number;
  /** Minor units: everything owed (principal, interest, fees, penalty) per the read model. */
  outstanding: number;
  /** Minor units, from the ledger: what delinquency rates are measured on. */
  outstandingPrincipal: number;
  disbursedPrincipal: number;
}

/** One loan's row of `portfolio_loan_positions`: where it stood on a snapshot date. */
export interface LoanPositionRow {
  loanId: string;
  productCode: string;
  bucket: string;
  /** 'YYYY-MM' of disbursement. */
  vintage: string;
  currency: string;
  state: Exclude<SnapshotState, 'closed'>;
  /** Minor units, from the ledger. */
  outstandingPrincipal: number;
}

/** The journal's money movements of one business day in one currency, minor units. */
export interface CashflowRow {
  date: string;
  currency: string;
  /** Principal booked by disbursements. */
  disbursed: number;
  /** Cash paid out by them (principal less deducted fees). */
  paidOut: number;
  loans: number;
  /** Cash received from borrowers net of reversals. */
  collected: number;
  payments: number;
}

/*
 * Read from the journal (domain/ledger.ts postings): a disbursement debits loan_principal_receivable
 * and credits cash_clearing with what went out; a repayment or a recovery debits cash_clearing with
 * what came in, and a reversal mirrors its payment. Refunds of credit are neither.
 */
const CASHFLOWS = `select to_char(e.effective_date, 'YYYY-MM-DD') as date, e.currency,
    coalesce(sum(l.debit) filter (where e.kind = 'disbursement' and l.account = 'loan_principal_receivable'), 0)::bigint
      as disbursed,
    coalesce(sum(l.credit) filter (where e.kind = 'disbursement' and l.account = 'cash_clearing'), 0)::bigint
      as paid_out,
    count(distinct e.id) filter (where e.kind = 'disbursement')::int as loans,
    coalesce(sum(l.debit - l.credit) filter (where e.kind <> 'disbursement' and l.account = 'cash_clearing'), 0)::bigint
      as collected,
    count(distinct e.id) filter (where e.kind in ('repayment', 'recovery') and l.account = 'cash_clearing')::int
      as payments
  from journal_entries e join journal_lines l on l.entry_id = e.id
  where e.effective_date between $1::date and $2::date
    and e.kind in ('disbursement', 'repayment', 'recovery', 'reversal:repayment', 'reversal:recovery')
    and l.account in ('loan_principal_receivable', 'cash_clearing')
    and ($3::text is null or e.loan_id in (select id from loans where product_code = $3))
  group by e.effective_date, e.currency
  order by e.currency, e.effective_date`;

/** The columns both snapshot tables key a row by: a loan's position sits in the same cell as its totals. */
function cellOf(
  r: Record<string, unknown>,
): Pick<SnapshotRow, 'productCode' | 'bucket' | 'vintage' | 'currency'> {
  return {
    productCode: r.product_code as string,
    bucket: r.bucket as string,
    vintage: r.vintage as string,
    currency: r.currency as string,
  };
}

/** Read-only access to the daily portfolio snapshots (written by db/operations.ts `snapshotPortfolio`). */
export function portfolioRepository(pool: Pool) {
  return {
    /** The latest business date with snapshot rows (of the product, when given), or null. */
    async latestDate(productCode?: string): Promise<string | null> {
      const res = await pool.query<{ date: string | null }>(
        `select to_char(max(business_date), 'YYYY-MM-DD') as date from portfolio_snapshots
         where ($1::text is null or product_code = $1)`,
        [productCode ?? null],
      );
      return res.rows[0]?.date ?? null;
    },

    /** Every row of the date's snapshot (of the product, when given), in a stable order. */
    async rows(date: string, productCode?: string): Promise<SnapshotRow[]> {
      const res = await pool.query(
        `select product_code, bucket, vintage, currency, state, loans, outstanding, outstanding_principal,
           disbursed_principal
         from portfolio_snapshots
         where business_date = $1::date and ($2::text is null or product_code = $2)
         order by product_code, vintage, bucket, currency, state`,
        [date, productCode ?? null],
      );
      return res.rows.map((r) => ({
        ...cellOf(r),
        state: r.state as SnapshotState,
        loans: r.loans as number,
        outstanding: r.outstanding as number,
        outstandingPrincipal: r.outstanding_principal as number,
        disbursedPrincipal: r.disbursed_principal as number,
      }));
    },

    /** Each loan's position on the date (of the product, when given); none for snapshots taken before positions were kept. */
    async loanPositions(date: string, productCode?: string): Promise<LoanPositionRow[]> {
      const res = await pool.query(
        `select loan_id, product_code, bucket, vintage, currency, state, outstanding_principal
         from portfolio_loan_positions
         where business_date = $1::date and ($2::text is null or product_code = $2)
         order by loan_id`,
        [date, productCode ?? null],
      );
      return res.rows.map((r) => ({
        loanId: r.loan_id as string,
        ...cellOf(r),
        state: r.state as LoanPositionRow['state'],
        outstandingPrincipal: r.outstanding_principal as number,
      }));
    },

    /** Each business day from `from` to `to` that money moved on (of the product's loans, when given). */
    async cashflows(from: string, to: string, productCode?: string): Promise<CashflowRow[]> {
      const res = await pool.query(CASHFLOWS, [from, to, productCode ?? null]);
      return res.rows.map((r) => ({
        date: r.date as string,
        currency: r.currency as string,
        disbursed: Number(r.disbursed),
        paidOut: Number(r.paid_out),
        loans: r.loans as number,
        collected: Number(r.collected),
        payments: r.payments as number,
      }));
    },
  };
}

export type PortfolioRepository = ReturnType<typeof portfolioRepository>;
