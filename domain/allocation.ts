import { DomainError } from './errors';
import { assertMinor } from './money';
import { toLocalDate } from './localdate';

/**
 * Repayment allocation: which receivable a payment settles, in the product's order. Every minor
 * unit of the payment ends up either on a receivable or in `creditBalance`, so a payment is never
 * partly lost and the ledger can post the allocation as it stands.
 *
 * Penalty and fees are per installment (a late fee or penalty interest belongs to the installment
 * that caused it); charges not tied to one installment are booked on the installment they arose in.
 */

export type Component = 'penalty' | 'fees' | 'interest' | 'principal';
export type Timing = 'overdue' | 'due' | 'future';
export type AllocationStep = `${Timing}.${Component}`;

export const COMPONENTS: readonly Component[] = ['penalty', 'fees', 'interest', 'principal'];
export const TIMINGS: readonly Timing[] = ['overdue', 'due', 'future'];

/** penalty → fees → overdue interest → overdue principal → current interest → current principal. */
export const DEFAULT_ORDER: readonly AllocationStep[] = [
  'overdue.penalty',
  'due.penalty',
  'overdue.fees',
  'due.fees',
  'overdue.interest',
  'overdue.principal',
  'due.interest',
  'due.principal',
];

/** Default order, then principal of later installments: a prepayment shortens the loan rather than sitting as credit. */
export const PREPAYMENT_ORDER: readonly AllocationStep[] = [...DEFAULT_ORDER, 'future.principal'];

export interface Parts {
  penalty: number;
  fees: number;
  interest: number;
  principal: number;
}

/** An installment as the allocator sees it; other fields (total, balanceAfter…) pass through untouched. */
export interface Receivable {
  seq: number;
  dueDate: string;
  principal: number;
  interest: number;
  fees: number;
  /** Penalty interest charged on this installment so far. */
  penalty?: number;
  paid?: Partial<Parts>;
  status?: string;
}

export type AllocatedInstallment<T extends Receivable> = T & { paid: Parts; status: string };

export interface InstallmentAllocation extends Parts {
  seq: number;
  dueDate: string;
  timing: Timing;
  total: number;
  /** Kept so a reversal can reopen the installment with the status it had. */
  statusBefore: string;
}

export interface Allocation {
  paymentDate: string;
  amount: number;
  order: AllocationStep[];
  installments: InstallmentAllocation[];
  totals: Parts;
  /** Overpayment held for the borrower. */
  creditBalance: number;
}

export interface AllocationInput<T extends Receivable> {
  installments: readonly T[];
  paymentDate: string;
  amount: number;
  order?: readonly string[];
}

export interface AllocationResult<T extends Receivable> {
  allocation: Allocation;
  installments: AllocatedInstallment<T>[];
}

const PAID_STATUSES = new Set(['paid', 'partially_paid']);

export function allocatePayment<T extends Receivable>(input: AllocationInput<T>): AllocationResult<T> {
  const order = parseOrder(input.order ?? DEFAULT_ORDER);
  toLocalDate(input.paymentDate, 'paymentDate');
  assertMinor(input.amount, 'amount');
  if (input.amount <= 0) throw new DomainError('amount', `amount must be positive, got ${input.amount}`);
  const rows = normalise(input.installments);
  const timings = timingsOf(rows, input.paymentDate);

  const taken = new Map<number, Parts>();
  let remaining = input.amount;
  for (const step of order) {
    const [timing, component] = step.split('.') as [Timing, Component];
    for (const row of rows) {
      if (remaining === 0) break;
      if (timings.get(row.seq) !== timing) continue;
      const open = charged(row, component) - row.paid[component];
      const take = Math.min(open, remaining);
      if (take === 0) continue;
      row.paid[component] += take;
      remaining -= take;
      const parts = taken.get(row.seq) ?? zeroParts();
      parts[component] += take;
      taken.set(row.seq, parts);
    }
  }

  const lines: InstallmentAllocation[] = [];
  for (const row of rows) {
    const parts = taken.get(row.seq);
    if (!parts) continue;
    lines.push({
      seq: row.seq,
      dueDate: row.dueDate,
      timing: timings.get(row.seq) as Timing,
      ...parts,
      total: sumParts(parts),
      statusBefore: row.status,
    });
    row.status = isSettled(row) ? 'paid' : 'partially_paid';
  }
  return {
    allocation: {
      paymentDate: input.paymentDate,
      amount: input.amount,
      order,
      installments: lines,
      totals: addAll(lines),
      creditBalance: remaining,
    },
    installments: restoreInputOrder(input.installments, rows),
  };
}

