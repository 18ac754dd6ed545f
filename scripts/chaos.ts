import { rmSync } from 'node:fs';
import path from 'node:path';
import { runChecks, type CheckRow } from './chaos/checks';
import { apiClient } from './chaos/client';
import { type ProviderEvent, restartProcess, workerKiller } from './chaos/faults';
import { KINDS, type Lifecycle, type LifecycleKind, ON_TEST_CLOCK, runLifecycle } from './chaos/lifecycles';
import { prng } from './chaos/prng';
import { testClockZone } from '../domain/localdate';
import { waitForPort } from './lib/ports';
import { startStack } from './chaos/stack';
import { follow } from './chaos/tail';

/**
 * `npm run chaos -- --size small|full --seed N`: real lifecycles through the API on the cluster while
 * workers, an API, PostgreSQL and Temporal's history service are killed and the providers (served over
 * HTTP, keeping their own durable record) fail, hang or lose answers. Then checks money, books and
 * states against the provider's record, prints a table and exits non-zero on any violation.
 */
interface Size {
  lifecycles: number;
  concurrency: number;
  killPoints: number;
  killGapMs: [number, number];
  /** A restarted worker is left alone this long before it may be killed again. */
  minUpMs: number;
  deadlineMinutes: number;
  testClock: boolean;
}
const SIZES: Record<string, Size> = {
  // The test-clock lifecycles (autopay, delinquency, collection) take minutes each: full runs only.
  small: {
    lifecycles: 8,
    concurrency: 4,
    killPoints: 20,
    killGapMs: [2_000, 5_000],
    minUpMs: 20_000,
    deadlineMinutes: 12,
    testClock: false,
  },
  full: {
    lifecycles: 70,
    concurrency: 10,
    killPoints: 200,
    killGapMs: [1_500, 4_000],
    // Two workers each killable every ~10 s: 200 kills in about 17 minutes instead of 35.
    minUpMs: 10_000,
    deadlineMinutes: 40,
    testClock: true,
  },
};

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? (process.argv[i + 1] as string) : fallback;
}

