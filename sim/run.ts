import { call, type BenchStack } from '../bench/stack';
import { apiKeyRepository } from '../db/api-keys';
import { repositoriesOn } from '../db/repositories';
import { addDays, instantOfLocal, localDateAt } from '../domain/localdate';
import type { Grade } from '../domain/products';
import { creditLine } from '../workflows/credit-line';
import { awaitDecision, creditLineWorkflowId, type CreditLineView } from '../contracts/credit-line';
import { getLoan, loanWorkflowId, type LoanView } from '../contracts/loan';
import type { SimulatedBank } from './bank';
import { closeClock, DAY_MS, endOfMonth, quiet, sleepUntil } from './clock';
import {
  byGrade,
  type Check,
  honesty,
  ledgerBy,
  type LoanOutcome,
  type MonthEnd,
  outcomes,
  type Servicing,
} from './figures';
import { type BehaviourParameters, behaviourOf, between, type Borrower, population } from './population';

/**
 * One simulated portfolio on the real workflows: every borrower applies through the credit-line
 * workflow (a simulated reviewer decides what goes to review), draws down through the API, and is
 * serviced by the loan, collection and operations code as in production; the simulated bank refuses
 * the debits of borrowers who will not pay, and late payers and prepayers pay through the API. Time
 * moves on the time-skipping server; each month end is snapshotted by the daily job's own code and
 * read back through GET /v1/portfolio/metrics.
 */

export const ZONE = 'Asia/Shanghai';

export interface SimOptions {
  borrowers: number;
  months: number;
  seed: number;
  productCode: string;
  parameters: BehaviourParameters;
  bank: SimulatedBank;
  /** Called as the run moves on: what is done of the whole, and what it is doing. */
  progress?: (done: number, total: number, what: string) => void;
}

export interface SimResult {
  startedOn: string;
  applied: number;
  approved: number;
  loans: LoanOutcome[];
  months: MonthEnd[];
  checks: Check[];
  /** Requests of the borrowers and collectors the API refused (a loan that closed meanwhile, a policy that says no). */
  refusals: string[];
}

/** A borrower's move at a moment of the run: a late payment that cures, a payoff ahead of time, an extension asked, money after write-off. */
interface Move {
  at: number;
  loan: Servicing;
  kind: 'cure' | 'payoff' | 'extend' | 'recover' | 'promise';
  /** How often a recovery found the loan not yet written off and waited. */
  waited?: number;
}

export async function runSimulation(s: BenchStack, o: SimOptions): Promise<SimResult> {
  const people = population(o.borrowers, o.seed);
  // A month of servicing weighs as much as applying the whole population: that is where the time goes.
  const total = o.borrowers * (2 + o.months);
  let done = 0;
  const step = (what: string, weight = 1) => o.progress?.((done += weight), total, what);
  const startedOn = localDateAt(await s.env.currentTimeMs(), ZONE);

  const lines = await inBatches(people, 16, async (b) => {
    const view = await apply(s, o, b);
    step(`applied ${b.index + 1}/${o.borrowers}`);
    return { borrower: b, view };
  });
  const approved = lines.filter((l) => l.view.status === 'active' && l.view.grade);
  const serviced = await inBatches(approved, 8, async ({ borrower, view }) => {
    const drawn = await call(
      s,
      s.keys.client,
      'POST',
      `/v1/credit-lines/${view.id}/drawdowns`,
      {
        amount: { amount: o.parameters.loan.amountMinor, currency: 'CNY' },
        termMonths: o.parameters.loan.termMonths,
        purpose: 'simulation',
      },
      `sim-${o.seed}-${borrower.index}`,
    );
    const grade = view.grade as Grade;
    step(`drawn ${borrower.index + 1}/${o.borrowers}`);
    return {
      borrower,
      grade,
      behaviour: behaviourOf(borrower, grade, o.parameters),
      loanId: String(drawn.loanId),
    };
  });
  for (let i = done; i < o.borrowers * 2; i++) step('declined');

  const moves: Move[] = [];
  for (const loan of serviced) moves.push(...plan(loan, await settledView(s, loan.loanId), o));
  moves.sort((a, b) => a.at - b.at);

  const months: MonthEnd[] = [];
  const refusals: string[] = [];
  const repos = repositoriesOn(s.pool);
  for (let m = 1; m <= o.months; m++) {
    const monthEnd = endOfMonth(startedOn, m);
    const endAt = instantOfLocal(monthEnd, '23:30', ZONE);
    while (moves.length && moves[0]!.at <= endAt) {
      const move = moves.shift()!;
      await sleepUntil(s, move.at);
      const again = await perform(s, o.parameters, move, refusals);
      if (again) {
        moves.push(again);
        moves.sort((a, b) => a.at - b.at);
      }
    }
    await sleepUntil(s, endAt);
    await quiet(s);
    await repos.operations.snapshotPortfolio(monthEnd);
    const metrics = await call(s, s.keys.ops, 'GET', `/v1/portfolio/metrics?date=${monthEnd}`);
    months.push({
      date: monthEnd,
      metrics,
      ledger: await ledgerBy(s, monthEnd),
      byGrade: byGrade(await outcomes(s, serviced)),
    });
    step(`month ${m}/${o.months}: ${monthEnd}`, o.borrowers);
  }

  await closeClock(s);
  const loans = await outcomes(s, serviced);
  return {
    startedOn,
    applied: o.borrowers,
    approved: serviced.length,
    loans,
    months,
    refusals,
    checks: await honesty(s, o.parameters, loans, serviced),
  };
}