/**
 * Undoes an allocation (a payment reversal or chargeback), reopening the installments it settled:
 * one still holding other payments is partially paid, one left with nothing paid gets back the
 * status it had before this allocation. Later allocations may stand; only money that is still on
 * an installment can be taken off it. The allocation's `creditBalance` is the caller's to take back
 * from the borrower's credit balance.
 */
export function reverseAllocation<T extends Receivable>(
  installments: readonly T[],
  allocation: Allocation,
): AllocatedInstallment<T>[] {
  const rows = normalise(installments);
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  if (!allocation || !Array.isArray(allocation.installments)) {
    throw new DomainError('allocation', 'allocation must be an allocation returned by allocatePayment');
  }
  const reversed = new Set<number>();
  allocation.installments.forEach((line, i) => {
    const field = `allocation.installments[${i}]`;
    const row = bySeq.get(line.seq);
    if (!row) {
      throw new DomainError(`${field}.seq`, `installment ${String(line.seq)} is not among the installments`);
    }
    if (reversed.has(line.seq)) {
      throw new DomainError(`${field}.seq`, `installment ${line.seq} appears twice`);
    }
    reversed.add(line.seq);
    if (typeof line.statusBefore !== 'string') {
      throw new DomainError(
        `${field}.statusBefore`,
        `${field}.statusBefore must be the status recorded at allocation`,
      );
    }
    for (const c of COMPONENTS) {
      assertNonNegative(line[c], `${field}.${c}`);
      if (line[c] > row.paid[c]) {
        throw new DomainError(
          `${field}.${c}`,
          `installment ${line.seq} has ${row.paid[c]} ${c} paid, less than the ${line[c]} to reverse`,
          'not_reversible',
        );
      }
    }
  });
  for (const line of allocation.installments) {
    const row = bySeq.get(line.seq) as Row<T>;
    for (const c of COMPONENTS) row.paid[c] -= line[c];
    const anyPaid = sumParts(row.paid) > 0;
    if (anyPaid) row.status = 'partially_paid';
    else row.status = PAID_STATUSES.has(line.statusBefore) ? 'pending' : line.statusBefore;
  }
  return restoreInputOrder(installments, rows);
}

/** What is still owed on an installment, per component. */
export function outstandingOf(inst: Receivable): Parts {
  const paid = { ...zeroParts(), ...inst.paid };
  const out = zeroParts();
  for (const c of COMPONENTS) out[c] = charged(inst, c) - paid[c];
  return out;
}

/** Validates a product's allocation order: known steps, each at most once. */
export function parseOrder(order: readonly string[], field = 'order'): AllocationStep[] {
  if (!Array.isArray(order) || order.length === 0) {
    throw new DomainError(field, `${field} must be a non-empty list of steps such as "overdue.interest"`);
  }
  const seen = new Set<string>();
  return order.map((step, i) => {
    const [timing, component, extra] = String(step).split('.');
    if (
      extra !== undefined ||
      !TIMINGS.includes(timing as Timing) ||
      !COMPONENTS.includes(component as Component)
    ) {
      throw new DomainError(
        `${field}[${i}]`,
        `${field}[${i}] must be <overdue|due|future>.<penalty|fees|interest|principal>, got "${String(step)}"`,
      );
    }
    if (seen.has(step)) throw new DomainError(`${field}[${i}]`, `${field}[${i}] repeats "${step}"`);
    seen.add(step);
    return step as AllocationStep;
  });
}

