import type { Pool } from 'pg';
import type { LedgerAccount } from '../domain/ledger';
import { inTransaction } from './paging';

export interface LoanUnderReview {
  id: string;
  status: string;
  currency: string;
  outstanding: number;
  creditBalance: number;
}

/** A journal entry that moved cash, with the net cash it moved (payout positive, collection positive). */
export interface CashEntry {
  sourceEventId: string;
  loanId: string;
  kind: string;
  effectiveDate: string;
  cash: number;
}

export interface ReconciliationBreak {
  loanId: string;
  kind: string;
  expected: unknown;
  actual: unknown;
  detail: string;
}

export interface ReconciliationReport {
  businessDate: string;
  scope: string;
  runId: string;
  loansChecked: number;
  statementItems: number;
  breaks: ReconciliationBreak[];
}

const OPEN = ['disbursing', 'active', 'delinquent'];

const SNAPSHOT_STATE = `case l.status when 'closed' then 'closed' when 'written_off' then 'written_off' else 'open' end`;
const PRINCIPAL_BY_LOAN = `select loan_id, sum(debit) - sum(credit) as principal from journal_lines
  where account = 'loan_principal_receivable' group by loan_id`;

/** Reads for the daily reconciliation and snapshot, and the reports they write. Never writes the books. */
export function operationsRepository(pool: Pool) {
  return {
    /**
     * Loans to check for a date: the named ones, else every open loan and every loan that moved
     * around the date (a loan that closed that day must still prove its last entries).
     */
    async loansToReconcile(date: string, loanIds?: readonly string[]): Promise<LoanUnderReview[]> {
      const res = loanIds
        ? await pool.query(
            `select id, status, currency, outstanding, credit_balance from loans where id = any($1) order by id`,
            [loanIds],
          )
        : await pool.query(
            `select id, status, currency, outstanding, credit_balance from loans
             where status = any($1) or updated_at >= $2::date - 1
               or id in (select loan_id from journal_entries where effective_date between $2::date - 1 and $2::date + 1)
             order by id`,
            [OPEN, date],
          );
      return res.rows.map((r) => ({
        id: r.id,
        status: r.status,
        currency: r.currency,
        outstanding: r.outstanding,
        creditBalance: r.credit_balance,
      }));
    },

    /** Debit minus credit per account for many loans in one round trip. */
    async balances(loanIds: readonly string[]): Promise<Map<string, Partial<Record<LedgerAccount, number>>>> {
      const res = await pool.query<{ loan_id: string; account: LedgerAccount; balance: number }>(
        `select loan_id, account, (sum(debit) - sum(credit))::bigint as balance
         from journal_lines where loan_id = any($1) group by loan_id, account`,
        [loanIds],
      );
      const out = new Map<string, Partial<Record<LedgerAccount, number>>>();
      for (const r of res.rows) out.set(r.loan_id, { ...out.get(r.loan_id), [r.account]: r.balance });
      return out;
    },

    /** Cash entries by source event id (what a bank statement's keys should have booked). */
    async cashEntries(sourceEventIds: readonly string[]): Promise<CashEntry[]> {
      return cash(pool, 'e.source_event_id = any($1)', [sourceEventIds]);
    },

    /** Disbursements, autopay collections and refunds booked on a date: each should be on the bank's statement. */
    async bankCashEntriesOn(date: string, loanIds?: readonly string[]): Promise<CashEntry[]> {
      return cash(
        pool,
        `e.effective_date = $1 and (e.kind in ('disbursement', 'refund') or e.source_event_id like '%:payment:autopay:%')
         and ($2::text[] is null or e.loan_id = any($2))`,
        [date, loanIds ?? null],
      );
    },

    /** Replaces the report of (date, scope) in one transaction, so a re-run never doubles a break. */
    async saveReport(r: ReconciliationReport): Promise<void> {
      await inTransaction(pool, async (client) => {
        await client.query('delete from reconciliation_reports where business_date = $1 and scope = $2', [
          r.businessDate,
          r.scope,
        ]);
        await client.query(
          `insert into reconciliation_reports (business_date, scope, run_id, loans_checked, statement_items, breaks)
           values ($1, $2, $3, $4, $5, $6)`,
          [r.businessDate, r.scope, r.runId, r.loansChecked, r.statementItems, r.breaks.length],
        );
        if (r.breaks.length > 0) {
          await client.query(
            `insert into reconciliation_breaks (business_date, scope, loan_id, kind, expected, actual, detail)
             select $1, $2, b.loan_id, b.kind, b.expected, b.actual, b.detail
             from jsonb_to_recordset($3::jsonb) as b (loan_id text, kind text, expected jsonb, actual jsonb, detail text)`,
            [
              r.businessDate,
              r.scope,
              JSON.stringify(
                r.breaks.map((b) => ({
                  loan_id: b.loanId,
                  kind: b.kind,
                  expected: b.expected ?? null,
                  actual: b.actual ?? null,
                  detail: b.detail,
                })),
              ),
            ],
          );
        }
      });
    },

    async breaks(date: string, scope: string): Promise<ReconciliationBreak[]> {
      const res = await pool.query(
        `select loan_id, kind, expected, actual, detail from reconciliation_breaks
         where business_date = $1 and scope = $2 order by loan_id, kind`,
        [date, scope],
      );
      return res.rows.map((r) => ({
        loanId: r.loan_id,
        kind: r.kind,
        expected: r.expected,
        actual: r.actual,
        detail: r.detail,
      }));
    },

    /**
     * The book by product, bucket, vintage and state as the read model stands, and each loan still on
     * or written off the books, replacing the date's rows in one transaction. Outstanding principal
     * comes from the ledger, which is what delinquency and roll rates are measured on
     * (domain/portfolio.ts). Closed loans are left out of the loan positions: they roll nowhere.
     */
    async snapshotPortfolio(date: string): Promise<{ rows: number; loans: number }> {
      return inTransaction(pool, async (client) => {
        await client.query('delete from portfolio_snapshots where business_date = $1', [date]);
        await client.query('delete from portfolio_loan_positions where business_date = $1', [date]);
        const res = await client.query<{ loans: number }>(
          `insert into portfolio_snapshots (business_date, product_code, bucket, vintage, currency, state, loans,
             outstanding, outstanding_principal, disbursed_principal)
           select $1::date, l.product_code, l.bucket, to_char(l.created_at, 'YYYY-MM'), l.currency,
             ${SNAPSHOT_STATE}, count(*), sum(l.outstanding), coalesce(sum(p.principal), 0), sum(l.principal)
           from loans l left join (${PRINCIPAL_BY_LOAN}) p on p.loan_id = l.id
           where l.status not in ('disbursing', 'disbursement_failed')
           group by 1, 2, 3, 4, 5, 6
           returning loans`,
          [date],
        );
        await client.query(
          `insert into portfolio_loan_positions (business_date, loan_id, product_code, bucket, vintage, currency,
             state, outstanding_principal)
           select $1::date, l.id, l.product_code, l.bucket, to_char(l.created_at, 'YYYY-MM'), l.currency,
             ${SNAPSHOT_STATE}, coalesce(p.principal, 0)
           from loans l left join (${PRINCIPAL_BY_LOAN}) p on p.loan_id = l.id
           where l.status in ('active', 'delinquent', 'written_off')`,
          [date],
        );
        return { rows: res.rowCount ?? 0, loans: res.rows.reduce((n, r) => n + r.loans, 0) };
      });
    },
  };
}

export type OperationsRepository = ReturnType<typeof operationsRepository>;

async function cash(pool: Pool, where: string, args: unknown[]): Promise<CashEntry[]> {
  const res = await pool.query(
    `select e.source_event_id, e.loan_id, e.kind, to_char(e.effective_date, 'YYYY-MM-DD') as effective_date,
       abs(coalesce(sum(l.debit) - sum(l.credit), 0))::bigint as cash
     from journal_entries e left join journal_lines l on l.entry_id = e.id and l.account = 'cash_clearing'
     where ${where} group by e.id order by e.id`,
    args,
  );
  return res.rows.map((r) => ({
    sourceEventId: r.source_event_id,
    loanId: r.loan_id,
    kind: r.kind,
    effectiveDate: r.effective_date,
    cash: r.cash,
  }));
}
