import { Connection, InternalConnectionOptionsSymbol } from '@temporalio/client/lib/connection';
import { msToTs } from '@temporalio/common/lib/time';
import type { BenchStack } from '../bench/stack';
import { toLocalDate } from '../domain/localdate';

// Time on the test server: moving its clock, and waiting until the workers have caught up with it.

export const DAY_MS = 86_400_000;

const clocks = new WeakMap<BenchStack, Promise<Connection>>();

/**
 * The connection the run moves the test server's clock through. A skip is one call that lasts while
 * the workers catch up; the client's default connection pings every 30 s and the test server drops
 * it for "excess pings", so the clock has a connection of its own that does not ping and a skip's
 * answer is not lost with a dropped connection.
 */
function clockOf(s: BenchStack): Promise<Connection> {
  let clock = clocks.get(s);
  if (!clock) {
    const options = {
      address: s.env.address,
      channelArgs: { 'grpc.keepalive_time_ms': 2 ** 31 - 1, 'grpc.keepalive_permit_without_calls': 0 },
      [InternalConnectionOptionsSymbol]: { supportsTestService: true },
    };
    clock = Connection.connect(options);
    clocks.set(s, clock);
  }
  return clock;
}

/** Moves the server's clock on to `at`, a few days a call so each call stays short. */
export async function sleepUntil(s: BenchStack, at: number): Promise<void> {
  const clock = await clockOf(s);
  for (;;) {
    const gap = at - (await s.env.currentTimeMs());
    if (gap <= 0) return;
    await clock.testService!.unlockTimeSkippingWithSleep({ duration: msToTs(Math.min(gap, 3 * DAY_MS)) });
  }
}

/** Closes the run's clock connection. */
export async function closeClock(s: BenchStack): Promise<void> {
  const clock = clocks.get(s);
  clocks.delete(s);
  await (await clock)?.close();
}

/** Waits until the workers stop writing the read model: what the month did is saved before it is counted. */
export async function quiet(s: BenchStack): Promise<void> {
  let last = '';
  for (let still = 0; still < 3;) {
    const r = await s.pool.query<{ v: string }>('select coalesce(sum(version), 0)::text as v from loans');
    still = r.rows[0]!.v === last ? still + 1 : 0;
    last = r.rows[0]!.v;
    await new Promise((res) => setTimeout(res, 150));
  }
}

/** The last day of the month `months` after the one `date` falls in. */
export function endOfMonth(date: string, months: number): string {
  const d = toLocalDate(date, 'date').plusMonths(months);
  return d.withDayOfMonth(d.lengthOfMonth()).toString();
}