/**
 * Overdue: due date before the payment date (the due date itself is still payable on time).
 * Due: the current installment, the earliest due on or after the payment date. Future: later ones.
 */
export function timingOf(dueDate: string, paymentDate: string, currentDueDate: string | null): Timing {
  if (dueDate < paymentDate) return 'overdue';
  return dueDate === currentDueDate ? 'due' : 'future';
}

type Row<T extends Receivable> = T & { paid: Parts; status: string };

function timingsOf(rows: readonly Receivable[], paymentDate: string): Map<number, Timing> {
  const upcoming = rows.map((r) => r.dueDate).filter((d) => d >= paymentDate);
  const current = upcoming.length > 0 ? upcoming.reduce((a, b) => (a < b ? a : b)) : null;
  return new Map(rows.map((r) => [r.seq, timingOf(r.dueDate, paymentDate, current)]));
}

function normalise<T extends Receivable>(installments: readonly T[]): Row<T>[] {
  if (!Array.isArray(installments)) throw new DomainError('installments', 'installments must be a list');
  const seqs = new Set<number>();
  const rows = installments.map((inst, i) => {
    const field = `installments[${i}]`;
    if (!inst || typeof inst !== 'object') throw new DomainError(field, `${field} must be an installment`);
    if (!Number.isSafeInteger(inst.seq)) {
      throw new DomainError(`${field}.seq`, `${field}.seq must be an integer`);
    }
    if (seqs.has(inst.seq)) throw new DomainError(`${field}.seq`, `${field}.seq repeats ${inst.seq}`);
    seqs.add(inst.seq);
    toLocalDate(inst.dueDate, `${field}.dueDate`);
    const paid = zeroParts();
    for (const c of COMPONENTS) {
      if (c !== 'penalty' || inst.penalty !== undefined) assertNonNegative(inst[c], `${field}.${c}`);
      const p = inst.paid?.[c] ?? 0;
      assertNonNegative(p, `${field}.paid.${c}`);
      if (p > charged(inst, c)) {
        throw new DomainError(
          `${field}.paid.${c}`,
          `${field}.paid.${c} (${p}) exceeds the ${c} charged (${charged(inst, c)})`,
        );
      }
      paid[c] = p;
    }
    return {
      ...inst,
      paid,
      status: inst.status ?? (sumParts(paid) > 0 ? 'partially_paid' : 'pending'),
    } as Row<T>;
  });
  return rows.sort((a, b) => (a.dueDate === b.dueDate ? a.seq - b.seq : a.dueDate < b.dueDate ? -1 : 1));
}

function restoreInputOrder<T extends Receivable>(
  input: readonly T[],
  rows: Row<T>[],
): AllocatedInstallment<T>[] {
  const bySeq = new Map(rows.map((r) => [r.seq, r]));
  return input.map((inst) => bySeq.get(inst.seq) as Row<T>);
}

function charged(inst: Receivable, c: Component): number {
  return c === 'penalty' ? (inst.penalty ?? 0) : inst[c];
}

function isSettled(row: Row<Receivable>): boolean {
  return COMPONENTS.every((c) => row.paid[c] === charged(row, c));
}

function assertNonNegative(n: number, field: string): void {
  assertMinor(n, field);
  if (n < 0) throw new DomainError(field, `${field} must not be negative, got ${n}`);
}

function zeroParts(): Parts {
  return { penalty: 0, fees: 0, interest: 0, principal: 0 };
}

function sumParts(p: Parts): number {
  return p.penalty + p.fees + p.interest + p.principal;
}

function addAll(list: readonly Parts[]): Parts {
  const t = zeroParts();
  for (const p of list) for (const c of COMPONENTS) t[c] += p[c];
  return t;
}
