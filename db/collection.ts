import type { Pool, PoolClient } from 'pg';
import type { ContactRecord } from '../contracts/collection';
import { decodeCursor, encodeCursor, inTransaction } from './paging';
import { camelRow } from './rows';
import { localClockAt, localDateAt } from '../domain/localdate';

export type TaskStatus = 'open' | 'done' | 'cancelled' | 'expired';

export interface TaskRow {
  id: string;
  loanId: string;
  customerId: string;
  bucket: string;
  dpd: number;
  timeZone: string;
  notBefore: string;
  notAfter: string;
  status: TaskStatus;
  outcome: string | null;
  collectorId: string | null;
  note: string | null;
  outcomeAt: string | null;
  closeReason: string | null;
  createdAt: string;
  /** What the loan owes past due, from its read model; null when the loan has no saved view. */
  overdue: TaskOverdue | null;
}

/** What the workflow knows when it opens a task; the rest is filled in by the outcome or the close. */
export type NewTask = Pick<
  TaskRow,
  'id' | 'loanId' | 'customerId' | 'bucket' | 'dpd' | 'timeZone' | 'notBefore' | 'notAfter'
>;

interface Amount {
  amount: number;
  currency: string;
}

/**
 * A loan's arrears as its read model holds them: `total` is what its installments due by today (the
 * borrower's date) still owe; interest, fees and penalty are the receivables the workflow booked, which
 * are only ever booked when due (or when paid ahead, and then already paid), so the rest is principal.
 */
export interface TaskOverdue {
  total: Amount;
  principal: Amount;
  interest: Amount;
  fees: Amount;
  penalty: Amount;
  /** The oldest installment due and unpaid, in the borrower's calendar. */
  since: string | null;
}

/** A contact as the collection records it, with its loan and the call task it answered. */
export interface ContactRow extends ContactRecord {
  loanId: string;
  taskId: string | null;
}

export interface TaskQuery {
  status?: TaskStatus;
  loanId?: string;
  /** Only open tasks whose window holds this instant: notBefore ≤ t < notAfter. */
  callableAt?: Date;
  limit: number;
  cursor?: string;
}

// An open task past its window reads as expired, so no job has to sweep the queue for the rule to hold.
const STATUS = `case when status = 'open' and not_after <= now() then 'expired' else status end`;
const TASK_COLUMNS = `id, loan_id, customer_id, bucket, dpd, time_zone, not_before, not_after, ${STATUS} as status,
  outcome, collector_id, note, outcome_at, close_reason, created_at,
  (extract(epoch from not_after) * 1000000)::bigint as not_after_us`;
/*
 * Per task `x` (its loan and the borrower's local date today): the loan's due installments from the
 * view its workflow last saved. Read after the page is cut, so a page costs one view read per task.
 */
const OVERDUE = `select l.status as loan_status, l.currency as overdue_currency,
    l.view -> 'receivable' as receivable, d.unpaid, d.principal_due, d.since
  from loans l
  left join lateral (
    select sum((i ->> 'total')::bigint - (i ->> 'paid')::bigint) as unpaid,
      sum((i ->> 'principal')::bigint) as principal_due, min(i ->> 'dueDate') as since
    from jsonb_array_elements(l.view -> 'installments') i
    where i ->> 'dueDate' <= x.today
      and (i ->> 'total')::bigint > (i ->> 'paid')::bigint
  ) d on true
  where l.id = x.loan_id and l.view is not null`;

/**
 * Task rows with what their loans owe today. The borrower's date is the domain's (domain/localdate.ts),
 * not PostgreSQL's: a zone may be a test clock, which the database does not know.
 */
async function withOverdue(db: Pool, rows: Record<string, unknown>[]): Promise<TaskRow[]> {
  if (rows.length === 0) return [];
  const now = Date.now();
  const res = await db.query(
    `select x.id as task_id, o.* from unnest($1::text[], $2::text[], $3::text[]) as x(id, loan_id, today)
     left join lateral (${OVERDUE}) o on true`,
    [
      rows.map((r) => r.id),
      rows.map((r) => r.loan_id),
      rows.map((r) => localDateAt(now, r.time_zone as string)),
    ],
  );
  const owed = new Map(res.rows.map((r: Record<string, unknown>) => [r.task_id, r]));
  return rows.map((r) => ({
    ...camelRow<Omit<TaskRow, 'overdue'>>(r, ['not_after_us']),
    overdue: overdueOf(owed.get(r.id) ?? {}),
  }));
}
const CONTACT_COLUMNS = `id, loan_id, channel, at, to_char(local_date, 'YYYY-MM-DD') as local_date, local_time,
  bucket, dpd, outcome, task_id`;

/**
 * Collection call tasks and the contact log. Writes come from the collection workflow's activities
 * (retried, so each is idempotent by the id the workflow derives) and from collectors through the API.
 */
