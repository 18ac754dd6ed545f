import fc from 'fast-check';
import { allocatePayment, outstandingOf, type Receivable } from '../../domain/allocation';
import {
  assessDelinquency,
  type Bucket,
  bucketFor,
  DEFAULT_BUCKETS,
  LEGACY_BUCKETS,
  type DelinquencyInstallment,
  type DelinquencyPolicy,
  type DelinquencyState,
  type DelinquencyStatus,
  nextDelinquencyEvent,
  parsePolicy,
} from '../../domain/delinquency';
import { addDays, daysBetween } from '../../domain/localdate';
import { expectDomainError } from '../support/domain-error';

const DUE = '2024-01-10';
const one: DelinquencyState = { installments: [{ seq: 1, dueDate: DUE, outstanding: 10_000 }] };
const at = (
  dpd: number,
  state: DelinquencyState = one,
  policy?: Partial<DelinquencyPolicy>,
): DelinquencyStatus => assessDelinquency(state, addDays(DUE, dpd), policy);

/** What must stay constant between two events (DPD itself moves daily). */
const shape = (s: DelinquencyStatus) => ({
  bucket: s.bucket,
  stage: s.stage,
  inGrace: s.inGrace,
  lateChargeable: s.lateChargeable,
  writeOffDue: s.writeOffDue,
});

describe('days past due', () => {
  it('is 0 up to and on the due date and 1 the day after', () => {
    expect(at(-5).dpd).toBe(0);
    expect(at(0).dpd).toBe(0);
    expect(at(0).bucket).toBe('M0');
    expect(at(1).dpd).toBe(1);
  });

  it('grows by exactly one per unpaid day, from the oldest unpaid due date', () => {
    const arb = fc.record({
      dues: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 40 }), unpaid: fc.boolean() }), {
        minLength: 1,
        maxLength: 6,
      }),
      day: fc.integer({ min: -30, max: 400 }),
    });
    fc.assert(
      fc.property(arb, ({ dues, day }) => {
        let due = DUE;
        const installments = dues.map((d, i) => {
          due = addDays(due, d.gap);
          return { seq: i + 1, dueDate: due, outstanding: d.unpaid ? 100 : 0 };
        });
        const state = { installments };
        const today = addDays(DUE, day);
        const s = assessDelinquency(state, today);
        const tomorrow = assessDelinquency(state, addDays(today, 1));
        const oldest = installments.find((i) => i.outstanding > 0)?.dueDate ?? null;
        expect(s.oldestUnpaidDueDate).toBe(oldest);
        if (oldest === null || today < oldest) {
          expect(s.dpd).toBe(0);
        } else {
          expect(s.dpd).toBe(daysBetween(oldest, today));
          expect(tomorrow.dpd).toBe(s.dpd + 1);
        }
      }),
    );
  });

  it('counts a partly paid installment as unpaid', () => {
    const state = { installments: [{ seq: 1, dueDate: DUE, outstanding: 1 }] };
    expect(assessDelinquency(state, addDays(DUE, 12)).dpd).toBe(12);
  });
});

