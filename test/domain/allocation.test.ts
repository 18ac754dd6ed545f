import fc from 'fast-check';
import {
  allocatePayment,
  type AllocationStep,
  COMPONENTS,
  DEFAULT_ORDER,
  outstandingOf,
  type Parts,
  PREPAYMENT_ORDER,
  type Receivable,
  reverseAllocation,
  TIMINGS,
} from '../../domain/allocation';
import { addDays } from '../../domain/localdate';
import { expectDomainError } from '../support/domain-error';

type Inst = Receivable & { total: number; balanceAfter: number; paid: Parts; status: string };

const sumParts = (p: Parts): number => p.penalty + p.fees + p.interest + p.principal;

function inst(seq: number, dueDate: string, charged: Partial<Parts>, paid: Partial<Parts> = {}): Inst {
  const c = { penalty: 0, fees: 0, interest: 0, principal: 0, ...charged };
  const p = { penalty: 0, fees: 0, interest: 0, principal: 0, ...paid };
  const settled = COMPONENTS.every((k) => p[k] === c[k]);
  return {
    seq,
    dueDate,
    ...c,
    total: c.principal + c.interest + c.fees,
    balanceAfter: 0,
    paid: p,
    status: settled && sumParts(c) > 0 ? 'paid' : sumParts(p) > 0 ? 'partially_paid' : 'pending',
  };
}

const ALL_STEPS: AllocationStep[] = TIMINGS.flatMap((t) =>
  COMPONENTS.map((c) => `${t}.${c}` as AllocationStep),
);

