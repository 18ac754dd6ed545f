import { execFileSync } from 'node:child_process';
import type { Prng } from './prng';
import type { Cluster, ManagedProcess } from './stack';

export interface ProviderEvent {
  event: 'begin' | 'end' | 'effect' | 'listening';
  route: string;
  key: string;
  attempt: number;
  port: number;
  status?: number;
}

export interface KillPoint {
  at: number;
  worker: string;
  /** What the worker was doing at the provider when killed: a route, `payout-effect` (paid, not yet reported), or `between-calls`. */
  kind: string;
}

const KIND_OF_ROUTE: Record<string, string> = {
  '/identity/four-elements': 'identity',
  '/lists/screen': 'screening',
  '/bureau/reports': 'bureau',
  '/bureau/filings': 'bureau-filing',
  '/bank/payouts': 'payout',
  '/bank/debits': 'debit',
  '/notify/messages': 'notify',
  '/agency/assignments': 'agency',
  '/legal/notices': 'legal',
};

/** Which process on this machine owns the TCP client port `port` (ss names it), if one of `candidates`. */
function ownerOf(port: number, candidates: ManagedProcess[]): ManagedProcess | undefined {
  try {
    const out = execFileSync('ss', ['-Htnp', 'state', 'established', `( sport = :${port} )`], {
      encoding: 'utf8',
    });
    return candidates.find((c) => {
      const pid = c.pid();
      return pid !== undefined && out.includes(`pid=${pid},`);
    });
  } catch {
    return undefined;
  }
}

/**
 * Kills loanflow workers: on a seeded clock, and in the window between the bank paying out and the
 * worker hearing of it (the sandbox server holds a payout's answer and announces it). Each kill is
 * a SIGKILL, then a restart; what the worker was doing at the provider names the kill point.
 */
export function workerKiller(o: {
  cluster: Cluster;
  random: Prng;
  effectKillRate: number;
  /** A restarted worker is left alone this long, so it starts polling and the run moves between kills. */
  minUpMs: number;
  log: (m: string) => void;
}) {
  const workers = [...o.cluster.processes.values()].filter((p) => p.name.startsWith('loanflow-worker-'));
  const points: KillPoint[] = [];
  const inFlight = new Map<string, ProviderEvent>();
  const restarting = new Set<string>();
  const effectKilled = new Set<string>();
  const upSince = new Map<string, number>(workers.map((w) => [w.name, Date.now()]));
  const killable = (w: ManagedProcess) =>
    w.running() && !restarting.has(w.name) && Date.now() - (upSince.get(w.name) ?? 0) >= o.minUpMs;
  const restarts: Promise<void>[] = [];

  const kill = (w: ManagedProcess, kind: string, restartAfterMs: number) => {
    if (!killable(w)) return false;
    restarting.add(w.name);
    const killed = Promise.resolve(w.kill('SIGKILL'));
    points.push({ at: Date.now(), worker: w.name, kind });
    restarts.push(
      killed
        .then(() => new Promise<void>((r) => setTimeout(r, restartAfterMs)))
        .then(() => w.start())
        .catch((err: unknown) => o.log(`restart ${w.name} failed: ${String(err)}`))
        .finally(() => {
          restarting.delete(w.name);
          upSince.set(w.name, Date.now());
        }),
    );
    return true;
  };

  return {
    points,
    onProviderEvent(e: ProviderEvent) {
      const id = `${e.port} ${e.route} ${e.key} ${e.attempt}`;
      if (e.event === 'begin') inFlight.set(id, e);
      if (e.event === 'end') inFlight.delete(id);
      // Once per payout key: each such kill costs the payout its heartbeat timeout (10 s) before the retry.
      if (
        e.event === 'effect' &&
        e.route === '/bank/payouts' &&
        !effectKilled.has(e.key) &&
        o.random.chance(o.effectKillRate)
      ) {
        effectKilled.add(e.key);
        const owner = ownerOf(e.port, workers);
        const kind = e.key.includes(':refund:') ? 'refund-effect' : 'payout-effect';
        // The payout's caller is killed even when freshly started: this window is the point of the test.
        const target = owner ?? workers.find((w) => w.running() && !restarting.has(w.name));
        if (target) {
          upSince.set(target.name, 0);
          kill(target, kind, o.random.int(300, 2000));
        }
      }
    },
    /** A timed kill of one live worker; false when none can be killed now. */
    killOne(): boolean {
      const live = workers.filter(killable);
      if (live.length === 0) return false;
      const w = o.random.pick(live);
      const ports = [...inFlight.values()].filter((e) => ownerOf(e.port, [w]) === w);
      const kind =
        ports.length > 0 ? (KIND_OF_ROUTE[o.random.pick(ports).route] ?? 'other') : 'between-calls';
      return kill(w, kind, o.random.int(200, 1500));
    },
    settled: () => Promise.all(restarts),
  };
}

/** One restart of a named process (PostgreSQL, Temporal history), counted by kind. */
export async function restartProcess(cluster: Cluster, name: string, downMs: number): Promise<boolean> {
  const p = cluster.processes.get(name);
  if (!p) return false;
  await p.kill('SIGKILL');
  await new Promise((r) => setTimeout(r, downMs));
  await p.start();
  return true;
}