describe('buckets and stages', () => {
  it("changes bucket exactly at each of the seed's boundaries: M1 1–29, M2 30–59, M3 60–89, M4 90+", () => {
    const expected: [number, string, string][] = [
      [1, 'M0', 'M1'],
      [30, 'M1', 'M2'],
      [60, 'M2', 'M3'],
      [90, 'M3', 'M4'],
      [120, 'M4', 'M5'],
      [150, 'M5', 'M6'],
      [180, 'M6', 'M7+'],
    ];
    for (const [first, before, after] of expected) {
      expect(at(first - 1).bucket).toBe(before);
      expect(at(first).bucket).toBe(after);
      expect(bucketFor(first - 1).name).toBe(before);
      expect(bucketFor(first).name).toBe(after);
    }
  });

  it('keeps the earlier ranges (M1 1–30) for loans that began under them', () => {
    const legacy = { buckets: LEGACY_BUCKETS };
    expect([30, 31, 60, 61, 90, 91].map((d) => at(d, one, legacy).bucket)).toEqual([
      'M1',
      'M2',
      'M2',
      'M3',
      'M3',
      'M4',
    ]);
  });

  it('maps buckets to stages: M0 current, M1 early, M2–M3 middle, M4+ late', () => {
    expect([0, 1, 29, 30, 89, 90, 179].map((d) => at(d).stage)).toEqual([
      'current',
      'early',
      'early',
      'middle',
      'middle',
      'late',
      'late',
    ]);
  });

  it('reaches write-off at DPD 180 by default and at the configured threshold otherwise', () => {
    expect(at(179).stage).toBe('late');
    expect(at(179).writeOffDue).toBe(false);
    expect(at(180).stage).toBe('written_off');
    expect(at(180).writeOffDue).toBe(true);
    expect(at(180).bucket).toBe('M7+');
    expect(at(89, one, { writeOffDpd: 90 }).stage).toBe('middle');
    expect(at(90, one, { writeOffDpd: 90 }).stage).toBe('written_off');
  });

  it('keeps a booked write-off written off even after the balance is repaid', () => {
    const repaid = {
      installments: [{ seq: 1, dueDate: DUE, outstanding: 0 }],
      writtenOffOn: addDays(DUE, 180),
    };
    const s = assessDelinquency(repaid, addDays(DUE, 200));
    expect(s).toMatchObject({ dpd: 0, bucket: 'M0', stage: 'written_off', writeOffDue: false });
  });

  it('uses configured bucket ranges', () => {
    const buckets: Bucket[] = [
      { name: 'C', minDpd: 0, maxDpd: 0, stage: 'current' },
      { name: 'X1', minDpd: 1, maxDpd: 15, stage: 'early' },
      { name: 'X2', minDpd: 16, maxDpd: null, stage: 'late' },
    ];
    expect(at(15, one, { buckets }).bucket).toBe('X1');
    expect(at(16, one, { buckets }).bucket).toBe('X2');
    expect(at(16, one, { buckets }).stage).toBe('late');
  });
});

describe('grace', () => {
  const policy = { graceDays: 3 };

  it('keeps DPD counting but holds late charges until grace has passed unpaid', () => {
    for (const d of [1, 2, 3]) {
      expect(at(d, one, policy)).toMatchObject({ dpd: d, bucket: 'M1', inGrace: true, lateChargeable: [] });
    }
    expect(at(4, one, policy)).toMatchObject({ dpd: 4, bucket: 'M1', inGrace: false, lateChargeable: [1] });
    // Once grace has passed, penalty interest runs from the day after the due date.
    expect(at(4, one, policy).penaltyFrom).toBe(addDays(DUE, 1));
  });

  it('announces the end of grace as the next event after the loan turns M1', () => {
    const first = nextDelinquencyEvent(one, DUE, policy);
    expect(first).toMatchObject({
      date: addDays(DUE, 1),
      bucket: 'M1',
      changes: [{ kind: 'bucket', from: 'M0', to: 'M1' }],
    });
    const second = nextDelinquencyEvent(one, first!.date, policy);
    expect(second).toMatchObject({
      date: addDays(DUE, 4),
      changes: [{ kind: 'grace_end', seq: 1, dueDate: DUE }],
    });
  });

  it('with no grace, late charges start the day after the due date together with M1', () => {
    const ev = nextDelinquencyEvent(one, DUE);
    expect(ev!.date).toBe(addDays(DUE, 1));
    expect(ev!.changes).toEqual(
      expect.arrayContaining([
        { kind: 'bucket', from: 'M0', to: 'M1' },
        { kind: 'grace_end', seq: 1, dueDate: DUE },
      ]),
    );
  });
});

