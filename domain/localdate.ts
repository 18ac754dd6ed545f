import { LocalDate } from '@js-joda/core';
import { DomainError } from './errors';

/**
 * The borrower's calendar. Due dates, DPD and contact windows are facts about the borrower's local
 * date, not about UTC, so every instant is turned into a local date through the borrower's IANA zone.
 * Intl.DateTimeFormat carries the tz database and is available inside the Temporal workflow sandbox,
 * which is why it is used instead of a bundled zone table.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const DAY_MS = 86_400_000;
// Before 1900 zones run on local mean time and Intl's year formatting turns era-dependent; no loan lives there.
const MIN_EPOCH_MS = Date.UTC(1900, 0, 2);
const MAX_EPOCH_MS = Date.UTC(9999, 11, 30);

export interface LocalDateTime {
  date: string;
  hour: number;
  minute: number;
}

/** Parses a strict ISO local date ('2024-02-29'); impossible dates such as 2023-02-30 are refused. */
export function toLocalDate(text: string, field: string): LocalDate {
  if (typeof text !== 'string' || !ISO_DATE.test(text)) {
    throw new DomainError(field, `${field} must be a date as YYYY-MM-DD, got "${String(text)}"`);
  }
  try {
    return LocalDate.parse(text);
  } catch {
    throw new DomainError(field, `${field} is not a calendar date: "${text}"`);
  }
}

/** Milliseconds of an ISO instant ('2026-12-02T09:00:00Z' or with an offset); anything else is refused. */
export function parseInstant(text: string, field: string): number {
  const ms = typeof text === 'string' && /^\d{4}-\d{2}-\d{2}T/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms))
    throw new DomainError(field, `${field} must be an ISO instant, got "${String(text)}"`);
  return ms;
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: string, b: string): number {
  return toLocalDate(b, 'b').toEpochDay() - toLocalDate(a, 'a').toEpochDay();
}

export function addDays(date: string, n: number): string {
  if (!Number.isSafeInteger(n)) {
    throw new DomainError('n', `n must be a whole number of days, got ${String(n)}`);
  }
  const result = toLocalDate(date, 'date').plusDays(n);
  if (result.year() < 1 || result.year() > 9999) {
    throw new DomainError('n', `date ${date} plus ${n} days leaves years 1-9999`);
  }
  return result.toString();
}

/** The borrower's calendar date at an instant. */
export function localDateAt(epochMs: number, timeZone: string): string {
  return localDateTimeAt(epochMs, timeZone).date;
}

export function localDateTimeAt(epochMs: number, timeZone: string): LocalDateTime {
  assertEpochMs(epochMs);
  const clock = testClockOf(timeZone);
  const w = clock ? testWallClock(clock, epochMs) : wallClock(formatter(timeZone), epochMs);
  return { date: isoOf(w.year, w.month, w.day), hour: w.hour, minute: w.minute };
}

/** The borrower's wall clock at an instant, as contact logs record it: local date and HH:MM. */
export function localClockAt(epochMs: number, timeZone: string): { localDate: string; localTime: string } {
  const w = localDateTimeAt(epochMs, timeZone);
  return {
    localDate: w.date,
    localTime: `${String(w.hour).padStart(2, '0')}:${String(w.minute).padStart(2, '0')}`,
  };
}

/**
 * The instant at which the wall clock in `timeZone` first reads `date` `time` or later.
 * When the time is skipped by a DST gap this is the end of the gap (02:30 on a spring-forward night
 * becomes the instant the clock jumps to 03:00), so a workflow sleeping "until 08:00 local" never
 * wakes before the local clock has passed 08:00. When the time occurs twice (fall back), the first
 * occurrence is returned.
 */
export function instantOfLocal(date: string, time: string, timeZone: string): number {
  const d = toLocalDate(date, 'date');
  const m = typeof time === 'string' ? HH_MM.exec(time) : null;
  if (!m) throw new DomainError('time', `time must be HH:MM on a 24-hour clock, got "${String(time)}"`);
  const target = Date.UTC(d.year(), d.monthValue() - 1, d.dayOfMonth(), Number(m[1]), Number(m[2]));
  // Date.UTC reads years below 100 as 19xx, so the year is checked before the instant.
  if (d.year() < 1900 || target < MIN_EPOCH_MS || target > MAX_EPOCH_MS) {
    throw new DomainError('date', `date must lie between 1900-01-02 and 9999-12-30, got ${date}`);
  }
  const clock = testClockOf(timeZone);
  if (clock) return testInstantOf(clock, target);
  const fmt = formatter(timeZone);
  const offsets = new Set([-DAY_MS, 0, DAY_MS].map((shift) => offsetAt(fmt, target + shift)));
  const exact = [...offsets].map((o) => target - o).filter((t) => wallMs(fmt, t) === target);
  if (exact.length > 0) return Math.min(...exact);
  // A gap: the wall clock jumps over `target` somewhere between the two candidate instants.
  const candidates = [...offsets].map((o) => target - o);
  return firstInstantReaching(fmt, target, Math.min(...candidates), Math.max(...candidates));
}

