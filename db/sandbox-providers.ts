import type { Pool } from 'pg';
import type { BankTransfer, NewBankTransfer, SandboxStore } from '../adapters/sandbox-store';
import { camelRow } from './rows';

// Aliased to BankTransfer's names, so camelRow hands a row on as the transfer it records.
const COLUMNS = `idempotency_key, kind, id, amount as amount_minor, currency, card, payee,
  to_char(due_date, 'YYYY-MM-DD') as due_date, status, failure_reason, created_at as at`;

const transferOf = (r: Record<string, unknown>): BankTransfer => camelRow<BankTransfer>(r);

/** The sandbox providers' records in PostgreSQL (migration sandbox-providers): they outlive the process. */
export function sandboxStore(pool: Pool): SandboxStore {
  const transfer = async (key: string) => {
    const res = await pool.query(`select ${COLUMNS} from sandbox_bank_transfers where idempotency_key = $1`, [
      key,
    ]);
    return res.rows[0] && transferOf(res.rows[0]);
  };
  const findRecord = async <T>(provider: string, key: string): Promise<T | undefined> => {
    const res = await pool.query<{ body: T }>(
      'select body from sandbox_provider_records where provider = $1 and idempotency_key = $2',
      [provider, key],
    );
    return res.rows[0]?.body;
  };
  return {
    transfer,

    async bookTransfer(t: NewBankTransfer, idPrefix: string): Promise<BankTransfer> {
      // A key being booked by another process concurrently waits for it here, then reads its row.
      const res = await pool.query(
        `insert into sandbox_bank_transfers
           (idempotency_key, kind, id, amount, currency, card, payee, due_date, status, failure_reason, created_at)
         values ($1, $2, $3 || '-' || nextval('sandbox_provider_refs'), $4, $5, $6, $7, $8, $9, $10, $11)
         on conflict (idempotency_key) do nothing
         returning ${COLUMNS}`,
        [
          t.idempotencyKey,
          t.kind,
          idPrefix,
          t.amountMinor,
          t.currency,
          t.card,
          t.payee,
          t.dueDate,
          t.status,
          t.failureReason,
          t.at,
        ],
      );
      const booked = res.rows[0] ? transferOf(res.rows[0]) : await transfer(t.idempotencyKey);
      if (!booked) throw new Error('sandbox bank: a conflicting transfer vanished');
      return booked;
    },

    async transfersBetween(fromIso: string, toIso: string): Promise<BankTransfer[]> {
      const res = await pool.query(
        `select ${COLUMNS} from sandbox_bank_transfers
         where created_at >= $1 and created_at < $2 order by created_at, id`,
        [fromIso, toIso],
      );
      return res.rows.map(transferOf);
    },

    async debitedBefore(card: string, dueDate: string): Promise<boolean> {
      const res = await pool.query(
        `select 1 from sandbox_bank_transfers where kind = 'debit' and card = $1 and due_date = $2 limit 1`,
        [card, dueDate],
      );
      return res.rowCount !== null && res.rowCount > 0;
    },

    findRecord,

    async recordOnce<T>(provider: string, key: string, make: (unique: string) => T): Promise<T> {
      const earlier = await findRecord<T>(provider, key);
      if (earlier !== undefined) return earlier;
      const seq = await pool.query<{ n: string }>(`select nextval('sandbox_provider_refs')::text as n`);
      const inserted = await pool.query<{ body: T }>(
        `insert into sandbox_provider_records (provider, idempotency_key, body) values ($1, $2, $3)
         on conflict do nothing returning body`,
        [provider, key, JSON.stringify(make(seq.rows[0]!.n))],
      );
      const body = inserted.rows[0] ? inserted.rows[0].body : await findRecord<T>(provider, key);
      if (body === undefined) throw new Error('sandbox provider: a conflicting record vanished');
      return body;
    },
  };
}
