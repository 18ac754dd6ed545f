import type { Pool, PoolClient } from 'pg';
import type { Currency } from '../domain/money';
import { assertBalanced, type JournalEntry, type LedgerAccount } from '../domain/ledger';
import { inTransaction } from './paging';

/**
 * One statement, so one round trip: the entry and its lines land together or not at all, and the
 * deferred trigger checks the balance at commit. Named, so each connection parses and plans it once
 * (about a third of a posting's time when it was sent as text each time).
 */
const POST_ENTRY = {
  name: 'ledger-post-entry',
  text: `with entry as (
     insert into journal_entries (source_event_id, loan_id, kind, effective_date, currency)
     values ($1, $2, $3, $4, $5) on conflict (source_event_id) do nothing returning id
   )
   insert into journal_lines (entry_id, loan_id, account, debit, credit)
   select entry.id, $2, line.account, line.debit, line.credit
   from entry, unnest($6::text[], $7::bigint[], $8::bigint[]) as line (account, debit, credit)`,
};

async function postOn(db: Pool | PoolClient, e: JournalEntry): Promise<'posted' | 'duplicate'> {
  assertBalanced(e);
  // An entry that moves no money has nothing to record (and would leave a head without lines).
  if (e.lines.length === 0) return 'posted';
  const res = await db.query({
    ...POST_ENTRY,
    values: [
      e.sourceEventId,
      e.loanId,
      e.kind,
      e.effectiveDate,
      e.currency,
      e.lines.map((l) => l.account),
      e.lines.map((l) => l.debit),
      e.lines.map((l) => l.credit),
    ],
  });
  return (res.rowCount ?? 0) > 0 ? 'posted' : 'duplicate';
}

/** Posts entries in order on a client inside the caller's transaction; each is idempotent by source event. */
export async function postAllOn(client: PoolClient, entries: readonly JournalEntry[]): Promise<void> {
  for (const e of entries) assertBalanced(e);
  for (const e of entries) await postOn(client, e);
}

/** The journal in PostgreSQL: posting is idempotent by source event id and balanced by the database. */
export function ledgerRepository(pool: Pool) {
  return {
    /** Its own transaction. */
    post: (e: JournalEntry): Promise<'posted' | 'duplicate'> => postOn(pool, e),

    /**
     * A loan's outbox in order, in one transaction: one commit (one WAL flush) for the batch. Each
     * entry stays idempotent, so a retry of a batch that committed changes nothing.
     */
    async postAll(entries: readonly JournalEntry[]): Promise<void> {
      for (const e of entries) assertBalanced(e);
      if (entries.length <= 1) {
        if (entries[0]) await postOn(pool, entries[0]);
        return;
      }
      await inTransaction(pool, (client) => postAllOn(client, entries));
    },

    /** Debit minus credit per account for one loan. */
    async balances(loanId: string): Promise<Partial<Record<LedgerAccount, number>>> {
      const res = await pool.query<{ account: LedgerAccount; balance: number }>(
        `select account, (sum(debit) - sum(credit))::bigint as balance from journal_lines where loan_id = $1 group by account`,
        [loanId],
      );
      return Object.fromEntries(res.rows.map((r) => [r.account, r.balance]));
    },

    async entries(loanId: string): Promise<JournalEntry[]> {
      const res = await pool.query<{
        source_event_id: string;
        kind: string;
        effective_date: string;
        currency: Currency;
        lines: { account: LedgerAccount; debit: number; credit: number }[];
      }>(
        `select e.source_event_id, e.kind, to_char(e.effective_date, 'YYYY-MM-DD') as effective_date, e.currency,
           json_agg(json_build_object('account', l.account, 'debit', l.debit, 'credit', l.credit) order by l.id) as lines
         from journal_entries e join journal_lines l on l.entry_id = e.id
         where e.loan_id = $1 group by e.id order by e.id`,
        [loanId],
      );
      return res.rows.map((r) => ({
        sourceEventId: r.source_event_id,
        loanId,
        kind: r.kind,
        effectiveDate: r.effective_date,
        currency: r.currency,
        lines: r.lines,
      }));
    },

    /** Whole-journal check for reconciliation and tests: total debits and credits, and unbalanced entries. */
    async trialBalance(): Promise<{ debits: number; credits: number; unbalancedEntries: number }> {
      const totals = await pool.query<{ debits: number; credits: number }>(
        'select coalesce(sum(debit), 0)::bigint as debits, coalesce(sum(credit), 0)::bigint as credits from journal_lines',
      );
      const unbalanced = await pool.query<{ n: number }>(
        `select count(*)::int as n from (select entry_id from journal_lines group by entry_id having sum(debit) <> sum(credit)) x`,
      );
      const t = totals.rows[0] ?? { debits: 0, credits: 0 };
      return { debits: t.debits, credits: t.credits, unbalancedEntries: unbalanced.rows[0]?.n ?? 0 };
    },
  };
}

export type LedgerRepository = ReturnType<typeof ledgerRepository>;
