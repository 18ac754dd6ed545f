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
        productCode: r.product_code as string,
        bucket: r.bucket as string,
        vintage: r.vintage as string,
        currency: r.currency as string,
        state: r.state as SnapshotState,
        loans: r.loans as number,
        outstanding: r.outstanding as number,
        outstandingPrincipal: r.outstanding_principal as number,
        disbursedPrincipal: r.disbursed_principal as number,
      }));
    },
  };
}

export type PortfolioRepository = ReturnType<typeof portfolioRepository>;
