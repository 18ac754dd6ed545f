import fc from 'fast-check';
import {
  type CollectionStrategy,
  contactSlot,
  DEFAULT_STRATEGY,
  isContact,
  isWithinContactHours,
  nextStrategyStep,
  parseStrategy,
  stepKey,
} from '../../domain/collection';
import { bucketFor } from '../../domain/delinquency';
import { addDays, instantOfLocal, localDateTimeAt } from '../../domain/localdate';
import { expectDomainError } from '../support/domain-error';

const MINUTE = 60_000;
const DUE = '2024-01-10';
const ZONES = ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'America/New_York', 'Asia/Shanghai', 'UTC'];

const clone = (): Record<string, unknown> => JSON.parse(JSON.stringify(DEFAULT_STRATEGY));
const withStep = (i: number, patch: Record<string, unknown>) => {
  const s = clone();
  const steps = s.steps as Record<string, unknown>[];
  steps[i] = { ...steps[i], ...patch };
  return s;
};
const wall = (t: number, zone: string) => {
  const w = localDateTimeAt(t, zone);
  return `${w.date} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
};
/** Runs steps the way the workflow does: perform whatever is next on its date, until none is left. */
const walk = (today: string, done: string[] = []) => {
  const performed: { key: string; date: string }[] = [];
  for (let next = nextStrategyStep(DEFAULT_STRATEGY, DUE, today, done); next;) {
    performed.push({ key: next.key, date: next.date });
    done.push(next.key);
    next = nextStrategyStep(DEFAULT_STRATEGY, DUE, next.date, done);
  }
  return performed;
};

describe('DEFAULT_STRATEGY', () => {
  it('is a valid strategy, deep-frozen, with each step in its own bucket', () => {
    expect(parseStrategy(DEFAULT_STRATEGY)).toEqual(DEFAULT_STRATEGY);
    expect(Object.isFrozen(DEFAULT_STRATEGY.steps[0])).toBe(true);
    expect(Object.isFrozen(DEFAULT_STRATEGY.contactHours)).toBe(true);
    expect(() => (DEFAULT_STRATEGY.steps as unknown[]).push({})).toThrow();
    for (const s of DEFAULT_STRATEGY.steps) expect(s.bucket).toBe(bucketFor(s.dpd).name);
  });

  it('escalates from reminders to calls, agency and legal notice by bucket', () => {
    const byKind = (kind: string) => DEFAULT_STRATEGY.steps.filter((s) => s.kind === kind).map((s) => s.dpd);
    expect(byKind('sms')).toEqual([1, 7, 15, 25, 40]);
    expect(byKind('autopay_retry')).toEqual([3, 7, 14, 21, 28]);
    expect(byKind('call_task')).toEqual([31, 45]);
    expect(byKind('agency')).toEqual([61]);
    expect(byKind('legal_notice')).toEqual([91]);
    expect(DEFAULT_STRATEGY.contactHours).toEqual({ from: '08:00', to: '20:00' });
  });
});

describe('isContact', () => {
  it('counts only what reaches the borrower', () => {
    expect(['sms', 'push', 'call_task'].every((k) => isContact(k as never))).toBe(true);
    expect(['autopay_retry', 'agency', 'legal_notice'].some((k) => isContact(k as never))).toBe(false);
  });
});

describe('parseStrategy', () => {
  it('refuses malformed tables, naming the field', () => {
    expectDomainError(() => parseStrategy(null), 'strategy');
    expectDomainError(() => parseStrategy({ ...clone(), steps: [] }, 'cfg'), 'cfg.steps');
    expectDomainError(() => parseStrategy(withStep(0, { kind: 'email' })), 'strategy.steps[0].kind');
    expectDomainError(() => parseStrategy(withStep(0, { dpd: 0, bucket: 'M0' })), 'strategy.steps[0].dpd');
    expectDomainError(() => parseStrategy(withStep(0, { dpd: 1.5 })), 'strategy.steps[0].dpd');
    expectDomainError(() => parseStrategy(withStep(10, { bucket: 'M1' })), 'strategy.steps[10].bucket');
    expectDomainError(() => parseStrategy(withStep(0, { at: '9:00' })), 'strategy.steps[0].at');
    expectDomainError(() => parseStrategy(withStep(0, { template: '' })), 'strategy.steps[0].template');
  });

  it('keeps contacts inside contact hours but lets card retries run at any time', () => {
    expectDomainError(() => parseStrategy(withStep(0, { at: '07:59' })), 'strategy.steps[0].at');
    expectDomainError(() => parseStrategy(withStep(0, { at: '20:00' })), 'strategy.steps[0].at');
    expect(parseStrategy(withStep(0, { at: '19:59' })).steps[0]!.at).toBe('19:59');
    expect(parseStrategy(withStep(2, { at: '02:00' })).steps[2]!.at).toBe('02:00');
  });

  it('refuses out-of-order and duplicate steps', () => {
    expectDomainError(() => parseStrategy(withStep(1, { dpd: 29, bucket: 'M1' })), 'strategy.steps[2].dpd');
    expectDomainError(() => parseStrategy(withStep(1, { kind: 'autopay_retry' })), 'strategy.steps[2]');
  });

  it('refuses limits and hours outside the business rules (docs/design.md)', () => {
    expectDomainError(
      () => parseStrategy({ ...clone(), maxContactsPerDay: 0 }),
      'strategy.maxContactsPerDay',
    );
    expectDomainError(() => parseStrategy({ ...clone(), promiseGraceDays: -1 }), 'strategy.promiseGraceDays');
    expectDomainError(() => parseStrategy({ ...clone(), maxPromiseDays: 0 }), 'strategy.maxPromiseDays');
    const hours = (from: string, to: string) => parseStrategy({ ...clone(), contactHours: { from, to } });
    expectDomainError(() => hours('07:00', '20:00'), 'strategy.contactHours');
    expectDomainError(() => hours('08:00', '21:00'), 'strategy.contactHours');
    expectDomainError(() => hours('12:00', '12:00'), 'strategy.contactHours');
    expect(hours('09:00', '18:00').contactHours).toEqual({ from: '09:00', to: '18:00' });
  });

  it('returns a mutable copy, not the frozen default', () => {
    const s = parseStrategy(DEFAULT_STRATEGY);
    expect(Object.isFrozen(s.steps)).toBe(false);
    expect(s.steps).not.toBe(DEFAULT_STRATEGY.steps);
  });
});

describe('stepKey', () => {
  it('is unique within the default strategy', () => {
    const keys = DEFAULT_STRATEGY.steps.map(stepKey);
    expect(new Set(keys).size).toBe(keys.length);
    expect(stepKey({ kind: 'sms', dpd: 7 })).toBe('sms:7');
  });
});

describe('nextStrategyStep', () => {
  it('performs every step once, on its DPD, when started on the first day overdue', () => {
    const performed = walk(addDays(DUE, 1));
    expect(performed.map((p) => p.key)).toEqual(DEFAULT_STRATEGY.steps.map(stepKey));
    for (const [i, p] of performed.entries())
      expect(p.date).toBe(addDays(DUE, DEFAULT_STRATEGY.steps[i]!.dpd));
  });

  it('is dated today for a step already due and in the future for one that is not', () => {
    expect(nextStrategyStep(DEFAULT_STRATEGY, DUE, addDays(DUE, 2), ['sms:1'])).toMatchObject({
      key: 'push:3',
      date: addDays(DUE, 3),
    });
    expect(nextStrategyStep(DEFAULT_STRATEGY, DUE, addDays(DUE, 5), ['sms:1'])).toMatchObject({
      key: 'push:3',
      date: addDays(DUE, 5),
    });
  });

  it('skips steps of buckets the loan has left and never catches them up', () => {
    const next = nextStrategyStep(DEFAULT_STRATEGY, DUE, addDays(DUE, 33), []);
    expect(next).toMatchObject({ key: 'call_task:31', date: addDays(DUE, 33) });
    expect(walk(addDays(DUE, 95)).map((p) => p.key)).toEqual(['legal_notice:91']);
  });

  it('lets a later due step of the same kind supersede a missed one', () => {
    // Paused by a promise from DPD 2 to DPD 16: one SMS and one card retry, not a burst of each.
    const done = ['sms:1'];
    const keys = walk(addDays(DUE, 16), done).map((p) => p.key);
    expect(keys.slice(0, 3)).toEqual(['push:3', 'autopay_retry:14', 'sms:15']);
    expect(keys).not.toContain('sms:7');
    expect(keys).not.toContain('autopay_retry:7');
  });

  it('is null when everything is done or left behind', () => {
    expect(nextStrategyStep(DEFAULT_STRATEGY, DUE, addDays(DUE, 200), [])).toBeNull();
    const all = DEFAULT_STRATEGY.steps.map(stepKey);
    expect(nextStrategyStep(DEFAULT_STRATEGY, DUE, addDays(DUE, 1), all)).toBeNull();
  });

  it('never dates a step before today nor picks one from an earlier bucket', () => {
    const arb = fc.record({
      dpd: fc.integer({ min: 0, max: 120 }),
      done: fc.subarray(DEFAULT_STRATEGY.steps.map(stepKey)),
    });
    fc.assert(
      fc.property(arb, ({ dpd, done }) => {
        const today = addDays(DUE, dpd);
        const next = nextStrategyStep(DEFAULT_STRATEGY, DUE, today, done);
        if (!next) return;
        expect(next.date >= today).toBe(true);
        expect(done).not.toContain(next.key);
        expect(next.step.dpd).toBeGreaterThanOrEqual(bucketFor(dpd).minDpd);
      }),
    );
  });
});

describe('contactSlot', () => {
  const at = (date: string, time: string, zone: string) => instantOfLocal(date, time, zone);

  it('keeps an instant already inside hours on a day below the limit', () => {
    const t = at('2024-03-01', '10:15', 'Asia/Shanghai');
    expect(contactSlot(t, 'Asia/Shanghai', DEFAULT_STRATEGY, { '2024-03-01': 2 })).toBe(t);
  });

  it('waits for 08:00 before hours and moves to the next morning at 20:00', () => {
    const zone = 'Asia/Shanghai';
    expect(contactSlot(at('2024-03-01', '06:00', zone), zone, DEFAULT_STRATEGY, {})).toBe(
      at('2024-03-01', '08:00', zone),
    );
    expect(contactSlot(at('2024-03-01', '20:00', zone), zone, DEFAULT_STRATEGY, {})).toBe(
      at('2024-03-02', '08:00', zone),
    );
    expect(contactSlot(at('2024-03-01', '19:59', zone) + 59_999, zone, DEFAULT_STRATEGY, {})).toBe(
      at('2024-03-01', '19:59', zone) + 59_999,
    );
  });

  it('skips days already at the limit, on the borrower calendar', () => {
    const zone = 'Asia/Shanghai';
    const full = { '2024-03-01': 3, '2024-03-02': 5 };
    expect(contactSlot(at('2024-03-01', '07:00', zone), zone, DEFAULT_STRATEGY, full)).toBe(
      at('2024-03-03', '08:00', zone),
    );
  });

  it('uses the local day in zones at both ends of the clock', () => {
    // 20:00 UTC on 1 March is 10:00 on the 2nd in Kiritimati (UTC+14) and 09:00 on the 1st in Pago Pago (UTC−11).
    const t = Date.UTC(2024, 2, 1, 20);
    expect(contactSlot(t, 'Pacific/Kiritimati', DEFAULT_STRATEGY, { '2024-03-01': 3 })).toBe(t);
    expect(contactSlot(t, 'Pacific/Kiritimati', DEFAULT_STRATEGY, { '2024-03-02': 3 })).toBe(
      Date.UTC(2024, 2, 2, 18),
    );
    expect(contactSlot(t, 'Pacific/Pago_Pago', DEFAULT_STRATEGY, { '2024-03-02': 3 })).toBe(t);
    expect(contactSlot(t, 'Pacific/Pago_Pago', DEFAULT_STRATEGY, { '2024-03-01': 3 })).toBe(
      Date.UTC(2024, 2, 2, 19),
    );
  });

  it('follows the wall clock across DST changes in New York', () => {
    const zone = 'America/New_York';
    // Spring forward on 10 March 2024: 08:00 is 12:00 UTC instead of 13:00.
    expect(contactSlot(Date.UTC(2024, 2, 10, 1), zone, DEFAULT_STRATEGY, {})).toBe(Date.UTC(2024, 2, 10, 12));
    // 00:30 UTC is still 19:30 on the 9th: fine unless the 9th is full.
    const lateOn9th = Date.UTC(2024, 2, 10, 0, 30);
    expect(contactSlot(lateOn9th, zone, DEFAULT_STRATEGY, {})).toBe(lateOn9th);
    expect(contactSlot(lateOn9th, zone, DEFAULT_STRATEGY, { '2024-03-09': 3 })).toBe(
      Date.UTC(2024, 2, 10, 12),
    );
    // Fall back on 3 November 2024: 20:00 EST is 01:00 UTC the next day, so 00:30 UTC is still 19:30.
    const evening = Date.UTC(2024, 10, 4, 0, 30);
    expect(contactSlot(evening, zone, DEFAULT_STRATEGY, {})).toBe(evening);
    expect(contactSlot(evening, zone, DEFAULT_STRATEGY, { '2024-11-03': 3 })).toBe(Date.UTC(2024, 10, 4, 13));
  });

  it('honours narrower strategy hours and refuses wider ones', () => {
    const zone = 'UTC';
    const narrow: CollectionStrategy = { ...DEFAULT_STRATEGY, contactHours: { from: '09:30', to: '17:00' } };
    expect(contactSlot(Date.UTC(2024, 0, 1, 8), zone, narrow, {})).toBe(Date.UTC(2024, 0, 1, 9, 30));
    expect(contactSlot(Date.UTC(2024, 0, 1, 17), zone, narrow, {})).toBe(Date.UTC(2024, 0, 2, 9, 30));
    const wide: CollectionStrategy = { ...DEFAULT_STRATEGY, contactHours: { from: '06:00', to: '22:00' } };
    expectDomainError(() => contactSlot(Date.UTC(2024, 0, 1, 7), zone, wide, {}), 'strategy.contactHours');
  });

  it('is always inside hours, never on a day at the limit, and the earliest such instant', () => {
    const arb = fc.record({
      t: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2060, 0, 1) }),
      zone: fc.constantFrom(...ZONES),
      // Counts for the wanted local day and the days after it; some at or above the limit.
      counts: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 6 }),
      limit: fc.integer({ min: 1, max: 3 }),
    });
    fc.assert(
      fc.property(arb, ({ t, zone, counts, limit }) => {
        const strategy = { ...DEFAULT_STRATEGY, maxContactsPerDay: limit };
        const first = localDateTimeAt(t, zone).date;
        const byDay = Object.fromEntries(counts.map((c, i) => [addDays(first, i), c]));
        const slot = contactSlot(t, zone, strategy, byDay);
        const allowed = (x: number) =>
          isWithinContactHours(x, zone) && (byDay[localDateTimeAt(x, zone).date] ?? 0) < limit;
        expect(slot).toBeGreaterThanOrEqual(t);
        expect(allowed(slot)).toBe(true);
        if (slot > t) expect(allowed(slot - 1)).toBe(false);
        for (let x = t; x < slot; x += 10 * MINUTE) expect(allowed(x)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('opens at 08:00 wall-clock time on every day of the year, DST days included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 365 * 3 }),
        fc.constantFrom(...ZONES),
        fc.integer({ min: 0, max: 8 * 60 - 1 }),
        (day, zone, minutes) => {
          const date = addDays('2023-01-01', day);
          const early = at(date, '00:00', zone) + minutes * MINUTE;
          // Before 08:00 local (DST moves midnight-to-08:00 by at most an hour).
          if (wall(early, zone) >= `${date} 08:00` || wall(early, zone) < `${date} 00:00`) return;
          expect(wall(contactSlot(early, zone, DEFAULT_STRATEGY, {}), zone)).toBe(`${date} 08:00`);
        },
      ),
    );
  });
});

describe('isWithinContactHours', () => {
  it('includes from and excludes to, on the borrower wall clock', () => {
    const zone = 'Asia/Shanghai';
    expect(isWithinContactHours(Date.UTC(2024, 0, 1, 0), zone)).toBe(true); // 08:00
    expect(isWithinContactHours(Date.UTC(2024, 0, 1, 0) - 1, zone)).toBe(false);
    expect(isWithinContactHours(Date.UTC(2024, 0, 1, 12) - 1, zone)).toBe(true); // 19:59:59.999
    expect(isWithinContactHours(Date.UTC(2024, 0, 1, 12), zone)).toBe(false); // 20:00
    expect(isWithinContactHours(Date.UTC(2024, 0, 1, 2), zone, { from: '11:00', to: '12:00' })).toBe(false);
    expect(isWithinContactHours(Date.UTC(2024, 0, 1, 3, 30), zone, { from: '11:00', to: '12:00' })).toBe(
      true,
    );
  });
});
