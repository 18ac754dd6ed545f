import fc from 'fast-check';
import {
  addDays,
  daysBetween,
  instantOfLocal,
  isTimeZone,
  localClockAt,
  localDateAt,
  localDateTimeAt,
  parseInstant,
  testClockOf,
  testClockZone,
  toLocalDate,
} from '../../domain/localdate';
import { parseIsoDate } from '../../domain/calendar';
import { expectDomainError } from '../support/domain-error';

const HOUR = 3_600_000;
const MINUTE = 60_000;

/** Local wall time as a sortable 'YYYY-MM-DD HH:MM'. */
function wall(epochMs: number, zone: string): string {
  const w = localDateTimeAt(epochMs, zone);
  return `${w.date} ${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`;
}

describe('localDateAt', () => {
  it('splits the same instant around midnight UTC into different borrower dates', () => {
    const midnightUtc = Date.UTC(2024, 2, 1, 0, 0);
    // Shanghai is already in the morning of the 1st, Los Angeles still in the afternoon of the 29th.
    expect(localDateAt(midnightUtc, 'Asia/Shanghai')).toBe('2024-03-01');
    expect(localDateAt(midnightUtc, 'America/Los_Angeles')).toBe('2024-02-29');
    expect(localDateAt(midnightUtc - 1, 'UTC')).toBe('2024-02-29');
    // 16:00 UTC is Shanghai's midnight; LA reaches 1 March at 08:00 UTC (PST, UTC-8).
    expect(localDateAt(Date.UTC(2024, 2, 1, 15, 59, 59, 999), 'Asia/Shanghai')).toBe('2024-03-01');
    expect(localDateAt(Date.UTC(2024, 2, 1, 16), 'Asia/Shanghai')).toBe('2024-03-02');
    expect(localDateAt(Date.UTC(2024, 2, 1, 7, 59), 'America/Los_Angeles')).toBe('2024-02-29');
    expect(localDateAt(Date.UTC(2024, 2, 1, 8), 'America/Los_Angeles')).toBe('2024-03-01');
  });

  it('matches UTC+8 for Shanghai (no DST since 1991) and the ISO date for UTC at any instant', () => {
    const instants = fc.integer({ min: Date.UTC(1992, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(instants, (t) => {
        expect(localDateAt(t, 'UTC')).toBe(new Date(t).toISOString().slice(0, 10));
        expect(localDateAt(t, 'Asia/Shanghai')).toBe(new Date(t + 8 * HOUR).toISOString().slice(0, 10));
        const w = localDateTimeAt(t, 'Asia/Shanghai');
        const iso = new Date(t + 8 * HOUR).toISOString();
        expect([w.hour, w.minute]).toEqual([Number(iso.slice(11, 13)), Number(iso.slice(14, 16))]);
      }),
    );
  });

  it('follows Los Angeles across DST: UTC-8 in winter, UTC-7 in summer', () => {
    expect(localDateTimeAt(Date.UTC(2024, 0, 15, 12), 'America/Los_Angeles')).toEqual({
      date: '2024-01-15',
      hour: 4,
      minute: 0,
    });
    expect(localDateTimeAt(Date.UTC(2024, 6, 15, 12), 'America/Los_Angeles')).toEqual({
      date: '2024-07-15',
      hour: 5,
      minute: 0,
    });
  });

  it('refuses unknown zones and impossible instants', () => {
    expectDomainError(() => localDateAt(0, 'Mars/Olympus_Mons'), 'timeZone');
    expectDomainError(() => localDateAt(0, ''), 'timeZone');
    expectDomainError(() => localDateAt(Number.NaN, 'UTC'), 'epochMs');
    expectDomainError(() => localDateAt(Number.POSITIVE_INFINITY, 'UTC'), 'epochMs');
    expectDomainError(() => localDateTimeAt(Date.UTC(1800, 0, 1), 'UTC'), 'epochMs');
  });
});

describe('instantOfLocal', () => {
  it('gives the instant of an ordinary local time in each zone', () => {
    expect(instantOfLocal('2024-03-01', '08:00', 'Asia/Shanghai')).toBe(Date.UTC(2024, 2, 1, 0));
    expect(instantOfLocal('2024-03-01', '08:00', 'America/Los_Angeles')).toBe(Date.UTC(2024, 2, 1, 16));
    expect(instantOfLocal('2024-07-01', '08:00', 'America/Los_Angeles')).toBe(Date.UTC(2024, 6, 1, 15));
  });

  it('moves a time skipped by a DST gap forward to the end of the gap', () => {
    // 2024-03-10 02:00 PST jumps to 03:00 PDT (10:00 UTC): 02:30 never shows on a LA clock.
    const t = instantOfLocal('2024-03-10', '02:30', 'America/Los_Angeles');
    expect(t).toBe(Date.UTC(2024, 2, 10, 10));
    expect(wall(t, 'America/Los_Angeles')).toBe('2024-03-10 03:00');
    expect(wall(t - 1000, 'America/Los_Angeles')).toBe('2024-03-10 01:59');
    // London springs from 01:00 GMT to 02:00 BST at 01:00 UTC.
    expect(instantOfLocal('2024-03-31', '01:30', 'Europe/London')).toBe(Date.UTC(2024, 2, 31, 1));
  });

  it('lands after a whole skipped day (Samoa moved across the date line on 2011-12-30)', () => {
    const t = instantOfLocal('2011-12-30', '08:00', 'Pacific/Apia');
    expect(localDateAt(t, 'Pacific/Apia')).toBe('2011-12-31');
    expect(localDateAt(t - 1000, 'Pacific/Apia')).toBe('2011-12-29');
  });

  it('takes the first of two occurrences when the clock falls back', () => {
    // 2024-11-03 01:30 happens at 08:30 UTC (PDT) and again at 09:30 UTC (PST).
    const t = instantOfLocal('2024-11-03', '01:30', 'America/Los_Angeles');
    expect(t).toBe(Date.UTC(2024, 10, 3, 8, 30));
    expect(wall(t + HOUR, 'America/Los_Angeles')).toBe('2024-11-03 01:30');
  });

  it('is the first instant at which the local clock reads the requested time or later', () => {
    const zones = [
      'America/Los_Angeles',
      'Europe/London',
      'Asia/Shanghai',
      'Australia/Sydney',
      'America/Sao_Paulo',
    ];
    const arb = fc.record({
      day: fc.integer({ min: 0, max: 365 * 30 }),
      hour: fc.integer({ min: 0, max: 23 }),
      minute: fc.integer({ min: 0, max: 59 }),
      zone: fc.constantFrom(...zones),
    });
    fc.assert(
      fc.property(arb, ({ day, hour, minute, zone }) => {
        const date = addDays('2000-01-01', day);
        const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
        const t = instantOfLocal(date, time, zone);
        expect(wall(t, zone) >= `${date} ${time}`).toBe(true);
        expect(wall(t - 1000, zone) < `${date} ${time}`).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('finds every DST gap of a year in Los Angeles and London', () => {
    for (const zone of ['America/Los_Angeles', 'Europe/London']) {
      for (let day = 0; day < 366; day++) {
        const date = addDays('2024-01-01', day);
        for (const time of ['01:30', '02:30']) {
          const t = instantOfLocal(date, time, zone);
          expect(t % MINUTE).toBe(0);
          expect(wall(t, zone) >= `${date} ${time}`).toBe(true);
        }
      }
    }
  });

  it('refuses bad dates, times and zones, naming the field', () => {
    expectDomainError(() => instantOfLocal('2023-02-30', '08:00', 'UTC'), 'date');
    expectDomainError(() => instantOfLocal('2023-2-1', '08:00', 'UTC'), 'date');
    expectDomainError(() => instantOfLocal('0050-01-01', '08:00', 'UTC'), 'date');
    expectDomainError(() => instantOfLocal('2024-01-01', '24:00', 'UTC'), 'time');
    expectDomainError(() => instantOfLocal('2024-01-01', '8:00', 'UTC'), 'time');
    expectDomainError(() => instantOfLocal('2024-01-01', '08:60', 'UTC'), 'time');
    expectDomainError(() => instantOfLocal('2024-01-01', '08:00', 'Nowhere/Town'), 'timeZone');
  });
});

describe('daysBetween and addDays', () => {
  it('count calendar days across month ends and leap days', () => {
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2023-02-28', '2023-03-01')).toBe(1);
    expect(daysBetween('2024-03-01', '2024-02-28')).toBe(-2);
    expect(addDays('2024-12-31', 1)).toBe('2025-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
  });

  it('are inverses of each other', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60_000 }), fc.integer({ min: -5000, max: 5000 }), (start, n) => {
        const a = addDays('1950-01-01', start);
        const b = addDays(a, n);
        expect(daysBetween(a, b)).toBe(n);
        expect(addDays(b, -n)).toBe(a);
        expect(toLocalDate(b, 'b').toString()).toBe(b);
      }),
    );
  });

  it('refuse bad input, naming the field', () => {
    expectDomainError(() => daysBetween('2024-13-01', '2024-01-01'), 'a');
    expectDomainError(() => daysBetween('2024-01-01', 'tomorrow'), 'b');
    expectDomainError(() => addDays('2024-01-01', 1.5), 'n');
    expectDomainError(() => addDays('2024-02-30', 1), 'date');
    expectDomainError(() => addDays('9999-12-31', 1), 'n');
  });
});

describe('test clock', () => {
  // 5 s per business day from 2026-12-02T02:00:00Z, when its wall clock reads 10:00 in UTC+08:00.
  const epochMs = Date.UTC(2026, 11, 2, 2, 0, 0);
  const zone = testClockZone({ msPerDay: 5_000, epochMs });

  it('reads the UTC+08:00 wall clock at its epoch and runs a day every msPerDay', () => {
    expect(localClockAt(epochMs, zone)).toEqual({ localDate: '2026-12-02', localTime: '10:00' });
    // 14 hours of business time is 14/24 of 5 s.
    expect(localClockAt(epochMs + 2_917, zone)).toEqual({ localDate: '2026-12-03', localTime: '00:00' });
    expect(localDateAt(epochMs + 30 * 5_000, zone)).toBe('2027-01-01');
  });

  it('turns a local date and time into the first instant reading it, for any date and time', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -400, max: 4_000 }),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
        (day, hour, minute) => {
          const date = addDays('2026-12-02', day);
          const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
          const at = instantOfLocal(date, time, zone);
          expect(localClockAt(at, zone)).toEqual({ localDate: date, localTime: time });
          const before = localClockAt(at - 1, zone);
          expect(`${before.localDate} ${before.localTime}` < `${date} ${time}`).toBe(true);
        },
      ),
    );
  });

  it('is never accepted as a borrower time zone, and refuses speeds that do not divide a day', () => {
    expect(isTimeZone(zone)).toBe(false);
    expect(isTimeZone('Asia/Shanghai')).toBe(true);
    expect(testClockOf('test-clock:7000:1764640800000')).toBeUndefined();
    expect(() => testClockZone({ msPerDay: 7_000, epochMs })).toThrow(/not a test clock/);
  });
});

describe('one parser per kind of time', () => {
  test('parseInstant takes ISO instants with Z or an offset and refuses the rest, naming the field', () => {
    expect(parseInstant('2026-12-02T09:00:00Z', 'at')).toBe(Date.UTC(2026, 11, 2, 9));
    expect(parseInstant('2026-12-02T17:00:00+08:00', 'at')).toBe(Date.UTC(2026, 11, 2, 9));
    for (const bad of ['2026-12-02', 'yesterday', '2026-13-02T00:00:00Z', ''])
      expectDomainError(() => parseInstant(bad, 'at'), 'at');
  });

  test("a loan's date is a calendar date (toLocalDate) inside the years a loan may start in", () => {
    expect(parseIsoDate('2024-02-29', 'startDate')).toBe('2024-02-29');
    for (const bad of ['2023-02-29', '2024-2-29', '1899-12-31', '3000-01-01', 20240229])
      expectDomainError(() => parseIsoDate(bad, 'startDate'), 'startDate');
  });
});