describe('cure', () => {
  const schedule: (Receivable & { total: number })[] = [
    { seq: 1, dueDate: '2024-01-10', principal: 9000, interest: 1000, fees: 0, total: 10_000 },
    { seq: 2, dueDate: '2024-02-10', principal: 9100, interest: 900, fees: 0, total: 10_000 },
    { seq: 3, dueDate: '2024-03-10', principal: 9200, interest: 800, fees: 0, total: 10_000 },
  ];
  const toState = (rows: readonly Receivable[]): DelinquencyState => ({
    installments: rows.map((r) => {
      const o = outstandingOf(r);
      return { seq: r.seq, dueDate: r.dueDate, outstanding: o.principal + o.interest + o.fees + o.penalty };
    }),
  });

  it('restarts DPD from the next oldest unpaid installment after the oldest is repaid', () => {
    const today = '2024-03-01';
    const before = assessDelinquency(toState(schedule), today);
    expect(before.dpd).toBe(daysBetween('2024-01-10', today));
    expect(before.bucket).toBe('M2');

    // Overdue interest of every installment comes before overdue principal, so clearing #1 takes its
    // total plus #2's interest; one fen less leaves #1 open and DPD still counts from January.
    const clearing = 10_000 + 900;
    const short = allocatePayment({ installments: schedule, paymentDate: today, amount: clearing - 1 });
    expect(assessDelinquency(toState(short.installments), today).dpd).toBe(before.dpd);

    const { installments } = allocatePayment({
      installments: schedule,
      paymentDate: today,
      amount: clearing,
    });
    const after = assessDelinquency(toState(installments), today);
    expect(after.oldestUnpaidDueDate).toBe('2024-02-10');
    expect(after.dpd).toBe(daysBetween('2024-02-10', today));
    expect(after.bucket).toBe('M1');
    // The next change is counted from the new oldest due date, not from the cured one.
    // DPD 30 of #2 (M2) falls on the day #3's grace ends: one event carries both.
    expect(nextDelinquencyEvent(toState(installments), today)).toMatchObject({
      date: addDays('2024-02-10', 30),
      changes: [
        { kind: 'bucket', from: 'M1', to: 'M2' },
        { kind: 'grace_end', seq: 3 },
      ],
    });
  });

  it('returns to M0 when everything past due is repaid', () => {
    const today = '2024-03-01';
    const { installments } = allocatePayment({ installments: schedule, paymentDate: today, amount: 20_000 });
    const s = assessDelinquency(toState(installments), today);
    expect(s).toMatchObject({ dpd: 0, bucket: 'M0', stage: 'current', oldestUnpaidDueDate: '2024-03-10' });
  });

  it('has nothing to announce once the loan is settled', () => {
    const { installments } = allocatePayment({
      installments: schedule,
      paymentDate: '2024-01-05',
      amount: 30_000,
      order: ['due.interest', 'due.principal', 'future.interest', 'future.principal'],
    });
    expect(nextDelinquencyEvent(toState(installments), '2024-01-05')).toBeNull();
  });
});

