import type { BenchStack } from '../bench/stack';
import type { Grade } from '../domain/products';
import { getLoan, loanWorkflowId } from '../contracts/loan';
import type { Behaviour, BehaviourParameters, Borrower } from './population';

// What a run measured and how it is judged: each loan's outcome, the month ends, the honesty checks.

export interface LoanOutcome {
  loanId: string;
  grade: Grade;
  behaviour: Behaviour['kind'];
  status: string;
  dpd: number;
  principal: number;
}

export interface MonthEnd {
  date: string;
  /** GET /v1/portfolio/metrics for the month end's snapshot. */
  metrics: Record<string, unknown>;
  /** Each ledger account's debits and credits effective by the month end, minor units. */
  ledger: Record<string, { debit: number; credit: number }>;
  /** The simulated loans of each grade by how they stand at the month end. */
  byGrade: Partial<Record<Grade, { loans: number; late: number; defaulted: number; closed: number }>>;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** A borrower with a loan: their grade, their behaviour and the loan it is played out on. */
export interface Servicing {
  borrower: Borrower;
  grade: Grade;
  behaviour: Behaviour;
  loanId: string;
}

export async function outcomes(s: BenchStack, serviced: Servicing[]): Promise<LoanOutcome[]> {
  const rows = await s.pool.query<{ id: string; status: string; dpd: number; principal: string }>(
    'select id, status, dpd, principal from loans where id = any($1)',
    [serviced.map((l) => l.loanId)],
  );
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  return serviced.map((l) => {
    const r = byId.get(l.loanId);
    return {
      loanId: l.loanId,
      grade: l.grade,
      behaviour: l.behaviour.kind,
      status: r?.status ?? 'missing',
      dpd: r?.dpd ?? 0,
      principal: Number(r?.principal ?? 0),
    };
  });
}

export async function ledgerBy(s: BenchStack, date: string): Promise<MonthEnd['ledger']> {
  const r = await s.pool.query<{ account: string; debit: string; credit: string }>(
    `select l.account, sum(l.debit)::text as debit, sum(l.credit)::text as credit
       from journal_lines l join journal_entries e on e.id = l.entry_id
      where e.effective_date <= $1 group by l.account`,
    [date],
  );
  return Object.fromEntries(
    r.rows.map((x) => [x.account, { debit: Number(x.debit), credit: Number(x.credit) }]),
  );
}

export function byGrade(loans: LoanOutcome[]): MonthEnd['byGrade'] {
  const out: MonthEnd['byGrade'] = {};
  for (const l of loans) {
    const g = (out[l.grade] ??= { loans: 0, late: 0, defaulted: 0, closed: 0 });
    g.loans += 1;
    if (defaulted(l)) g.defaulted += 1;
    else if (l.status === 'delinquent') g.late += 1;
    if (l.status === 'closed') g.closed += 1;
  }
  return out;
}

/** A loan counts as defaulted once written off or 90 days late. */
export const defaulted = (l: Pick<LoanOutcome, 'status' | 'dpd'>) =>
  l.status === 'written_off' || l.dpd >= 90;

/**
 * What makes the run worth believing: each grade's measured default share is within three standard
 * errors (and one loan) of the share its behaviour says; the ledger balances; the read model says of
 * every loan what its workflow says.
 */
export async function honesty(
  s: BenchStack,
  p: BehaviourParameters,
  loans: LoanOutcome[],
  serviced: Servicing[],
): Promise<Check[]> {
  const checks: Check[] = [];
  for (const grade of Object.keys(p.grades) as Grade[]) {
    const of = loans.filter((l) => l.grade === grade);
    if (of.length < 10) continue;
    const expected = p.grades[grade].default;
    const measured = of.filter(defaulted).length / of.length;
    const tolerance = 3 * Math.sqrt((expected * (1 - expected)) / of.length) + 1 / of.length;
    checks.push({
      name: `default share of grade ${grade}`,
      ok: Math.abs(measured - expected) <= tolerance,
      detail: `${(measured * 100).toFixed(1)}% of ${of.length} against ${(expected * 100).toFixed(1)}% ± ${(tolerance * 100).toFixed(1)}`,
    });
  }
  const ledger = await s.pool.query<{ debit: string; credit: string }>(
    'select coalesce(sum(debit), 0)::text as debit, coalesce(sum(credit), 0)::text as credit from journal_lines',
  );
  const { debit, credit } = ledger.rows[0]!;
  checks.push({
    name: 'the ledger balances',
    ok: debit === credit,
    detail: `debits ${debit}, credits ${credit}`,
  });
  // A save may still be on its way when the run stops: a loan that differs is read again a few times.
  const differs = async (loanId: string): Promise<boolean> => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const v = await s.env.client.workflow
        .getHandle(loanWorkflowId(loanId))
        .query(getLoan)
        .catch(() => null);
      const row = await s.pool.query<{ status: string; dpd: number }>(
        'select status, dpd from loans where id = $1',
        [loanId],
      );
      const r = row.rows[0];
      if (!v || (r && v.status === r.status && v.dpd === r.dpd)) return false;
      await new Promise((res) => setTimeout(res, 300));
    }
    return true;
  };
  let disagree = 0;
  for (const l of serviced) if (await differs(l.loanId)) disagree += 1;
  checks.push({
    name: 'the read model agrees with the workflows',
    ok: disagree === 0,
    detail: `${disagree} of ${serviced.length} loans differ in status or DPD`,
  });
  return checks;
}