/**
 * What the borrower's behaviour does to their loan: the simulated bank's refusals for their card,
 * and the moves they make through the API, at the instants their behaviour says.
 */
function plan(loan: Servicing, v: LoanView, o: SimOptions): Move[] {
  const moves: Move[] = [];
  const due = (seq: number) => v.installments[Math.min(seq, v.installments.length) - 1]!.dueDate;
  const b = loan.behaviour;
  if (b.kind === 'default') {
    const from = due(b.fromInstallment);
    o.bank.refuseDebits(loan.borrower.card, (dueDate) => dueDate >= from);
    const afterDays = between(loan.borrower.draws.recoverAfter, o.parameters.recovery.afterDays);
    // Written off at DPD 180 (a few days more with grace): the borrower pays some of it back later.
    if (b.recovers)
      moves.push({
        at: instantOfLocal(addDays(from, 190 + afterDays), '11:00', ZONE),
        loan,
        kind: 'recover',
      });
  } else if (b.kind === 'promise') {
    const late = due(b.installment);
    const paid = addDays(late, b.kept ? b.callAfter + b.payIn : b.brokenPaidAfter);
    o.bank.refuseDebits(loan.borrower.card, (dueDate) => dueDate >= late && dueDate < paid);
    moves.push({ at: instantOfLocal(addDays(late, b.callAfter), '15:00', ZONE), loan, kind: 'promise' });
    moves.push({ at: instantOfLocal(paid, '11:00', ZONE), loan, kind: 'cure' });
  } else if (b.kind === 'extend') {
    moves.push({
      at: instantOfLocal(addDays(due(b.afterInstallment), 3), '11:00', ZONE),
      loan,
      kind: 'extend',
    });
  } else if (b.kind === 'late-then-cure') {
    const late = due(b.installment);
    const paid = addDays(late, b.cureDays);
    // The account is empty from the missed due day until the borrower's money arrives: collection's retries fail too.
    o.bank.refuseDebits(loan.borrower.card, (dueDate) => dueDate >= late && dueDate < paid);
    moves.push({ at: instantOfLocal(paid, '11:00', ZONE), loan, kind: 'cure' });
  } else if (b.kind === 'prepay') {
    moves.push({ at: instantOfLocal(addDays(due(b.inMonth), 3), '11:00', ZONE), loan, kind: 'payoff' });
  }
  return moves;
}

/** An application as the API makes it, then the decision awaited; a line sent to review is decided by the simulated reviewers. */
async function apply(s: BenchStack, o: SimOptions, b: Borrower): Promise<CreditLineView> {
  const creditLineId = `cl_sim_${o.seed}_${b.index}`;
  const handle = await s.env.client.workflow.start(creditLine, {
    workflowId: creditLineWorkflowId(creditLineId),
    taskQueue: s.taskQueue,
    args: [
      {
        application: {
          creditLineId,
          customerId: `cus_sim_${o.seed}_${b.index}`,
          applicant: { name: b.name, idNumber: b.idNumber, phone: b.phone, bankCard: b.card },
          productCode: o.productCode,
          requestedLimit: { amount: o.parameters.loan.limitMinor, currency: 'CNY' },
          consents: { bureauQuery: { version: 'bq-2026-01', acceptedAt: new Date(0).toISOString() } },
          submittedBy: s.actors.client,
        },
      },
    ],
  });
  let view = await handle.executeUpdate(awaitDecision);
  for (let i = 0; view.status === 'pending_review' && i < 3; i++) {
    await review(s, creditLineId, view, i);
    view = await handle.executeUpdate(awaitDecision);
  }
  return view;
}

const reviewers = new WeakMap<BenchStack, Promise<string>[]>();