describe('nextDelinquencyEvent', () => {
  const bucketSets: Bucket[][] = [
    [...DEFAULT_BUCKETS],
    [
      { name: 'C', minDpd: 0, maxDpd: 0, stage: 'current' },
      { name: 'X1', minDpd: 1, maxDpd: 9, stage: 'early' },
      { name: 'X2', minDpd: 10, maxDpd: 44, stage: 'middle' },
      { name: 'X3', minDpd: 45, maxDpd: null, stage: 'late' },
    ],
  ];
  const arb = fc.record({
    dues: fc.array(fc.record({ gap: fc.integer({ min: 0, max: 40 }), unpaid: fc.boolean() }), {
      minLength: 1,
      maxLength: 5,
    }),
    day: fc.integer({ min: -20, max: 260 }),
    graceDays: fc.integer({ min: 0, max: 10 }),
    writeOffDpd: fc.integer({ min: 20, max: 200 }),
    buckets: fc.constantFrom(...bucketSets),
  });

  it('is exactly the day the status changes, and nothing changes before it', () => {
    fc.assert(
      fc.property(arb, ({ dues, day, graceDays, writeOffDpd, buckets }) => {
        let due = DUE;
        const installments: DelinquencyInstallment[] = dues.map((d, i) => {
          due = addDays(due, d.gap);
          return { seq: i + 1, dueDate: due, outstanding: d.unpaid ? 500 : 0 };
        });
        const state = { installments };
        const policy = { graceDays, writeOffDpd, buckets };
        const today = addDays(DUE, day);
        const now = assessDelinquency(state, today, policy);
        const ev = nextDelinquencyEvent(state, today, policy);
        if (ev === null) {
          // Nothing left to change: far in the future the status looks the same.
          expect(shape(assessDelinquency(state, addDays(today, 1000), policy))).toEqual(shape(now));
          return;
        }
        expect(ev.date > today).toBe(true);
        const dayBefore = assessDelinquency(state, addDays(ev.date, -1), policy);
        const onTheDay = assessDelinquency(state, ev.date, policy);
        expect(shape(dayBefore)).toEqual(shape(now));
        expect(shape(onTheDay)).not.toEqual(shape(now));
        expect({ dpd: onTheDay.dpd, bucket: onTheDay.bucket, stage: onTheDay.stage }).toEqual({
          dpd: ev.dpd,
          bucket: ev.bucket,
          stage: ev.stage,
        });
        for (const change of ev.changes) {
          if (change.kind === 'bucket') {
            expect([dayBefore.bucket, onTheDay.bucket]).toEqual([change.from, change.to]);
          } else if (change.kind === 'write_off') {
            expect([dayBefore.writeOffDue, onTheDay.writeOffDue]).toEqual([false, true]);
          } else {
            expect(dayBefore.lateChargeable).not.toContain(change.seq);
            expect(onTheDay.lateChargeable).toContain(change.seq);
          }
        }
        // Spot-check the days in between: no change is skipped.
        const gap = daysBetween(today, ev.date);
        for (const k of [1, Math.floor(gap / 2), gap - 1]) {
          if (k >= 1 && k < gap)
            expect(shape(assessDelinquency(state, addDays(today, k), policy))).toEqual(shape(now));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('announces write-off at the threshold', () => {
    const ev = nextDelinquencyEvent(one, addDays(DUE, 170));
    expect(ev).toMatchObject({
      date: addDays(DUE, 180),
      dpd: 180,
      stage: 'written_off',
      bucket: 'M7+',
      changes: [{ kind: 'bucket', from: 'M6', to: 'M7+' }, { kind: 'write_off' }],
    });
    expect(nextDelinquencyEvent(one, addDays(DUE, 180))).toBeNull();
  });
});

describe('bad input', () => {
  it('names the offending field', () => {
    const today = '2024-02-01';
    expectDomainError(() => assessDelinquency(one, '2024-02-30'), 'today');
    expectDomainError(() => assessDelinquency({ installments: 'x' } as never, today), 'installments');
    expectDomainError(
      () => assessDelinquency({ installments: [{ seq: 1, dueDate: '2024-1-10', outstanding: 1 }] }, today),
      'installments[0].dueDate',
    );
    expectDomainError(
      () => assessDelinquency({ installments: [{ seq: 1, dueDate: DUE, outstanding: -1 }] }, today),
      'installments[0].outstanding',
    );
    expectDomainError(
      () => assessDelinquency({ installments: [{ seq: 1.5, dueDate: DUE, outstanding: 1 }] }, today),
      'installments[0].seq',
    );
    expectDomainError(() => assessDelinquency({ ...one, writtenOffOn: 'yesterday' }, today), 'writtenOffOn');
    expectDomainError(() => parsePolicy({ graceDays: -1 }), 'policy.graceDays');
    expectDomainError(() => parsePolicy({ writeOffDpd: 0 }), 'policy.writeOffDpd');
    const b = [...DEFAULT_BUCKETS];
    expectDomainError(() => parsePolicy({ buckets: [] }), 'policy.buckets');
    expectDomainError(
      () => parsePolicy({ buckets: [b[0]!, { ...b[1]!, minDpd: 2 }, ...b.slice(2)] }),
      'policy.buckets[1].minDpd',
    );
    expectDomainError(
      () => parsePolicy({ buckets: [b[0]!, { ...b[1]!, maxDpd: 0 }, ...b.slice(2)] }),
      'policy.buckets[1].maxDpd',
    );
    expectDomainError(
      () => parsePolicy({ buckets: [...b.slice(0, -1), { ...b[7]!, maxDpd: 365 }] }),
      'policy.buckets[7].maxDpd',
    );
    expectDomainError(
      () => parsePolicy({ buckets: [b[0]!, { ...b[1]!, name: 'M0' }, ...b.slice(2)] }),
      'policy.buckets[1].name',
    );
    expectDomainError(
      () => parsePolicy({ buckets: [b[0]!, { ...b[1]!, stage: 'doomed' as never }, ...b.slice(2)] }),
      'policy.buckets[1].stage',
    );
    expectDomainError(() => bucketFor(-1), 'dpd');
    expectDomainError(() => nextDelinquencyEvent(one, 'soon'), 'today');
  });
});