const root = path.resolve(__dirname, '..');
const TEST_DAY_MS = 5_000;
const log = (m: string) => console.log(`[chaos] ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const sizeName = arg('size', 'small');
  const size = SIZES[sizeName];
  if (!size) throw new Error(`--size is small or full, not ${sizeName}`);
  const seed = Number(arg('seed', '1'));
  const basePort = Number(arg('base-port', String(21_000 + (seed % 40) * 60)));
  const random = prng(seed);
  const started = Date.now();
  const deadline = started + size.deadlineMinutes * 60_000;
  log(`seed ${seed}, size ${sizeName}: ${size.lifecycles} lifecycles, ≥ ${size.killPoints} kill points`);

  const dataDir = path.join(root, '.data', `chaos-${seed}`);
  rmSync(dataDir, { recursive: true, force: true });
  const crashes: string[] = [];
  const stackLog = (m: string) => {
    const crash = /^(\S+) exited \((.*)\) unasked/.exec(m);
    if (crash) crashes.push(`${crash[1]} (${crash[2]})`);
    log(m);
  };
  const { cluster, kind } = await startStack({
    dataDir,
    basePort,
    env: {
      SANDBOX_SEED: String(seed),
      SANDBOX_FAULT_RATE: '0.3',
      SANDBOX_ANNOUNCE: '1',
      SANDBOX_EFFECT_HOLD_MS: '1500',
      // A business day in 5 s: a three-month loan falls due, goes late and reaches a collector's call in minutes.
      LOANFLOW_TEST_CLOCK: testClockZone({ msPerDay: TEST_DAY_MS, epochMs: started }),
    },
    log: stackLog,
    standIn: process.argv.includes('--stand-in'),
  });
  process.env.PAYLOAD_KEYS = cluster.secrets.PAYLOAD_KEYS;
  const stopOnSignal = () => void Promise.resolve(cluster.stop()).finally(() => process.exit(130));
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const faults: Record<string, number> = {};
  const count = (k: string) => (faults[k] = (faults[k] ?? 0) + 1);
  const providerCalls = { total: 0, faulted: 0 };
  const killer = workerKiller({
    cluster,
    random: random.fork('kills'),
    effectKillRate: 0.5,
    minUpMs: size.minUpMs,
    log,
  });
  const tail = follow(path.join(cluster.logDir, 'sandbox.log'), (line) => {
    if (!line.startsWith('{"event"')) return;
    try {
      const e = JSON.parse(line) as ProviderEvent;
      if (e.event === 'begin') providerCalls.total++;
      if (e.event === 'end' && e.status !== undefined && e.status >= 500) providerCalls.faulted++;
      killer.onProviderEvent(e);
    } catch {
      /* a line cut by a restart */
    }
  });
  try {
    log(`stack: ${kind}`);
    await Promise.all(
      cluster.apiUrls.map((u) => waitForPort(Number(new URL(u).port), { timeoutMs: 90_000 })),
    );

    const api = apiClient({
      cluster,
      random: random.fork('api'),
      apiKillRate: 0.12,
      onApiKill: () => count('api SIGKILL mid-request'),
      deadline,
    });
    const deps = {
      api,
      keys: cluster.apiKeys,
      webhookSecret: cluster.secrets.PAYMENT_WEBHOOK_SECRET as string,
      deadline,
    };
    const plan = random.fork('lifecycles');
    const lifecycles: Lifecycle[] = [];
    const offered = KINDS.filter((k) => size.testClock || !ON_TEST_CLOCK.has(k));
    const kinds: LifecycleKind[] = Array.from(
      { length: size.lifecycles },
      (_, i) => offered[i] ?? plan.pick(offered),
    );
    let next = 0;
    let done = 0;
    let running = true;
    const runner = async () => {
      for (;;) {
        const i = next++;
        const k =
          i < kinds.length
            ? kinds[i]
            : killer.points.length < size.killPoints && Date.now() < deadline
              ? 'payoff'
              : undefined;
        if (!k) return;
        const lc = await runLifecycle(deps, plan.fork(`lc${i}`), `lc${seed}-${i}`, k);
        lifecycles.push(lc);
        done++;
        log(`${lc.name} ${lc.kind}: ${lc.state}${lc.error ? ` (${lc.error})` : ''} [${lc.steps.join(' ')}]`);
      }
    };
    const faultClock = random.fork('clock');
    const chaos = (async () => {
      let pgDone = false;
      let historyDone = false;
      while (running) {
        await sleep(faultClock.int(...size.killGapMs));
        if (!running) break;
        if (!pgDone && done >= size.lifecycles * 0.3) {
          pgDone = true;
          log('restarting PostgreSQL');
          if (await restartProcess(cluster, 'postgres', faultClock.int(1_000, 4_000)))
            count('PostgreSQL restart');
          continue;
        }
        if (!historyDone && done >= size.lifecycles * 0.6) {
          historyDone = true;
          log('killing temporal-history');
          if (await restartProcess(cluster, 'temporal-history', faultClock.int(500, 3_000)))
            count('Temporal history SIGKILL');
          continue;
        }
        killer.killOne();
      }
    })();
    await Promise.all(Array.from({ length: size.concurrency }, runner));
    running = false;
    await chaos;
    await killer.settled();
    await api.settled();

    for (const p of killer.points) count(`worker SIGKILL: ${p.kind}`);
    faults['provider calls'] = providerCalls.total;
    faults['provider 5xx answers (faults incl. lost answers)'] = providerCalls.faulted;
    log('checking');
    api.extendDeadline(Date.now() + 5 * 60_000);
    const rows: CheckRow[] = await runChecks(cluster, lifecycles, api, cluster.apiKeys.client as string);
    rows.push({
      check: `kill points achieved (want >= ${size.killPoints})`,
      count: killer.points.length,
      violations: killer.points.length >= size.killPoints ? 0 : 1,
    });
    rows.push({
      check: 'processes that died unasked (crashes)',
      count: crashes.length,
      violations: crashes.length,
      ...(crashes.length ? { detail: crashes.join(', ') } : {}),
    });
    const kindsSeen = new Set(killer.points.map((p) => p.kind));
    printTable(seed, sizeName, kind, rows, faults, kindsSeen, Date.now() - started);
    return rows.some((r) => r.violations > 0) ? 1 : 0;
  } finally {
    tail.stop();
    await cluster.stop();
  }
}

function printTable(
  seed: number,
  size: string,
  stack: string,
  rows: CheckRow[],
  faults: Record<string, number>,
  kinds: Set<string>,
  ms: number,
): void {
  const w = Math.max(...rows.map((r) => r.check.length), ...Object.keys(faults).map((k) => k.length)) + 2;
  const line = (a: string, b: string, c: string) =>
    console.log(`${a.padEnd(w)}${b.padStart(8)}${c.padStart(12)}`);
  console.log(`\nchaos seed ${seed}, size ${size}, stack ${stack}`);
  line('check', 'count', 'violations');
  for (const r of rows) {
    line(r.check, String(r.count), String(r.violations));
    if (r.detail) console.log(`    ${r.detail}`);
  }
  console.log('');
  line('fault injected', 'count', '');
  for (const [k, n] of Object.entries(faults).sort()) line(k, String(n), '');
  line('worker kill-point kinds', String(kinds.size), '');
  line('wall time (s)', String(Math.round(ms / 1000)), '');
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(2);
  },
);