export function collectionRepository(pool: Pool) {
  return {
    async createTask(t: NewTask): Promise<void> {
      await pool.query(
        `insert into collection_tasks (id, loan_id, customer_id, bucket, dpd, time_zone, not_before, not_after)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (id) do nothing`,
        [t.id, t.loanId, t.customerId, t.bucket, t.dpd, t.timeZone, t.notBefore, t.notAfter],
      );
    },

    /** The loan left collection: nobody may call about it any more. Tasks already past their window expire. */
    async closeOpenTasks(loanId: string, reason: string): Promise<number> {
      const res = await pool.query(
        `update collection_tasks
         set status = case when not_after <= now() then 'expired' else 'cancelled' end,
           close_reason = $2, updated_at = now()
         where loan_id = $1 and status = 'open'`,
        [loanId, reason],
      );
      return res.rowCount ?? 0;
    },

    /** Window closing first, keyset-paginated on (notAfter, id). */
    async listTasks(q: TaskQuery): Promise<{ items: TaskRow[]; nextCursor: string | null }> {
      const where: string[] = [];
      const args: unknown[] = [];
      const arg = (v: unknown) => `$${args.push(v)}`;
      if (q.status === 'open') where.push(`status = 'open' and not_after > now()`);
      else if (q.status === 'expired')
        where.push(`(status = 'expired' or (status = 'open' and not_after <= now()))`);
      else if (q.status) where.push(`status = ${arg(q.status)}`);
      if (q.loanId) where.push(`loan_id = ${arg(q.loanId)}`);
      if (q.callableAt) {
        const t = arg(q.callableAt.toISOString());
        where.push(`status = 'open' and not_before <= ${t} and not_after > ${t}`);
      }
      if (q.cursor) {
        const c = decodeCursor(q.cursor, 'cursor');
        where.push(
          `(not_after, id) > (timestamptz 'epoch' + ${arg(c.keyUs)}::bigint * interval '1 microsecond', ${arg(c.id)})`,
        );
      }
      const limit = Math.max(1, Math.min(200, Math.trunc(q.limit)));
      const res = await pool.query(
        `select ${TASK_COLUMNS} from collection_tasks ${where.length ? `where ${where.join(' and ')}` : ''}
         order by not_after, id limit ${arg(limit + 1)}`,
        args,
      );
      const rows = res.rows.slice(0, limit);
      const last = rows.at(-1);
      return {
        items: await withOverdue(pool, rows),
        nextCursor: res.rows.length > limit && last ? encodeCursor(String(last.not_after_us), last.id) : null,
      };
    },

    async getTask(id: string): Promise<TaskRow | null> {
      const res = await pool.query(`select ${TASK_COLUMNS} from collection_tasks where id = $1`, [id]);
      const [task] = await withOverdue(pool, res.rows);
      return task ?? null;
    },

    /**
     * A collector's report on a call made at `at`, inside the task's window. The call is logged as a
     * contact in the same transaction, under the id the workflow gives it, so the two logs agree.
     */
    async recordOutcome(
      id: string,
      o: { outcome: string; collectorId: string; note?: string; at: string },
    ): Promise<'recorded' | 'duplicate' | 'not_open' | 'not_found'> {
      return inTransaction(pool, async (client) => {
        const updated = await client.query(
          `update collection_tasks set status = 'done', outcome = $2, collector_id = $3, note = $4, outcome_at = $5,
             updated_at = now()
           where id = $1 and status = 'open' and not_before <= $5 and not_after > $5
           returning loan_id, bucket, dpd, time_zone`,
          [id, o.outcome, o.collectorId, o.note ?? null, o.at],
        );
        const task = updated.rows[0];
        if (task) {
          await insertContact(client, {
            id: `${task.loan_id}:call:${id}`,
            loanId: task.loan_id,
            channel: 'call',
            at: o.at,
            ...localClockAt(Date.parse(o.at), task.time_zone),
            bucket: task.bucket,
            dpd: task.dpd,
            outcome: o.outcome,
            taskId: id,
          });
          return 'recorded';
        }
        const found = await client.query(
          'select status, outcome, collector_id from collection_tasks where id = $1',
          [id],
        );
        const row = found.rows[0];
        if (!row) return 'not_found';
        return row.status === 'done' && row.outcome === o.outcome && row.collector_id === o.collectorId
          ? 'duplicate'
          : 'not_open';
      });
    },

    async logContact(c: Omit<ContactRow, 'taskId'> & { taskId?: string }): Promise<void> {
      await insertContact(pool, c);
    },

    async contacts(loanId: string): Promise<ContactRow[]> {
      const res = await pool.query(
        `select ${CONTACT_COLUMNS} from collection_contacts where loan_id = $1 order by at, id`,
        [loanId],
      );
      return res.rows.map(toContact);
    },
  };
}

export type CollectionRepository = ReturnType<typeof collectionRepository>;

async function insertContact(
  db: Pool | PoolClient,
  c: Omit<ContactRow, 'taskId'> & { taskId?: string | null },
): Promise<void> {
  await db.query(
    `insert into collection_contacts (id, loan_id, channel, at, local_date, local_time, bucket, dpd, outcome, task_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) on conflict (id) do nothing`,
    [c.id, c.loanId, c.channel, c.at, c.localDate, c.localTime, c.bucket, c.dpd, c.outcome, c.taskId ?? null],
  );
}

const IN_SERVICE = new Set(['active', 'delinquent']);

function overdueOf(r: Record<string, unknown>): TaskOverdue | null {
  if (!r.overdue_currency) return null;
  const currency = r.overdue_currency as string;
  const money = (amount: number) => ({ amount, currency });
  // As the loan tells its collection: nothing is overdue on a loan out of service (closed, written off).
  const open = IN_SERVICE.has(r.loan_status as string);
  const booked = (r.receivable ?? {}) as Partial<Record<'interest' | 'fees' | 'penalty', number>>;
  const charge = (k: 'interest' | 'fees' | 'penalty') => (open ? Math.max(0, booked[k] ?? 0) : 0);
  const total = open ? Number(r.unpaid ?? 0) : 0;
  const [interest, fees, penalty] = [charge('interest'), charge('fees'), charge('penalty')];
  // Bounded by the due installments' principal: an installment due today may not be booked yet.
  const principal = Math.min(Number(r.principal_due ?? 0), Math.max(0, total - interest - fees - penalty));
  return {
    total: money(total),
    principal: money(principal),
    interest: money(interest),
    fees: money(fees),
    penalty: money(penalty),
    since: open ? ((r.since as string | null) ?? null) : null,
  };
}

const toContact = (r: Record<string, unknown>): ContactRow => camelRow<ContactRow>(r);
