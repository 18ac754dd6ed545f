import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Pool } from 'pg';
import { loanflowDataConverter } from '../../codec/data-converter';
import { keyringFromEnv } from '../../codec/keyring';
import { loanPosition } from '../../domain/ledger';
import { CONTACT_HOURS } from '../../domain/loan';
import { localClockAt } from '../../domain/localdate';
import type { LoanView } from '../../contracts/loan';
import type { ApiClient } from './client';
import { EXPECTED, type Lifecycle } from './lifecycles';
import type { Cluster } from './stack';

export interface CheckRow {
  check: string;
  count: number;
  violations: number;
  detail?: string;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/**
 * The end-of-run checks. The provider's own record (sandbox_bank_transfers) is the truth for money
 * moved; the ledger, the read model and each loan workflow's getLoan must agree with it and with each other.
 */
export async function runChecks(
  cluster: Cluster,
  lifecycles: Lifecycle[],
  api: ApiClient,
  clientKey: string,
): Promise<CheckRow[]> {
  const rows: CheckRow[] = [];
  const row = (check: string, count: number, bad: string[]) =>
    rows.push({
      check,
      count,
      violations: bad.length,
      ...(bad.length ? { detail: bad.slice(0, 5).join('; ') } : {}),
    });
  const pool = new Pool({ connectionString: cluster.databaseUrl, max: 4 });
  const connection = await Connection.connect({ address: cluster.temporalAddress });
  const temporal = new Client({
    connection,
    dataConverter: loanflowDataConverter(keyringFromEnv(process.env.PAYLOAD_KEYS)),
  });
  try {
    const transfers = (
      await pool.query<{
        idempotency_key: string;
        kind: string;
        status: string;
        amount: string;
        created_at: Date;
      }>('select idempotency_key, kind, status, amount, created_at from sandbox_bank_transfers')
    ).rows.map((t) => ({ ...t, amount: Number(t.amount) }));
    const loans = lifecycles.filter((l) => l.loanId);
    const views = new Map<string, LoanView>();
    for (const l of loans) {
      const view = await loanViewOf(temporal, l.loanId as string);
      if (view) views.set(l.loanId as string, view);
    }
    const atBank = (loanId: string, kind: string, refund: boolean) =>
      transfers.filter(
        (t) =>
          t.kind === kind &&
          t.idempotency_key.startsWith(`${loanId}:`) &&
          t.idempotency_key.includes(':refund:') === refund &&
          t.status !== 'failed',
      );

    const payoutBad: string[] = [];
    for (const l of loans) {
      const n = atBank(l.loanId as string, 'payout', false).length;
      const want = views.get(l.loanId as string)?.disbursement ? 1 : 0;
      if (n !== want || (l.kind === 'refused' && n !== 0))
        payoutBad.push(`${l.name} ${l.loanId}: ${n} payouts, want ${want}`);
    }
    row('payouts per loan at the provider (1 disbursed, 0 refused)', loans.length, payoutBad);

    const debits = transfers.filter((t) => t.kind === 'debit');
    const perKey = new Map<string, number>();
    for (const d of debits) perKey.set(d.idempotency_key, (perKey.get(d.idempotency_key) ?? 0) + 1);
    row(
      'debits per payment key <= 1',
      debits.length,
      [...perKey].filter(([, n]) => n > 1).map(([k, n]) => `${k}: ${n}`),
    );

    const refundBad: string[] = [];
    let refundCount = 0;
    for (const l of loans) {
      const at = atBank(l.loanId as string, 'payout', true);
      refundCount += at.length;
      const listed = views.get(l.loanId as string)?.refunds ?? [];
      if (at.length !== listed.length || at.length !== l.refundsExpected)
        refundBad.push(
          `${l.name}: ${at.length} at bank, ${listed.length} in workflow, want ${l.refundsExpected}`,
        );
    }
    row('refunds per key <= 1, as many as the loan lists', refundCount, refundBad);

    const unbalanced = await pool.query<{ entry_id: string }>(
      'select entry_id from journal_lines group by entry_id having sum(debit) <> sum(credit)',
    );
    const entries = await pool.query<{ n: number }>('select count(*)::int as n from journal_entries');
    row(
      'journal entries balanced',
      entries.rows[0]?.n ?? 0,
      unbalanced.rows.map((r) => `entry ${r.entry_id}`),
    );

    const agreeBad: string[] = [];
    for (const l of loans) {
      const id = l.loanId as string;
      const v = views.get(id);
      if (!v) {
        agreeBad.push(`${l.name}: no workflow view`);
        continue;
      }
      const balances = (
        await pool.query<{ account: string; balance: string }>(
          'select account, (sum(debit) - sum(credit))::bigint as balance from journal_lines where loan_id = $1 group by account',
          [id],
        )
      ).rows;
      const pos = loanPosition(Object.fromEntries(balances.map((b) => [b.account, Number(b.balance)])));
      const cash = (
        await pool.query<{ kind: string; debit: string; credit: string }>(
          `select e.kind, coalesce(sum(l.debit), 0)::bigint as debit, coalesce(sum(l.credit), 0)::bigint as credit
             from journal_entries e join journal_lines l on l.entry_id = e.id
            where e.loan_id = $1 and l.account = 'cash_clearing' group by e.kind`,
          [id],
        )
      ).rows;
      const ledgerOf = (kind: string, side: 'debit' | 'credit') =>
        Number(cash.find((c) => c.kind === kind)?.[side] ?? 0);
      const readModel = (
        await pool.query<{ outstanding: string; status: string }>(
          'select outstanding, status from loans where id = $1',
          [id],
        )
      ).rows[0];
      const disbursedBank = sum(atBank(id, 'payout', false).map((t) => t.amount));
      const refundedBank = sum(atBank(id, 'payout', true).map((t) => t.amount));
      const debitedBank = sum(
        atBank(id, 'debit', false)
          .filter((t) => t.status === 'succeeded')
          .map((t) => t.amount),
      );
      const repaidWorkflow = sum(v.payments.filter((p) => !p.reversed).map((p) => p.amount));
      const autopayWorkflow = sum(
        v.payments.filter((p) => !p.reversed && p.paymentId.startsWith('autopay:')).map((p) => p.amount),
      );
      const repaidLedger = sum(cash.map((c) => Number(c.debit)));
      const facts: [string, number, number][] = [
        ['outstanding ledger/workflow', pos.outstanding, v.outstanding.amount],
        ['outstanding read model/workflow', Number(readModel?.outstanding ?? NaN), v.outstanding.amount],
        ['disbursed ledger/provider', ledgerOf('disbursement', 'credit'), disbursedBank],
        ['disbursed workflow/provider', v.disbursement?.netAmount ?? 0, disbursedBank],
        ['refunded ledger/provider', ledgerOf('refund', 'credit'), refundedBank],
        ['refunded workflow/provider', sum((v.refunds ?? []).map((r) => r.amount)), refundedBank],
        ['repaid ledger/workflow', repaidLedger, repaidWorkflow],
        ['autopay workflow/provider', autopayWorkflow, debitedBank],
      ];
      if (readModel?.status !== v.status)
        agreeBad.push(`${l.name}: read model ${readModel?.status}, workflow ${v.status}`);
      for (const [what, a, b] of facts) if (a !== b) agreeBad.push(`${l.name} ${id} ${what}: ${a} != ${b}`);
    }
    row('per loan: ledger = workflow = provider = read model', loans.length, agreeBad);

    // The gateway's own record of each message, read on the borrower's clock (the test clock for the
    // lines that live on it): a reminder or collection message outside contact hours is a violation.
    const messages = (
      await pool.query<{ idempotency_key: string; body: { sentAt: string } }>(
        `select idempotency_key, body from sandbox_provider_records where provider = 'notify'`,
      )
    ).rows;
    // A reminder held by the gateway and withdrawn before its hour never went out.
    const withdrawn = new Set(
      (
        await pool.query<{ idempotency_key: string }>(
          `select idempotency_key from sandbox_provider_records
           where provider = 'notify-withdraw' and body ->> 'at' is not null`,
        )
      ).rows.map((r) => r.idempotency_key),
    );
    const delivered = messages.filter((m) => !withdrawn.has(m.idempotency_key));
    const night: string[] = [];
    let ours = 0;
    for (const m of delivered) {
      const v = views.get(m.idempotency_key.split(':')[0] as string);
      if (!v?.timeZone) continue;
      ours++;
      const { localDate, localTime } = localClockAt(Date.parse(m.body.sentAt), v.timeZone);
      if (localTime < CONTACT_HOURS.from || localTime >= CONTACT_HOURS.to)
        night.push(`${m.idempotency_key} at ${localDate} ${localTime}`);
    }
    row(`messages delivered inside contact hours ${CONTACT_HOURS.from}-${CONTACT_HOURS.to}`, ours, night);

    const unreminded: string[] = [];
    const autopaid = lifecycles.filter((l) => l.kind === 'autopay' && l.loanId);
    for (const l of autopaid) {
      // `{loanId}:reminder:1` from a loan that woke for it, `{loanId}:reminder:1:{dueDate}` held by the gateway.
      const first = `${l.loanId}:reminder:1`;
      const reminder = delivered.find(
        (m) => m.idempotency_key === first || m.idempotency_key.startsWith(`${first}:`),
      );
      const firstDebit = transfers
        .filter((t) => t.kind === 'debit' && t.idempotency_key.startsWith(`${l.loanId}:autopay:1:`))
        .reduce((min, t) => Math.min(min, t.created_at.getTime()), Infinity);
      if (!reminder || Date.parse(reminder.body.sentAt) >= firstDebit)
        unreminded.push(`${l.name}: ${reminder ? 'reminded after' : 'no reminder before'} the first debit`);
    }
    row('autopaid loans reminded before their first debit', autopaid.length, unreminded);

    const stateBad = lifecycles
      .filter((l) => l.error || l.state !== EXPECTED[l.kind])
      .map(
        (l) =>
          `${l.name} (${l.kind}): ${l.state ?? '-'} want ${EXPECTED[l.kind]}${l.error ? `, ${l.error}` : ''}`,
      );
    row('lifecycles reached their expected state before the deadline', lifecycles.length, stateBad);

    const failedTasks: string[] = [];
    const ids = lifecycles.flatMap(
      (l) =>
        [l.lineId && `credit-line:${l.lineId}`, l.loanId && `loan:${l.loanId}`].filter(Boolean) as string[],
    );
    for (const wid of ids) {
      try {
        const history = await temporal.workflow.getHandle(wid).fetchHistory();
        const n = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
        if (n > 0) failedTasks.push(`${wid}: ${n}`);
      } catch (err) {
        failedTasks.push(`${wid}: history unreadable (${String(err)})`);
      }
    }
    row('workflow tasks failed (nondeterminism) = 0', ids.length, failedTasks);

    const missing: string[] = [];
    for (const a of api.acknowledged) {
      const lc = lifecycles.find((l) => l.name === a.lifecycle);
      const v = lc?.loanId ? views.get(lc.loanId) : undefined;
      const paid = new Set((v?.payments ?? []).map((p) => p.paymentId));
      if (a.what === 'apply' || a.what === 'review') {
        const line = await api.call('GET', `/v1/credit-lines/${a.body.id ?? lc?.lineId}`, {
          apiKey: clientKey,
        });
        if (line.status !== 200) missing.push(`${a.lifecycle} ${a.what}: no line`);
      }
      if (a.what === 'drawdown' && !views.has(a.body.loanId as string))
        missing.push(`${a.lifecycle} drawdown: no loan`);
      if (a.what === 'repayment' && !paid.has(a.body.paymentId as string))
        missing.push(`${a.lifecycle} repayment ${String(a.body.paymentId)} not applied`);
      if (a.what === 'extension' && !(v?.extensions ?? []).some((e) => e.extensionId === a.body.extensionId))
        missing.push(`${a.lifecycle} extension missing`);
    }
    for (const l of lifecycles)
      for (const p of new Set(l.callbacks)) {
        const v = l.loanId ? views.get(l.loanId) : undefined;
        if (!(v?.payments ?? []).some((x) => x.paymentId === p))
          missing.push(`${l.name} callback ${p} not applied`);
      }
    row('2xx answers whose effect is missing', api.acknowledged.length, missing);
    // Every step the harness takes is one the API must accept; a refusal after a retry means the
    // client was told its request failed (maybe after it took effect) and would try again.
    const refused = lifecycles.flatMap((l) =>
      l.steps.filter((st) => /:[45]\d\d$/.test(st)).map((st) => `${l.name} ${st}`),
    );
    row(
      'requests refused although valid (4xx/5xx after retries)',
      sum(lifecycles.map((l) => l.steps.length)),
      refused,
    );
    // Even when a retry then succeeds: a fault the API cannot ride out is a 503, never a 500.
    row('API answers that were 500 (503 is the retryable one)', api.answers(), api.internalErrors);
  } finally {
    await connection.close();
    await pool.end();
  }
  return rows;
}

/**
 * A loan workflow's own view, or null when no such workflow exists (reported by the checks). A query
 * that timed out or met a restarting service is asked again: the stack was just shaken, and a slow
 * answer is not a missing loan.
 */
async function loanViewOf(temporal: Client, loanId: string): Promise<LoanView | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await temporal.workflow.getHandle(`loan:${loanId}`).query<LoanView>('getLoan');
    } catch (err) {
      if (err instanceof WorkflowNotFoundError || attempt === 5) return null;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}