function firstInstantReaching(fmt: Intl.DateTimeFormat, target: number, lo: number, hi: number): number {
  // Transitions fall on whole seconds, so search seconds; wallMs is monotonic across a gap.
  let a = Math.floor(lo / 1000);
  let b = Math.ceil(hi / 1000);
  while (a < b) {
    const mid = Math.floor((a + b) / 2);
    if (wallMs(fmt, mid * 1000) >= target) b = mid;
    else a = mid + 1;
  }
  return a * 1000;
}

interface Wall {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// Formatters are costly to build and are pure functions of the zone, so they are shared.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new DomainError('timeZone', 'timeZone must be an IANA zone name such as "Asia/Shanghai"');
  }
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    try {
      fmt = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    } catch {
      throw new DomainError('timeZone', `timeZone is not a known IANA zone: "${timeZone}"`);
    }
    formatters.set(timeZone, fmt);
  }
  return fmt;
}

/** An IANA zone name this runtime knows (Asia/Shanghai, America/New_York, UTC); never a test clock. */
export function isTimeZone(zone: string): boolean {
  if (
    typeof zone !== 'string' ||
    testClockOf(zone) ||
    !/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(zone)
  )
    return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * A business calendar whose days pass in `msPerDay` of real time (a divisor of a day), from the instant `epochMs` (when
 * its wall clock reads that instant in UTC+08:00, the sandbox products' zone). Only the fault harness
 * uses it, through the API's test clock (config/env.ts `LOANFLOW_TEST_CLOCK`), so that reminders,
 * autopay, DPD and collection happen in minutes on a real Temporal server; its name carries its
 * parameters so that every workflow and read of a loan started on it keeps the same calendar.
 */
export interface TestClock {
  msPerDay: number;
  epochMs: number;
}
const TEST_CLOCK = /^test-clock:(\d{3,8}):(\d{12,14})$/;
const TEST_CLOCK_OFFSET_MS = 8 * 3_600_000;

export function testClockZone(clock: TestClock): string {
  const zone = `test-clock:${clock.msPerDay}:${clock.epochMs}`;
  if (!testClockOf(zone)) throw new DomainError('testClock', `not a test clock: ${zone}`);
  return zone;
}

export function testClockOf(zone: string): TestClock | undefined {
  const m = TEST_CLOCK.exec(zone);
  if (!m) return undefined;
  const clock = { msPerDay: Number(m[1]), epochMs: Number(m[2]) };
  return clock.msPerDay >= 100 && DAY_MS % clock.msPerDay === 0 ? clock : undefined;
}

// msPerDay divides a day, so the clock is an exact integer scaling: no rounding to drift from.
const speedOf = (c: TestClock) => DAY_MS / c.msPerDay;

function testWallClock(c: TestClock, epochMs: number): Wall {
  const d = new Date(c.epochMs + TEST_CLOCK_OFFSET_MS + (epochMs - c.epochMs) * speedOf(c));
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** The first whole millisecond at which the test clock reads `wall` or later. */
function testInstantOf(c: TestClock, wall: number): number {
  return c.epochMs + Math.ceil((wall - c.epochMs - TEST_CLOCK_OFFSET_MS) / speedOf(c));
}

function wallClock(fmt: Intl.DateTimeFormat, epochMs: number): Wall {
  const w: Wall = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of fmt.formatToParts(epochMs)) {
    if (p.type in w) w[p.type as keyof Wall] = Number(p.value);
  }
  return w;
}

/** The wall-clock reading at an instant, expressed as if it were a UTC instant. */
function wallMs(fmt: Intl.DateTimeFormat, epochMs: number): number {
  const w = wallClock(fmt, epochMs);
  const ms = ((epochMs % 1000) + 1000) % 1000;
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) + ms;
}

function offsetAt(fmt: Intl.DateTimeFormat, epochMs: number): number {
  return wallMs(fmt, epochMs) - epochMs;
}

function assertEpochMs(epochMs: number): void {
  if (!Number.isFinite(epochMs) || epochMs < MIN_EPOCH_MS || epochMs > MAX_EPOCH_MS) {
    throw new DomainError(
      'epochMs',
      `epochMs must be an instant between 1900-01-02 and 9999-12-30, got ${String(epochMs)}`,
    );
  }
}

function isoOf(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