/** Any loan state: up to 8 monthly installments, each partly paid in any way, statuses consistent. */
const stateArb = fc
  .record({
    start: fc.integer({ min: 0, max: 3000 }),
    rows: fc.array(
      fc.record({
        charged: fc.record({
          penalty: fc.integer({ min: 0, max: 5_000 }),
          fees: fc.integer({ min: 0, max: 5_000 }),
          interest: fc.integer({ min: 0, max: 50_000 }),
          principal: fc.integer({ min: 0, max: 500_000 }),
        }),
        paidShare: fc.record({
          penalty: fc.double({ min: 0, max: 1, noNaN: true }),
          fees: fc.double({ min: 0, max: 1, noNaN: true }),
          interest: fc.double({ min: 0, max: 1, noNaN: true }),
          principal: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        gap: fc.integer({ min: 0, max: 45 }),
      }),
      { minLength: 1, maxLength: 8 },
    ),
    payDay: fc.integer({ min: -20, max: 400 }),
    amount: fc.integer({ min: 1, max: 2_000_000 }),
    order: fc.oneof(
      fc.constant([...DEFAULT_ORDER]),
      fc.constant([...PREPAYMENT_ORDER]),
      fc.shuffledSubarray(ALL_STEPS, { minLength: 1 }),
    ),
  })
  .map(({ start, rows, payDay, amount, order }) => {
    const first = addDays('2020-01-15', start);
    let due = first;
    const installments = rows.map((r, i) => {
      due = addDays(due, r.gap);
      const paid = Object.fromEntries(
        COMPONENTS.map((k) => [k, Math.floor(r.charged[k] * r.paidShare[k])]),
      ) as unknown as Parts;
      return inst(i + 1, due, r.charged, paid);
    });
    return { installments, paymentDate: addDays(first, payDay), amount, order };
  });

describe('allocatePayment', () => {
  it('conserves money exactly: allocations plus credit balance equal the amount, for any payment and state', () => {
    fc.assert(
      fc.property(stateArb, (input) => {
        const { allocation, installments } = allocatePayment(input);
        const allocated = allocation.installments.reduce((s, l) => s + l.total, 0);
        expect(allocated + allocation.creditBalance).toBe(input.amount);
        expect(sumParts(allocation.totals)).toBe(allocated);
        expect(allocation.creditBalance).toBeGreaterThanOrEqual(0);
        for (const line of allocation.installments) {
          expect(sumParts(line)).toBe(line.total);
          expect(line.timing).toBe(expectedTiming(input, line.seq));
        }
        installments.forEach((after, i) => {
          const before = input.installments[i]!;
          const line = allocation.installments.find((l) => l.seq === before.seq);
          for (const c of COMPONENTS) {
            expect(after.paid[c]).toBe(before.paid[c] + (line ? line[c] : 0));
            expect(after.paid[c]).toBeLessThanOrEqual(c === 'penalty' ? (after.penalty ?? 0) : after[c]);
          }
          expect(after.total).toBe(before.total);
        });
      }),
      { numRuns: 500 },
    );
  });

  it('fills steps strictly in order: a step gets money only when every earlier step is settled', () => {
    fc.assert(
      fc.property(stateArb, (input) => {
        const { allocation, installments } = allocatePayment(input);
        const owing = (step: AllocationStep): number => {
          const [timing, component] = step.split('.') as [string, keyof Parts];
          return installments
            .filter((i) => expectedTiming(input, i.seq) === timing)
            .reduce((s, i) => s + outstandingOf(i)[component], 0);
        };
        const received = (step: AllocationStep): number => {
          const [timing, component] = step.split('.') as [string, keyof Parts];
          return allocation.installments
            .filter((l) => l.timing === timing)
            .reduce((s, l) => s + l[component], 0);
        };
        input.order.forEach((step, k) => {
          if (received(step) > 0)
            for (const earlier of input.order.slice(0, k)) expect(owing(earlier)).toBe(0);
        });
        if (allocation.creditBalance > 0) for (const step of input.order) expect(owing(step)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('marks installments paid or partially paid', () => {
    fc.assert(
      fc.property(stateArb, (input) => {
        const { allocation, installments } = allocatePayment(input);
        for (const line of allocation.installments) {
          const after = installments.find((i) => i.seq === line.seq)!;
          expect(after.status).toBe(sumParts(outstandingOf(after)) === 0 ? 'paid' : 'partially_paid');
        }
      }),
    );
  });

  it('follows the default order: penalty, fees, overdue interest, overdue principal, current interest, current principal', () => {
    const installments = [
      inst(1, '2024-01-10', { penalty: 300, fees: 100, interest: 1000, principal: 10_000 }),
      inst(2, '2024-02-10', { penalty: 200, fees: 100, interest: 900, principal: 10_100 }),
      inst(3, '2024-03-10', { fees: 100, interest: 800, principal: 10_200 }),
      inst(4, '2024-04-10', { fees: 100, interest: 700, principal: 10_300 }),
    ];
    // On 2024-03-01 #1 and #2 are overdue, #3 is the current installment, #4 lies in the future.
    const penalties = 300 + 200;
    const fees = 100 + 100 + 100;
    const overdue = 1000 + 900 + 10_000 + 10_100;
    const { allocation, installments: after } = allocatePayment({
      installments,
      paymentDate: '2024-03-01',
      amount: penalties + fees + overdue + 800 + 50,
    });
    expect(allocation.installments.map((l) => [l.seq, l.timing])).toEqual([
      [1, 'overdue'],
      [2, 'overdue'],
      [3, 'due'],
    ]);
    expect(allocation.installments[2]).toMatchObject({ fees: 100, interest: 800, principal: 50, penalty: 0 });
    expect(allocation.creditBalance).toBe(0);
    expect(after.map((i) => i.status)).toEqual(['paid', 'paid', 'partially_paid', 'pending']);

    // Interest of both overdue installments is settled before the principal of the oldest.
    const short = allocatePayment({
      installments,
      paymentDate: '2024-03-01',
      amount: penalties + fees + 1900 + 10,
    });
    expect(short.allocation.installments.map((l) => [l.seq, l.interest, l.principal])).toEqual([
      [1, 1000, 10],
      [2, 900, 0],
      [3, 0, 0],
    ]);
  });

  it('treats the due date itself as payable on time', () => {
    const installments = [inst(1, '2024-03-10', { interest: 500, principal: 5000 })];
    const { allocation } = allocatePayment({ installments, paymentDate: '2024-03-10', amount: 100 });
    expect(allocation.installments[0]!.timing).toBe('due');
    const late = allocatePayment({ installments, paymentDate: '2024-03-11', amount: 100 });
    expect(late.allocation.installments[0]!.timing).toBe('overdue');
  });

  it('holds an overpayment as credit, and touches future principal only when the order says so', () => {
    const installments = [
      inst(1, '2024-03-10', { interest: 500, principal: 5000 }),
      inst(2, '2024-04-10', { interest: 450, principal: 5050 }),
    ];
    const payOn1March = (amount: number, order?: readonly string[]) =>
      allocatePayment({ installments, paymentDate: '2024-03-01', amount, order });
    const plain = payOn1March(7000);
    expect(plain.allocation.creditBalance).toBe(7000 - 5500);
    expect(plain.installments[1]!.paid).toEqual({ penalty: 0, fees: 0, interest: 0, principal: 0 });

    const prepay = payOn1March(7000, PREPAYMENT_ORDER);
    expect(prepay.allocation.creditBalance).toBe(0);
    expect(prepay.installments[1]!.paid).toEqual({ penalty: 0, fees: 0, interest: 0, principal: 1500 });

    const everything = payOn1March(20_000, PREPAYMENT_ORDER);
    expect(everything.allocation.creditBalance).toBe(20_000 - 5500 - 5050);
  });

  it('leaves its input untouched', () => {
    const installments = [inst(1, '2024-03-10', { interest: 500, principal: 5000 })];
    const copy = JSON.parse(JSON.stringify(installments)) as unknown;
    allocatePayment({ installments, paymentDate: '2024-03-01', amount: 600 });
    expect(installments).toEqual(copy);
  });

  it('produces plain JSON', () => {
    const installments = [inst(1, '2024-03-10', { interest: 500, principal: 5000 })];
    const result = allocatePayment({ installments, paymentDate: '2024-03-01', amount: 6000 });
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('refuses bad input, naming the field', () => {
    const ok = [inst(1, '2024-03-10', { interest: 500, principal: 5000 })];
    const run = (patch: Record<string, unknown>) => () =>
      allocatePayment({ installments: ok, paymentDate: '2024-03-01', amount: 100, ...patch } as never);
    expectDomainError(run({ amount: 0 }), 'amount');
    expectDomainError(run({ amount: -5 }), 'amount');
    expectDomainError(run({ amount: 1.5 }), 'amount');
    expectDomainError(run({ paymentDate: '2024-02-30' }), 'paymentDate');
    expectDomainError(run({ order: [] }), 'order');
    expectDomainError(run({ order: ['overdue.interest', 'late.principal'] }), 'order[1]');
    expectDomainError(run({ order: ['overdue.interest', 'overdue.interest'] }), 'order[1]');
    expectDomainError(run({ installments: 'none' }), 'installments');
    expectDomainError(run({ installments: [...ok, { ...ok[0] }] }), 'installments[1].seq');
    expectDomainError(
      run({ installments: [{ ...ok[0], dueDate: '10/03/2024' }] }),
      'installments[0].dueDate',
    );
    expectDomainError(run({ installments: [{ ...ok[0], principal: -1 }] }), 'installments[0].principal');
    expectDomainError(run({ installments: [{ ...ok[0], penalty: 0.5 }] }), 'installments[0].penalty');
    expectDomainError(
      run({ installments: [{ ...ok[0], paid: { interest: 501 } }] }),
      'installments[0].paid.interest',
    );
  });
});

describe('reverseAllocation', () => {
  it('restores the state exactly: reverse(allocate(x)) = x', () => {
    fc.assert(
      fc.property(stateArb, (input) => {
        const { allocation, installments } = allocatePayment(input);
        expect(reverseAllocation(installments, allocation)).toEqual(input.installments);
      }),
      { numRuns: 500 },
    );
  });

  it('undoes payments in any order when the amounts allow it', () => {
    fc.assert(
      fc.property(stateArb, fc.integer({ min: 1, max: 1_000_000 }), (input, second) => {
        const a = allocatePayment(input);
        const b = allocatePayment({ ...input, installments: a.installments, amount: second });
        // Reverse the first payment while the second stands, then the second.
        const withoutA = reverseAllocation(b.installments, a.allocation);
        const none = reverseAllocation(withoutA, b.allocation);
        expect(none.map((i) => i.paid)).toEqual(input.installments.map((i) => i.paid));
      }),
      { numRuns: 200 },
    );
  });

  it('reopens a paid installment with the status it had', () => {
    const installments = [inst(1, '2024-03-10', { interest: 500, principal: 5000 })];
    const { allocation, installments: paid } = allocatePayment({
      installments,
      paymentDate: '2024-03-01',
      amount: 5500,
    });
    expect(paid[0]!.status).toBe('paid');
    expect(reverseAllocation(paid, allocation)[0]!.status).toBe('pending');
  });

  it('refuses to reverse money that is no longer there', () => {
    const installments = [inst(1, '2024-03-10', { interest: 500, principal: 5000 })];
    const { allocation, installments: paid } = allocatePayment({
      installments,
      paymentDate: '2024-03-01',
      amount: 600,
    });
    const once = reverseAllocation(paid, allocation);
    expectDomainError(
      () => reverseAllocation(once, allocation),
      'allocation.installments[0].interest',
      'not_reversible',
    );
    expectDomainError(
      () =>
        reverseAllocation(paid, {
          ...allocation,
          installments: [{ ...allocation.installments[0]!, seq: 9 }],
        }),
      'allocation.installments[0].seq',
    );
    expectDomainError(
      () =>
        reverseAllocation(paid, {
          ...allocation,
          installments: [allocation.installments[0]!, allocation.installments[0]!],
        }),
      'allocation.installments[1].seq',
    );
    expectDomainError(() => reverseAllocation(paid, {} as never), 'allocation');
  });
});

/** An installment's timing, derived here independently of the allocator. */
function expectedTiming(
  input: { installments: readonly Receivable[]; paymentDate: string },
  seq: number,
): string {
  const due = input.installments.find((i) => i.seq === seq)!.dueDate;
  if (due < input.paymentDate) return 'overdue';
  const current = input.installments
    .map((i) => i.dueDate)
    .filter((d) => d >= input.paymentDate)
    .sort()[0];
  return due === current ? 'due' : 'future';
}
