import { createHash } from 'node:crypto';
import type { SandboxCall, SandboxFault } from './sandbox-server';

export interface FaultPlanOptions {
  seed: string;
  /** Share (0–1) of calls that get a fault. */
  rate: number;
  /** How long a hung answer is held: past the caller's timeout (adapters/http.ts, 10 s). */
  hangMs: number;
  /** A slow answer waits up to this long. */
  slowMs: number;
  /** Calls after this many attempts with one key are left alone, so every call gets through in the end. */
  maxFaultedAttempts: number;
}

const MONEY_ROUTES = new Set(['/bank/payouts', '/bank/debits']);

/** A number in [0, 1) from a hash of the parts: the same call draws the same number in every run with the seed. */
export function draw(...parts: (string | number)[]): number {
  return createHash('sha256').update(parts.join('\u0000')).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * The chaos run's provider faults, chosen per call by (seed, route, key or body, attempt). Money
 * moves (payouts, debits) get most of the `lost` faults: the provider acts and the answer is lost.
 */
export function seededFaultPlan(o: FaultPlanOptions): (call: SandboxCall) => SandboxFault {
  return (call) => {
    if (call.attempt > o.maxFaultedAttempts) return { kind: 'none' };
    const who = call.key || JSON.stringify(call.body);
    if (draw(o.seed, 'fault', call.route, who, call.attempt) >= o.rate) return { kind: 'none' };
    const u = draw(o.seed, 'kind', call.route, who, call.attempt);
    const ms = (max: number) => Math.round(200 + draw(o.seed, 'ms', call.route, who, call.attempt) * max);
    if (MONEY_ROUTES.has(call.route)) {
      if (u < 0.4) return { kind: 'lost' };
      if (u < 0.7) return { kind: 'error' };
      if (u < 0.8) return { kind: 'hang', ms: o.hangMs };
      return { kind: 'slow', ms: ms(o.slowMs) };
    }
    if (u < 0.5) return { kind: 'error' };
    if (u < 0.6) return { kind: 'hang', ms: o.hangMs };
    if (u < 0.7) return { kind: 'lost' };
    return { kind: 'slow', ms: ms(o.slowMs) };
  };
}