/** The run's n-th simulated reviewer's key, made once: maker-checker needs a second, different one. */
function reviewerKey(s: BenchStack, n: number): Promise<string> {
  const keys = reviewers.get(s) ?? [];
  reviewers.set(s, keys);
  keys[n] ??= apiKeyRepository(s.pool)
    .create('reviewer', `simulated reviewer ${n + 1}`)
    .then((k) => k.key);
  return keys[n];
}

/** The simulated reviewers: grades A to C are approved, D and E declined, one reviewer at a time. */
async function review(s: BenchStack, creditLineId: string, view: CreditLineView, n: number): Promise<void> {
  const page = await call(s, s.keys.reviewer, 'GET', '/v1/reviews?status=pending&limit=100');
  const items = page.items as { id: string; creditLineId: string }[];
  const mine = items.find((r) => r.creditLineId === creditLineId);
  if (!mine) return;
  const approve = view.grade === 'A' || view.grade === 'B' || view.grade === 'C';
  const reviewer = await reviewerKey(s, n);
  await call(
    s,
    reviewer,
    'POST',
    `/v1/reviews/${mine.id}/decision`,
    approve ? { decision: 'approve' } : { decision: 'decline', reason: 'simulated reviewer: grade too low' },
    `review-${mine.id}-${n}`,
  );
}

/** Carries out a move through the API; answers the move again, later, when its moment has not come yet. */
async function perform(
  s: BenchStack,
  p: BehaviourParameters,
  move: Move,
  refusals: string[],
): Promise<Move | null> {
  const { loanId } = move.loan;
  const v = await s.env.client.workflow.getHandle(loanWorkflowId(loanId)).query(getLoan);
  const today = localDateAt(move.at, ZONE);
  const pay = (amount: number) =>
    call(
      s,
      s.keys.client,
      'POST',
      `/v1/loans/${loanId}/repayments`,
      { amount: { amount, currency: 'CNY' }, channel: 'app' },
      `sim-${move.kind}-${loanId}`,
    );
  // A request the loan refuses (it closed meanwhile, the policy says no) is the borrower's problem, not the run's.
  const refused = (err: unknown) => void refusals.push(`${move.kind} ${loanId}: ${String(err)}`);
  if (move.kind === 'recover') {
    if (v.status === 'written_off') {
      await pay(Math.max(1, Math.round(p.recovery.part * v.principal.amount))).catch(refused);
      return null;
    }
    const waited = (move.waited ?? 0) + 1;
    return v.status === 'delinquent' && waited <= 3 ? { ...move, at: move.at + 30 * DAY_MS, waited } : null;
  }
  if (v.status !== 'active' && v.status !== 'delinquent') return null;
  if (move.kind === 'promise') {
    const b = move.loan.behaviour;
    if (b.kind !== 'promise') return null;
    // Collection takes the loan once it is past grace; the collector calls when the task is there.
    if (v.status !== 'delinquent') {
      const waited = (move.waited ?? 0) + 1;
      return waited <= 10 ? { ...move, at: move.at + DAY_MS, waited } : null;
    }
    await call(
      s,
      s.keys.collector,
      'POST',
      `/v1/loans/${loanId}/promises-to-pay`,
      { date: addDays(today, b.payIn), amount: { amount: overdueOf(v, today), currency: 'CNY' } },
      `sim-promise-${loanId}`,
    ).catch(refused);
    return null;
  }
  if (move.kind === 'extend') {
    await call(
      s,
      s.keys.client,
      'POST',
      `/v1/loans/${loanId}/extensions`,
      { days: extensionDays(move) },
      `sim-extend-${loanId}`,
    ).catch(refused);
    return null;
  }
  let amount: number;
  if (move.kind === 'payoff') {
    const quote = await call(s, s.keys.client, 'GET', `/v1/loans/${loanId}/payoff-quote?date=${today}`);
    amount = (quote.amount as { amount: number }).amount;
  } else {
    amount = overdueOf(v, today);
  }
  if (amount > 0) await pay(amount).catch(refused);
  return null;
}

/** What is due by `today` and unpaid, with the penalty booked on it. */
const overdueOf = (v: LoanView, today: string) =>
  v.installments.filter((i) => i.dueDate <= today).reduce((sum, i) => sum + i.total - i.paid, 0) +
  v.receivable.penalty;

const extensionDays = (move: Move) => (move.loan.behaviour.kind === 'extend' ? move.loan.behaviour.days : 0);

/** The loan's view once it is active with its books caught up. */
async function settledView(s: BenchStack, loanId: string): Promise<LoanView> {
  for (let i = 0; ; i++) {
    const v = await s.env.client.workflow.getHandle(loanWorkflowId(loanId)).query(getLoan);
    if (v.status !== 'disbursing' && v.ledgerPending === 0) return v;
    if (i > 600) throw new Error(`loan ${loanId} is still ${v.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}
